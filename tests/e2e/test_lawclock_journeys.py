"""The 行政许可法 rules through the real pages: an extension asked by the approver and approved by the head of
the agency (art. 42); a citizen signs a pledge instead of a material (告知承诺) and authorises an agent
(委托代理, art. 29). Screenshots on desktop and phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from onewindow.cases import services
from onewindow.cases.tests.factories import PLEDGE, case_in_state, case_item, pledge_item_of
from onewindow.organisations.models import Role
from tests.e2e.conftest import PHONE, signed_in_page
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory, person

pytestmark = pytest.mark.browser


def _staff(username, department, role):
    return MembershipFactory(
        user=UserFactory(username=username, name=username, is_staff=True), department=department, role=role
    ).user


def test_the_head_of_the_agency_approves_an_extension(new_page, live_server, screenshot):
    department = DepartmentFactory(name="福州市市场监督管理局")
    clerk = _staff("窗口受理员", department, Role.WINDOW_CLERK)
    approver = _staff("审批员", department, Role.APPROVER)
    head = _staff("局长", department, Role.HEAD)
    citizen = person(150, name="张三")
    case = case_in_state("accepted", user=citizen.user, item=case_item(department=department), clerk=clerk)
    url = f"/workbench/cases/{case.pk}/"

    page = signed_in_page(new_page, live_server, approver)
    page.goto(url)
    page.get_by_label("延长天数（工作日）").fill("5")
    page.get_by_label("延期理由").fill("需征求消防部门意见")
    page.get_by_role("button", name="提交负责人审批").click()
    expect(page.get_by_role("heading", name="负责人延期审批")).to_be_visible()
    expect(page.get_by_text("+5 · 待负责人审批")).to_be_visible()

    page = signed_in_page(new_page, live_server, head, PHONE)
    page.goto(url)
    page.get_by_label("批准延期").check()
    page.get_by_label("负责人意见").fill("同意延期")
    screenshot(page, "lawclock-extension-head-phone")
    page.get_by_role("button", name="提交审核结论").click()
    expect(page.get_by_text("负责人的延期审批意见已记录。")).to_be_visible()
    case.refresh_from_db()
    assert case.extended_days == 5
    screenshot(page, "lawclock-extension-approved-phone")


def test_a_citizen_signs_a_pledge_and_authorises_an_agent(new_page, live_server, screenshot):
    department = DepartmentFactory(name="福州市人力资源和社会保障局")
    citizen = person(151, name="张三")
    agent = person(152, name="李四")
    item = pledge_item_of(department)
    case = services.case_start(user=citizen.user, item=item)

    page = signed_in_page(new_page, live_server, citizen.user, PHONE)
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_text(PLEDGE)).to_be_visible()
    page.get_by_label("我已阅读以上内容并作出承诺").check()
    page.get_by_role("button", name="签署承诺").click()
    expect(page.get_by_text("D · 已以告知承诺替代")).to_be_visible()
    screenshot(page, "lawclock-pledge-signed-phone")

    page.goto("/accounts/representatives/")
    page.get_by_label("代理人的手机号码或身份证号码").fill(agent.phone)
    page.get_by_label("以我的名义申请办事、提交材料").check()
    page.get_by_label("有效期至").fill("2027-06-30")
    page.get_by_role("button", name="授权").click()
    expect(page.get_by_role("cell", name="李四", exact=False).first).to_be_visible()
    screenshot(page, "lawclock-agents-phone")
