"""The pay journey in headless Chromium: an accepted case waits 待缴费 on its page; the applicant pays at the
sandbox cashier, the case says 已缴费 on its timeline and the receipt PDF downloads; the department sees the
order, and the platform administrator reconciles the day (balanced)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from onewindow.cases.tests.factories import case_in_state, case_item
from onewindow.core import clock
from onewindow.organisations.models import Role
from onewindow.payments import services
from onewindow.payments.models import PaymentOrder, PaymentState
from tests.e2e.conftest import SCREENSHOTS, signed_in_page
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory, person

pytestmark = pytest.mark.browser


@pytest.fixture
def accepted(db):
    police = DepartmentFactory(name="福州市公安局出入境管理支队", short_name="市出入境支队")
    clerk = MembershipFactory(
        user=UserFactory(username="window_clerk", name="陈窗口", is_staff=True),
        department=police,
        role=Role.WINDOW_CLERK,
    ).user
    item = case_item(department=police, name="普通护照签发")
    services.fee_item_upsert(
        actor=None,
        item=item,
        code="103040100101",
        name="普通护照工本费",
        amount="120",
        payee=police.name,
        basis="发改价格〔2019〕914号",
    )
    citizen = person(1, name="张三").user
    return citizen, case_in_state("accepted", user=citizen, item=item, clerk=clerk), police


def test_the_applicant_pays_at_the_cashier_and_gets_the_receipt(new_page, live_server, screenshot, accepted):
    citizen, case, police = accepted
    page = signed_in_page(new_page, live_server, citizen)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    section = page.get_by_role("region", name="缴费")
    expect(section).to_contain_text("待缴费")
    expect(page.get_by_role("region", name="办理进程")).to_contain_text("待缴费")
    screenshot(page, "payments-1-case-awaiting-payment")

    section.get_by_role("link", name="立即缴费").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("缴费")
    expect(page.get_by_role("table").first).to_contain_text("普通护照工本费")
    screenshot(page, "payments-2-fee")

    page.get_by_role("button", name="缴费 120.00 元").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("沙箱收银台")
    screenshot(page, "payments-3-sandbox-cashier")

    page.get_by_role("button", name="确认支付").click()
    expect(page.get_by_role("status")).to_contain_text("已缴费 120.00 元")
    screenshot(page, "payments-4-paid")
    order = PaymentOrder.objects.get()
    assert order.state == PaymentState.SUCCESS

    receipt = page.request.get(f"{live_server.url}/payments/orders/{order.reference}/receipt.pdf")
    assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "payments-5-receipt.pdf").write_bytes(receipt.body())

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.get_by_role("region", name="办理进程")).to_contain_text("已缴费 120.00 元")
    screenshot(page, "payments-6-case-paid")

    # The department sees the order; the platform reconciles the day with the sandbox's statement.
    approver = MembershipFactory(
        user=UserFactory(username="approver", name="林审批", is_staff=True),
        department=police,
        role=Role.APPROVER,
    ).user
    staff = signed_in_page(new_page, live_server, approver)
    staff.goto(f"{live_server.url}/workbench/payments/")
    staff.get_by_role("link", name=order.reference).click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(order.reference)
    screenshot(staff, "payments-7-staff-order")

    admin = MembershipFactory(
        user=UserFactory(username="platform", name="平台管理员", is_staff=True),
        department=police,
        role=Role.PLATFORM_ADMIN,
    ).user
    platform = signed_in_page(new_page, live_server, admin)
    # The page reconciles finished days only (today's statement is not complete): the nightly job's run.
    report = services.reconciliation_run(day=clock.today())
    platform.goto(f"{live_server.url}/workbench/payments/reconciliation/")
    expect(platform.get_by_role("table")).to_contain_text("账平")
    screenshot(platform, "payments-8-reconciliation-list")
    platform.goto(f"{live_server.url}/workbench/payments/reconciliation/{report.pk}/")
    expect(platform.get_by_text(re.compile("账平"))).to_be_visible()
    screenshot(platform, "payments-9-reconciliation")
