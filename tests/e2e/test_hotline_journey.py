"""12345 and 我要问 in headless Chromium: a citizen files a request on a phone; the operator dispatches it from
the workbench; the department signs and answers; the citizen reads the answer and says how satisfied they
are. A citizen asks a question on a service guide and the department answers it. Screenshots of each page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from onewindow.catalogue.tests.factories import published_item
from onewindow.consult.models import Question
from onewindow.hotline.models import DispatchCategory, HotlineOffice, Ticket, TicketStatus
from onewindow.organisations.models import Role
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory

from .conftest import PHONE, signed_in_page

pytestmark = pytest.mark.browser


@pytest.fixture
def hotline_setup(db, department_a):
    office = HotlineOffice.objects.create(
        department=DepartmentFactory(name="福州市12345便民服务平台", short_name="12345")
    )
    operator = MembershipFactory(
        user=UserFactory(username="operator", name="话务员 孙悦", is_staff=True),
        department=office.department,
        role=Role.WINDOW_CLERK,
    ).user
    DispatchCategory.objects.create(
        code="SC-001",
        name="食品安全",
        group="市场监管",
        keywords="食品,变质,餐馆",
        limit_days=5,
        lead_department=department_a,
        description="食品安全问题",
    )
    return operator


def test_a_request_from_a_phone_is_dispatched_answered_and_rated(
    new_page, live_server, screenshot, citizen, clerk_a, hotline_setup
):
    operator = hotline_setup
    phone = signed_in_page(new_page, live_server, citizen, PHONE)
    phone.goto("/hotline/")
    phone.get_by_role("link", name="在线提交诉求").first.click()
    phone.get_by_label("诉求类型").select_option("report")
    phone.get_by_label("您的诉求").fill("在东街口一家餐馆吃饭后腹泻，怀疑食物变质，请检查这家店。")
    phone.get_by_label("地址或地点").fill("鼓楼区东街口")
    phone.get_by_label("回复电话").fill("13912345678")
    screenshot(phone, "hotline/citizen-new-request-phone")
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_text("诉求已受理，编号")).to_be_visible()
    ticket = Ticket.objects.get()

    office = signed_in_page(new_page, live_server, operator)
    office.goto("/workbench/hotline/")
    office.get_by_role("link", name=ticket.number).click()
    expect(office.get_by_text("按派单目录建议")).to_contain_text("SC-001 食品安全")
    screenshot(office, "hotline/operator-ticket-dispatch")
    office.get_by_role("button", name="派单", exact=True).click()
    expect(office.get_by_text("已派单。")).to_be_visible()

    department = signed_in_page(new_page, live_server, clerk_a)
    department.goto("/workbench/hotline/?view=department")
    screenshot(department, "hotline/department-queue")
    department.get_by_role("link", name=ticket.number).click()
    department.get_by_role("button", name="签收工单").click()
    department.get_by_label("答复内容").fill("经现场检查，该餐馆部分食材过期，已责令整改并立案调查。")
    department.get_by_role("button", name="提交答复").click()
    expect(department.get_by_text("答复已记录。")).to_be_visible()
    screenshot(department, "hotline/department-ticket-responded")

    phone.goto(f"/hotline/{ticket.pk}/")
    expect(phone.get_by_text("已责令整改并立案调查")).to_be_visible()
    phone.get_by_label("满意", exact=True).check()
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_text("感谢您的评价。")).to_be_visible()
    screenshot(phone, "hotline/citizen-ticket-rated-phone")
    assert Ticket.objects.get().status == TicketStatus.CLOSED

    office.goto("/workbench/hotline/intake/")
    screenshot(office, "hotline/operator-intake")
    public = new_page()
    public.goto("/hotline/statistics/")
    screenshot(public, "hotline/public-statistics")


def test_a_question_on_a_guide_is_answered_by_the_department(
    new_page, live_server, screenshot, citizen, clerk_a, department_a
):
    item = published_item(department=department_a, name="食品经营许可")
    page = signed_in_page(new_page, live_server, citizen)
    page.goto(f"/services/items/{item.implementation_code}/")
    page.get_by_role("link", name="我要问").click()
    page.get_by_label("问题标题").fill("需要带哪些材料")
    page.get_by_label("详情").fill("个体工商户申请食品经营许可需要哪些材料原件？")
    page.get_by_role("button", name="提交问题").click()
    question = Question.objects.get()
    screenshot(page, "hotline/citizen-question")
    staff = signed_in_page(new_page, live_server, clerk_a)
    staff.goto(f"/workbench/consult/questions/{question.pk}/")
    staff.get_by_role("textbox", name=re.compile("^答复")).fill(
        "请携带营业执照、身份证原件和经营场所证明办理。"
    )
    staff.get_by_role("button", name="发送答复").click()
    expect(staff.get_by_text("答复已发送给提问人。")).to_be_visible()
    screenshot(staff, "hotline/department-question-answered")
    staff.goto("/consult/complain/")
    screenshot(staff, "hotline/complaint-form")
