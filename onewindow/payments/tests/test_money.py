"""Refunds, waivers, the ledger and the daily reconciliation (a planted mismatch is found)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from onewindow.core.errors import DomainError
from onewindow.payments import services
from onewindow.payments.models import (
    FeeStatus,
    LedgerEntry,
    LedgerKind,
    PaymentState,
    RefundState,
    SandboxTransaction,
)

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 9, 29)


def test_a_partial_then_full_refund(started_order, approver_a, fee, django_capture_on_commit_callbacks):
    services.sandbox_pay(order=started_order, succeed=True)
    started_order.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        partial = services.refund_create(
            actor=approver_a, order=started_order, amount="30", reason="未加急，退加急费"
        )
    partial.refresh_from_db()
    assert partial.state == RefundState.SUCCESS
    fee.refresh_from_db()
    assert fee.status == FeeStatus.PAID
    with pytest.raises(DomainError) as refused:
        services.refund_create(actor=approver_a, order=started_order, amount="200", reason="x")
    assert refused.value.code == "refund.too_large"
    with django_capture_on_commit_callbacks(execute=True):
        services.refund_create(actor=approver_a, order=started_order, amount=None, reason="撤回申请")
    fee.refresh_from_db()
    assert fee.status == FeeStatus.REFUNDED
    refunds = LedgerEntry.objects.filter(kind=LedgerKind.REFUND).order_by("at", "amount")
    assert sorted(entry.amount for entry in refunds) == [Decimal("30.00"), Decimal("120.00")]


def test_a_refund_is_for_the_department_s_decision_makers(started_order, clerk_b, clerk_a):
    services.sandbox_pay(order=started_order, succeed=True)
    started_order.refresh_from_db()
    for outsider in (clerk_b, clerk_a):  # another department; a window clerk of the case's own
        with pytest.raises(DomainError) as refused:
            services.refund_create(actor=outsider, order=started_order, amount="1", reason="x")
        assert refused.value.status == 403


def test_a_waiver_needs_reason_and_basis_and_lowers_the_amount_due(fee, approver_a):
    with pytest.raises(DomainError) as refused:
        services.fee_waive(fee=fee, actor=approver_a, code="103002", reason="", basis="")
    assert refused.value.code == "payment.waiver_incomplete"
    with pytest.raises(DomainError) as refused:
        services.fee_waive(fee=fee, actor=approver_a, code="103001", reason="低保", basis="民政文件")
    assert refused.value.code == "payment.not_waivable"
    fee = services.fee_waive(
        fee=fee, actor=approver_a, code="103002", reason="最低生活保障对象", basis="闽价〔2020〕1号 第三条"
    )
    assert fee.amount_due == Decimal("120.00") and fee.status == FeeStatus.DUE
    assert fee.case.events.filter(action="fee_waived").exists()


def test_reconciliation_balances_when_both_sides_agree(started_order):
    services.sandbox_pay(order=started_order, succeed=True)
    report = services.reconciliation_run(day=DAY)
    assert report.balanced and report.ledger_count == report.statement_count == 1
    assert report.ledger_total == report.statement_total == Decimal("150.00")


def test_reconciliation_finds_a_planted_mismatch(started_order):
    services.sandbox_pay(order=started_order, succeed=True)
    started_order.refresh_from_db()
    # Planted: the provider's book says another amount, and holds a payment the ledger never saw.
    SandboxTransaction.objects.filter(reference=started_order.reference).update(amount=Decimal("15.00"))
    SandboxTransaction.objects.create(
        kind="charge",
        reference="P-UNKNOWN",
        provider_id="SBX-X",
        amount=Decimal("20.00"),
        at=started_order.paid_at,
    )
    report = services.reconciliation_run(day=DAY)
    problems = {(row["reference"], row["problem"]) for row in report.discrepancies}
    assert problems == {(started_order.reference, "amount_mismatch"), ("P-UNKNOWN", "missing_in_ledger")}
    # Run again after the provider corrected its statement: the day's report is replaced.
    SandboxTransaction.objects.filter(reference="P-UNKNOWN").delete()
    SandboxTransaction.objects.filter(reference=started_order.reference).delete()
    report = services.reconciliation_run(day=DAY)
    assert [row["problem"] for row in report.discrepancies] == ["missing_at_provider"]


def test_a_second_payment_of_the_same_fee_is_refunded(fee, citizen, django_capture_on_commit_callbacks):
    first, _ = services.payment_order_create(actor=citizen, fee=fee)
    second, _ = services.payment_order_create(actor=citizen, fee=fee)
    first = services.payment_order_start(order=first, actor=citizen)
    second = services.payment_order_start(order=second, actor=citizen)
    services.sandbox_pay(order=first, succeed=True)
    second.refresh_from_db()
    assert second.state == PaymentState.CANCELLED  # no longer payable once the fee is paid
    assert LedgerEntry.objects.filter(kind=LedgerKind.CHARGE).count() == 1
