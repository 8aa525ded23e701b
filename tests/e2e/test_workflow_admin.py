"""The administrators' process pages in headless Chromium: a platform administrator generates a process with
a joint review by two departments (并联审批), sees its flow diagram, and assigns it to an item; a department
administrator's BPMN with a script task is refused next to the file. Screenshots of the generator, the
definition page with its diagram (also on a phone), the list and the refused upload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from onewindow.cases.tests.factories import case_item
from onewindow.organisations.models import Role
from onewindow.workflow.models import ProcessAssignment, ProcessDefinition
from onewindow.workflow.tests.test_services import UPLOADED
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory

from .conftest import PHONE

pytestmark = pytest.mark.browser

PROCESSES = "/workbench/processes/"


def _sign_in(page, user, landing):
    page.goto(f"/accounts/login/?next={landing}")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(landing) + "$"))


def test_a_platform_admin_generates_a_joint_review_and_assigns_it(
    page, new_page, screenshot, platform_admin, department_a, department_b
):
    item = case_item(department=department_a, name="食品经营许可")
    _sign_in(page, platform_admin, "/workbench/")
    page.get_by_role("link", name="办理流程").first.click()
    expect(page.get_by_role("heading", level=1, name="办理流程")).to_be_visible()
    page.get_by_role("link", name="生成流程").first.click()

    page.get_by_label("流程名称").fill("食品经营许可审批")
    page.get_by_label("流程标识").fill("food-licence")
    first, second, third = (page.get_by_role("group", name=f"第 {n} 步") for n in (1, 2, 3))
    first.get_by_label("环节名称").fill("承办")
    first.get_by_label("岗位").select_option("window_clerk")
    first.get_by_label("时限（工作日）").fill("2")
    second.get_by_label("环节名称").fill("联合审查")
    second.get_by_label("岗位").select_option("reviewer")
    second.get_by_label("时限（工作日）").fill("5")
    second.get_by_label("办理部门").select_option([str(department_a.pk), str(department_b.pk)])
    third.get_by_label("环节名称").fill("批准")
    third.get_by_label("岗位").select_option("approver")
    third.get_by_label("时限（工作日）").fill("1")
    screenshot(page, "workflow-admin-generator")
    page.get_by_role("button", name="生成并发布").click()

    expect(page).to_have_url(re.compile(r"/workbench/processes/food-licence/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("食品经营许可审批")
    diagram = page.get_by_role("img", name="流程图")
    expect(diagram).to_be_visible()
    expect(diagram.locator("rect")).to_have_count(4)
    expect(page.get_by_role("table").first).to_contain_text("并联")
    screenshot(page, "workflow-admin-definition")

    page.get_by_role("link", name="指定给事项").first.click()
    page.get_by_label("事项名称或实施编码").fill("食品")
    page.get_by_role("button", name="查找").click()
    page.get_by_label(re.compile(r"^事项[:：]?$")).select_option(str(item.pk))
    screenshot(page, "workflow-admin-assign")
    page.get_by_role("button", name="指定", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("food-licence")
    assert ProcessAssignment.objects.get(item=item).definition_key == "food-licence"
    assert ProcessDefinition.objects.get(key="food-licence").steps.count() == 4

    page.goto(PROCESSES)
    expect(page.get_by_role("table")).to_contain_text("食品经营许可（")
    screenshot(page, "workflow-admin-list")

    phone = new_page(PHONE)
    _sign_in(phone, platform_admin, f"{PROCESSES}food-licence/")
    expect(phone.get_by_role("img", name="流程图")).to_be_visible()
    screenshot(phone, "workflow-admin-definition-phone")


def test_a_bpmn_with_a_script_task_is_refused_next_to_the_file(page, screenshot, department_a, department_b):
    head = MembershipFactory(
        user=UserFactory(username="head_a", name="部门管理员", is_staff=True),
        department=department_a,
        role=Role.DEPARTMENT_ADMIN,
    ).user
    xml = UPLOADED.format(a=department_a.credit_code, b=department_b.credit_code).replace(
        '<bpmn:endEvent id="end"/>', '<bpmn:endEvent id="end"/><bpmn:scriptTask id="s1" name="计算"/>'
    )
    _sign_in(page, head, f"{PROCESSES}upload/")
    expect(page.get_by_text("limit_days").first).to_be_visible()  # the properties a modeller sets
    page.get_by_label("流程标识").fill("joint")
    page.get_by_label("流程名称").fill("并联审批")
    page.get_by_label("BPMN 文件（.bpmn 或 .xml）").set_input_files(
        files=[{"name": "joint.bpmn", "mimeType": "application/xml", "buffer": xml.encode()}]
    )
    page.get_by_role("button", name="检查并发布").click()
    expect(page.get_by_text("平台不执行上传流程中的脚本")).to_be_visible()
    assert not ProcessDefinition.objects.exists()
    screenshot(page, "workflow-admin-upload-refused")
