"""Refunds (退费), full or partial, in the GOV.UK refund states: submitted → success / error."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.db import transaction

from onewindow.cases.models import EventAction
from onewindow.cases.services._common import staff_check
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.services import audit_record
from onewindow.organisations.models import Role
from onewindow.payments.models import (
    FeeStatus,
    LedgerEntry,
    LedgerKind,
    PaymentOrder,
    PaymentState,
    Refund,
    RefundState,
    SandboxTransaction,
)
from onewindow.payments.providers import ProviderNotification, SandboxPaymentProvider
from onewindow.payments.services._common import (
    amount_parse,
    case_event_add,
    provider,
    reference_new,
    yuan_text,
)

# A refund returns public money: the department's decision makers order it.
REFUND_ROLES = (Role.APPROVER, Role.HEAD, Role.DEPARTMENT_ADMIN)


@transaction.atomic
def refund_create(*, actor: Any | None, order: PaymentOrder, amount: Any, reason: str) -> Refund:
    """Refund ``amount`` (the whole remainder when None) of a successful payment; ``actor`` None is the
    platform itself (a duplicate payment)."""
    order = (
        PaymentOrder.objects.select_for_update(of=("self",))
        .select_related("fee__case__department")
        .get(pk=order.pk)
    )
    if actor is not None:
        staff_check(actor, order.fee.case, REFUND_ROLES, "办理退费")
    if order.state != PaymentState.SUCCESS:
        raise DomainError(code="refund.not_paid", message="只有支付成功的订单才能退费。", status=409)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(code="refund.reason_required", message="请写明退费理由。")
    remaining = order.refundable
    value = remaining if amount in (None, "") else amount_parse(amount)
    if value > remaining:
        raise DomainError(
            code="refund.too_large", message=f"退费金额不能超过可退金额 {yuan_text(remaining)}。", status=400
        )
    if value <= 0:
        raise DomainError(code="refund.nothing_left", message="该订单已全额退费。", status=409)
    refund = Refund.objects.create(
        order=order, reference=reference_new("R"), amount=value, reason=reason, requested_by=actor
    )
    active = provider()
    refund.provider_id = active.refund(
        reference=order.reference, refund_reference=refund.reference, amount=value, total=order.amount
    )
    refund.save(update_fields=["provider_id", "updated_at"])
    audit_record(
        actor=actor, action="refund.create", target=refund, changes={"amount": str(value), "reason": reason}
    )
    if isinstance(active, SandboxPaymentProvider):
        # The sandbox pays refunds at once: it books them and sends its notice after this commits.
        transaction.on_commit(lambda: _sandbox_refund_settle(refund.pk))
    return refund


def _sandbox_refund_settle(refund_id: Any) -> None:
    from onewindow.payments.services.orders import payment_notice_handle  # (orders import refunds)

    active = provider()
    assert isinstance(active, SandboxPaymentProvider)
    refund = Refund.objects.select_related("order").get(pk=refund_id)
    SandboxTransaction.objects.create(
        kind=LedgerKind.REFUND,
        reference=refund.reference,
        provider_id=refund.provider_id,
        amount=refund.amount,
        at=clock.now(),
    )
    headers, body = active.notice(
        {
            "id": f"N{secrets.token_hex(10)}",
            "kind": "refund",
            "reference": refund.order.reference,
            "refund_reference": refund.reference,
            "state": RefundState.SUCCESS,
            "provider_id": refund.provider_id,
            "amount": str(refund.amount),
        }
    )
    payment_notice_handle(provider_name=active.name, headers=headers, body=body)


def refund_notice_apply(notification: ProviderNotification) -> tuple[PaymentOrder | None, bool]:
    """A provider's word on a refund; like payments, a finished refund never changes again."""
    refund = (
        Refund.objects.select_for_update(of=("self",))
        .select_related("order__fee__case")
        .filter(reference=notification.refund_reference)
        .first()
    )
    if refund is None:
        return None, False
    if refund.state != RefundState.SUBMITTED or notification.state == RefundState.SUBMITTED:
        return refund.order, False
    refund.state = RefundState(notification.state)
    refund.settled_at = clock.now()
    refund.save(update_fields=["state", "settled_at", "updated_at"])
    audit_record(actor=None, action=f"refund.{refund.state}", target=refund)
    if refund.state == RefundState.SUCCESS:
        LedgerEntry.objects.create(
            kind=LedgerKind.REFUND,
            order=refund.order,
            refund=refund,
            reference=refund.reference,
            provider=refund.order.provider,
            amount=refund.amount,
            at=refund.settled_at,
        )
        fee = refund.order.fee
        refunded = sum(
            (r.amount for r in refund.order.refunds.filter(state=RefundState.SUCCESS)), Decimal("0")
        )
        # The fee is refunded when the payment that settled it went back in full (not a duplicate's refund).
        if (
            refunded >= refund.order.amount
            and fee.status == FeeStatus.PAID
            and not _other_success(refund.order)
        ):
            fee.status = FeeStatus.REFUNDED
            fee.save(update_fields=["status", "updated_at"])
        case_event_add(
            case=fee.case,
            action=EventAction.FEE_REFUNDED,
            actor=None,
            note=f"已退费 {yuan_text(refund.amount)}（{refund.reason}）。",
        )
    return refund.order, True


def _other_success(order: PaymentOrder) -> bool:
    return (
        PaymentOrder.objects.filter(fee_id=order.fee_id, state=PaymentState.SUCCESS)
        .exclude(pk=order.pk)
        .exists()
    )
