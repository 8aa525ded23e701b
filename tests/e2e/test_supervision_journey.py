"""E-supervision in the browser: the supervisor sees a red card on an overdue case, acknowledges it and issues
a supervision order (督办单); the department replies; the supervisor closes it. Screenshots of each page."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from onewindow.cases.tests.factories import case_in_state, case_item
from onewindow.core import clock
from onewindow.organisations.models import Role
from onewindow.supervision.scan import supervision_scan
from onewindow.workdays.models import Deadline
from tests.e2e.conftest import PHONE, signed_in_page
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def red_card(department_a, citizen, clerk_a):
    item = case_item(department=department_a, name="食品经营许可")
    case = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
    Deadline.objects.filter(pk=case.deadline_id).update(due_on=clock.today() - dt.timedelta(days=30))
    supervision_scan()
    return case


def test_a_supervision_order_from_a_red_card_to_its_closing(
    new_page, live_server, screenshot, red_card, supervisor, department_a
):
    officer = MembershipFactory(
        user=UserFactory(username="officer_a", name="陈科长", is_staff=True),
        department=department_a,
        role=Role.REVIEWER,
    ).user
    page = signed_in_page(new_page, live_server, supervisor)
    page.goto(f"{live_server.url}/workbench/")
    expect(page.get_by_role("link", name="窗口收件录入")).to_have_count(0)
    screenshot(page, "supervision-0-workbench-home")
    phone = signed_in_page(new_page, live_server, supervisor, PHONE)
    phone.goto(f"{live_server.url}/workbench/")
    screenshot(phone, "supervision-0-workbench-home-phone")
    # A page not in the supervisor's menu: the Chinese refusal, in the workbench with its menu to go on.
    phone.goto(f"{live_server.url}/workbench/cases/walk-in/")
    expect(phone.get_by_role("heading", name="无权访问")).to_be_visible()
    expect(phone.get_by_role("link", name="返回工作台首页")).to_be_visible()
    screenshot(phone, "supervision-0-refused-phone")
    page.get_by_role("navigation", name="工作台").get_by_role("link", name="电子监察").click()
    expect(page.get_by_role("heading", name="预警与亮牌")).to_be_visible()
    expect(page.locator('[data-level="red"]')).to_have_text("1")
    screenshot(page, "supervision-1-alerts")
    page.get_by_role("link", name=red_card.number).click()
    page.get_by_role("button", name="签收预警", exact=True).click()
    expect(page.get_by_role("button", name="签收预警", exact=True)).to_have_count(0)
    page.get_by_label("对部门的督办要求").fill("该件已超期，请说明原因并于答复期限内办结。")
    screenshot(page, "supervision-2-alert-before-order")
    page.get_by_role("button", name="发出督办单").click()
    expect(page.get_by_role("heading", name="督办单 DB")).to_be_visible()
    expect(page.locator(".order-status")).to_have_text("待部门答复")
    screenshot(page, "supervision-3-order-issued")

    department = signed_in_page(new_page, live_server, officer, PHONE)
    department.goto(f"{live_server.url}/workbench/supervision/orders/")
    department.get_by_role("link", name="DB").first.click()
    department.get_by_label("部门整改落实情况").fill("已于今日办结，超期系现场核查排期所致，已调整排期规则。")
    department.get_by_role("button", name="提交答复").click()
    expect(department.locator(".order-status")).to_have_text("已答复")
    screenshot(department, "supervision-4-department-replied-phone")

    page.reload()
    page.get_by_label("办结意见").fill("答复属实，同意办结。")
    page.get_by_role("button", name="办结督办单").click()
    expect(page.locator(".order-status")).to_have_text("已办结")
    screenshot(page, "supervision-5-order-closed")
    page.goto(f"{live_server.url}/workbench/supervision/cases/")
    expect(page.get_by_role("link", name=red_card.number)).to_be_visible()
    screenshot(page, "supervision-6-cases-read-only")
