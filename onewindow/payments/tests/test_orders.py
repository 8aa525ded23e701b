"""Orders and notices: the case waits 待缴费, duplicates and out-of-order notices leave one paid order, an
expired order cannot be paid, a forged notice is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.cases import services as case_services
from onewindow.cases.models import CaseStatus, ConclusionCode, EventAction
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.payments import services
from onewindow.payments.models import FeeStatus, LedgerEntry, PaymentOrder, PaymentState, ProviderNotice
from onewindow.payments.tests.conftest import AMOUNT, notice_send, sandbox_notice

pytestmark = pytest.mark.django_db


def test_acceptance_bills_the_case_and_the_timeline_says_awaiting_payment(accepted_case, fee):
    assert fee.status == FeeStatus.DUE and fee.amount_due == AMOUNT
    assert [line["code"] for line in fee.lines] == ["103001", "103002"]
    event = accepted_case.events.get(action=EventAction.FEE_DUE)
    assert "待缴费" in event.note and "150.00 元" in event.note and event.public


def test_an_approval_waits_for_the_fee(accepted_case, approver_a, citizen, started_order):
    with pytest.raises(DomainError) as refused:
        case_services.case_conclude(
            case=accepted_case, actor=approver_a, code=ConclusionCode.APPROVED, result="护照"
        )
    assert refused.value.code == "payment.fee_unpaid" and "缴费" in refused.value.message
    accepted_case.refresh_from_db()
    assert accepted_case.status == CaseStatus.ACCEPTED

    services.sandbox_pay(order=started_order, succeed=True)
    case = case_services.case_conclude(
        case=accepted_case, actor=approver_a, code=ConclusionCode.APPROVED, result="护照"
    )
    assert case.status == CaseStatus.CONCLUDED


def test_a_denial_does_not_wait_for_the_fee(accepted_case, approver_a):
    case = case_services.case_conclude(
        case=accepted_case, actor=approver_a, code=ConclusionCode.DENIED, reason="不符合条件"
    )
    assert case.status == CaseStatus.CONCLUDED


def test_duplicate_and_out_of_order_notices_leave_one_paid_order(started_order, fee):
    submitted = sandbox_notice(started_order, PaymentState.SUBMITTED, notice_id="n-submitted")
    success = sandbox_notice(started_order, PaymentState.SUCCESS, notice_id="n-success")
    notice_send(*submitted)
    first = notice_send(*success)
    # The provider sends again (duplicates are expected), then late notices of earlier or failed states.
    again = notice_send(*success)
    late_started = notice_send(*sandbox_notice(started_order, PaymentState.STARTED, notice_id="n-late"))
    late_failed = notice_send(*sandbox_notice(started_order, PaymentState.FAILED, notice_id="n-notpay"))
    notice_send(*submitted)

    assert again.pk == first.pk and first.applied
    assert not late_started.applied and not late_failed.applied
    started_order.refresh_from_db()
    fee.refresh_from_db()
    assert started_order.state == PaymentState.SUCCESS and started_order.finished
    assert fee.status == FeeStatus.PAID
    assert LedgerEntry.objects.filter(order=started_order).count() == 1
    assert ProviderNotice.objects.filter(order=started_order).count() == 4
    assert fee.case.events.filter(action=EventAction.FEE_PAID).count() == 1
    assert started_order.receipt_number and len(started_order.receipt_check) == 6


def test_an_earlier_state_after_a_later_one_is_ignored(started_order):
    notice_send(*sandbox_notice(started_order, PaymentState.SUBMITTED))
    late = notice_send(*sandbox_notice(started_order, PaymentState.STARTED))
    started_order.refresh_from_db()
    assert not late.applied and started_order.state == PaymentState.SUBMITTED and not started_order.finished


def test_a_forged_notice_is_refused_and_changes_nothing(client, started_order):
    headers, body = sandbox_notice(started_order, PaymentState.SUCCESS)
    forged = body.replace(b'"SBX-TEST"', b'"SBX-FORGED"')
    response = client.post(
        "/payments/notify/sandbox/",
        data=forged,
        content_type="application/json",
        headers={key: value for key, value in headers.items()},
    )
    assert response.status_code == 401
    assert response.json()["code"] == "FAIL"
    started_order.refresh_from_db()
    assert started_order.state == PaymentState.STARTED
    assert not ProviderNotice.objects.exists() and not LedgerEntry.objects.exists()


def test_a_genuine_notice_through_the_endpoint_is_answered_204(client, started_order):
    headers, body = sandbox_notice(started_order, PaymentState.SUCCESS)
    response = client.post(
        "/payments/notify/sandbox/", data=body, content_type="application/json", headers=headers
    )
    assert response.status_code == 204
    started_order.refresh_from_db()
    assert started_order.state == PaymentState.SUCCESS


def test_an_expired_order_cannot_be_paid(started_order, at, fee):
    at("2026-09-29", hour=12)  # 120 minutes after the order (created at 10:00)
    with pytest.raises(DomainError) as refused:
        services.sandbox_pay(order=started_order, succeed=True)
    assert refused.value.code == "payment.order_expired"
    started_order.refresh_from_db()
    assert started_order.state == PaymentState.FAILED and started_order.failure_code == "P0020"
    assert started_order.finished
    fee.refresh_from_db()
    assert fee.status == FeeStatus.DUE and not LedgerEntry.objects.exists()
    with pytest.raises(DomainError):
        services.payment_order_start(order=started_order, actor=None)


def test_the_expiry_job_fails_old_unfinished_orders(started_order, at):
    assert services.payment_orders_expire() == 0
    at("2026-09-29", hour=12)
    assert services.payment_orders_expire() == 1
    started_order.refresh_from_db()
    assert started_order.state == PaymentState.FAILED and started_order.failure_code == "P0020"


def test_a_success_notice_for_a_different_amount_books_nothing(started_order, fee):
    notice_send(*sandbox_notice(started_order, PaymentState.SUCCESS, amount="1.00"))
    started_order.refresh_from_db()
    fee.refresh_from_db()
    assert started_order.state == PaymentState.ERROR and fee.status == FeeStatus.DUE
    assert not LedgerEntry.objects.exists()


def test_a_settled_fee_takes_no_new_order(started_order, fee, citizen):
    services.sandbox_pay(order=started_order, succeed=True)
    with pytest.raises(DomainError) as refused:
        services.payment_order_create(actor=citizen, fee=fee)
    assert refused.value.code == "payment.fee_settled"


def test_a_failed_payment_can_be_tried_again(started_order, fee, citizen):
    services.sandbox_pay(order=started_order, succeed=False)
    started_order.refresh_from_db()
    assert started_order.state == PaymentState.FAILED
    again, created = services.payment_order_create(actor=citizen, fee=fee)
    assert created and again.pk != started_order.pk


def test_orders_expire_after_ninety_minutes(started_order):
    assert started_order.expires_at - clock.now() == dt.timedelta(minutes=90)
    assert PaymentOrder.objects.count() == 1


def test_the_applicant_is_told_what_is_due_and_that_it_is_paid(
    citizen, fee_item, clerk_a, at, django_capture_on_commit_callbacks
):
    from onewindow.cases.tests.factories import case_in_state

    with django_capture_on_commit_callbacks(execute=True):
        case = case_in_state("accepted", user=citizen, item=fee_item, clerk=clerk_a)
    message = citizen.case_messages.get(event=EventAction.FEE_DUE)
    assert "待缴费" in message.text and "150.00 元" in message.text and "请在“我的办件”中缴费" in message.text
    order, _ = services.payment_order_create(actor=citizen, fee=case.fee)
    with django_capture_on_commit_callbacks(execute=True):
        services.sandbox_pay(order=services.payment_order_start(order=order, actor=citizen), succeed=True)
    assert "已缴费 150.00 元" in citizen.case_messages.get(event=EventAction.FEE_PAID).text
