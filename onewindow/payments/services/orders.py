"""Payment orders in the GOV.UK Pay states: idempotent creation, the provider's checkout, expiry after 90
minutes, and the provider's notices — authenticated, recorded once, applied only forward (a late "not paid"
after "success" never downgrades a finished order)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from onewindow.cases.models import EventAction
from onewindow.core import clock, crypto
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.hashing import canonical_json, sm3_hex
from onewindow.core.services import audit_record
from onewindow.payments.models import (
    FINISHED_STATES,
    STATE_RANK,
    CaseFee,
    FeeStatus,
    LedgerEntry,
    LedgerKind,
    PaymentOrder,
    PaymentState,
    ProviderNotice,
    ReceiptCounter,
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

# GOV.UK Pay: a payment not finished within 90 minutes expires (error code P0020).
ORDER_LIFETIME = dt.timedelta(minutes=90)
EXPIRED_CODE = "P0020"
CANCELLED_CODE = "P0040"
PAYABLE_STATES = frozenset({PaymentState.CREATED, PaymentState.STARTED, PaymentState.SUBMITTED})


def _order_expire(order: PaymentOrder) -> None:
    order.state, order.finished = PaymentState.FAILED, True
    order.failure_code, order.failure_message = EXPIRED_CODE, "支付超时，订单已过期"
    order.save(update_fields=["state", "finished", "failure_code", "failure_message", "updated_at"])
    audit_record(actor=None, action="payment_order.expire", target=order)


def _expired_refusal() -> DomainError:
    return DomainError(
        code="payment.order_expired",
        message="该支付订单已超过 90 分钟有效期，不能再支付。请返回办件页面重新发起缴费。",
        status=409,
    )


@transaction.atomic
def payment_order_create(
    *, actor: Any, fee: CaseFee, amount: Any = None, idempotency_key: str = ""
) -> tuple[PaymentOrder, bool]:
    """Open an order for what the case still owes; (order, created). The same ``idempotency_key`` with the
    same request answers with the first order; with a different request it is refused (422)."""
    key = (idempotency_key or "").strip()[:100]
    request_hash = crypto.lookup_hash(
        canonical_json({"case": str(fee.case_id), "amount": str(amount or "")}),
        purpose="payments.idempotency",
    )
    if key:
        earlier = PaymentOrder.objects.filter(created_by=actor, idempotency_key=key).first()
        if earlier is not None:
            if earlier.request_hash != request_hash:
                raise DomainError(
                    code="payment.idempotency_key_reused",
                    message="该 Idempotency-Key 已用于另一笔不同内容的缴费请求，请换一个新的键。",
                    status=422,
                )
            return earlier, False
    fee = CaseFee.objects.select_for_update(of=("self",)).select_related("case").get(pk=fee.pk)
    if fee.status != FeeStatus.DUE:
        raise DomainError(
            code="payment.fee_settled", message="该办件的费用已缴清或已减免，无需再缴费。", status=409
        )
    if amount not in (None, "") and amount_parse(amount) != fee.amount_due:
        raise DomainError(
            code="payment.amount_changed",
            message=f"应缴金额已变为 {yuan_text(fee.amount_due)}，请确认后重新发起缴费。",
            status=409,
        )
    now = clock.now()
    try:
        with transaction.atomic():
            order = PaymentOrder.objects.create(
                reference=reference_new("P"),
                fee=fee,
                amount=fee.amount_due,
                description=f"{fee.case.item_version.name} 办件缴费"[:200],
                provider=provider().name,
                created_by=actor,
                expires_at=now + ORDER_LIFETIME,
                idempotency_key=key,
                request_hash=request_hash,
            )
    except IntegrityError:
        # A concurrent retry with the same key committed first: answer with its order.
        return PaymentOrder.objects.get(created_by=actor, idempotency_key=key), False
    audit_record(
        actor=actor, action="payment_order.create", target=order, changes={"amount": str(order.amount)}
    )
    return order, True


@transaction.atomic
def payment_order_start(*, order: PaymentOrder, actor: Any) -> PaymentOrder:
    """The payer goes to the provider: its checkout is opened (``checkout_url`` or a code to scan)."""
    order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    if order.is_expired(clock.now()):
        raise _expired_refusal()
    if order.finished:
        raise DomainError(
            code="payment.order_finished",
            message="该支付订单已结束，请返回办件页面查看缴费结果。",
            status=409,
        )
    if order.state == PaymentState.CREATED:
        checkout = provider().checkout(
            reference=order.reference,
            amount=order.amount,
            description=order.description,
            expires_at=order.expires_at,
        )
        order.checkout_url = checkout.url or checkout.qr_payload
        order.provider_id = checkout.provider_id
        order.state = PaymentState.STARTED
        order.save(update_fields=["checkout_url", "provider_id", "state", "updated_at"])
        audit_record(actor=actor, action="payment_order.start", target=order)
    return order


@transaction.atomic
def payment_order_cancel(*, order: PaymentOrder, actor: Any) -> PaymentOrder:
    """The payer gives up an unfinished order (GOV.UK "cancelled", P0040)."""
    order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    if order.finished:
        raise DomainError(code="payment.order_finished", message="该支付订单已结束，不能取消。", status=409)
    order.state, order.finished, order.failure_code = PaymentState.CANCELLED, True, CANCELLED_CODE
    order.failure_message = "缴费人取消了支付"
    order.save(update_fields=["state", "finished", "failure_code", "failure_message", "updated_at"])
    audit_record(actor=actor, action="payment_order.cancel", target=order)
    return order


def payment_orders_expire() -> int:
    """Every few minutes: unfinished orders older than 90 minutes fail as expired (P0020)."""
    count = 0
    for pk in PaymentOrder.objects.filter(finished=False, expires_at__lte=clock.now()).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            order = PaymentOrder.objects.select_for_update().get(pk=pk)
            if order.is_expired(clock.now()):
                _order_expire(order)
                count += 1
    return count


# --- provider notices -------------------------------------------------------------------------------------


def payment_notice_handle(*, provider_name: str, headers: dict[str, str], body: bytes) -> ProviderNotice:
    """Authenticate a provider's notice, record it once and apply it. Only database work happens here (no
    outgoing calls), so the provider gets its answer well within its 5-second limit; a duplicate answers
    with the notice recorded the first time."""
    active = provider()
    if active.name != provider_name:
        raise NotFound("没有这个支付渠道。")
    notification = active.notification_parse(headers=headers, body=body)
    return _notice_apply(provider_name=provider_name, notification=notification)


@transaction.atomic
def _notice_apply(*, provider_name: str, notification: ProviderNotification) -> ProviderNotice:
    try:
        with transaction.atomic():
            notice = ProviderNotice.objects.create(
                provider=provider_name,
                notice_id=notification.notice_id,
                kind=notification.kind,
                state=notification.state,
                received_at=clock.now(),
                summary=notification.summary,
            )
    except IntegrityError:
        return ProviderNotice.objects.get(provider=provider_name, notice_id=notification.notice_id)
    if notification.kind == "refund":
        from onewindow.payments.services.refunds import refund_notice_apply  # (refunds import orders)

        notice.order, notice.applied = refund_notice_apply(notification)
    else:
        notice.order, notice.applied = _payment_notice_apply(notification)
    notice.save(update_fields=["order", "applied", "updated_at"])
    return notice


def _payment_notice_apply(notification: ProviderNotification) -> tuple[PaymentOrder | None, bool]:
    order = (
        PaymentOrder.objects.select_for_update(of=("self",))
        .select_related("fee__case")
        .filter(reference=notification.reference)
        .first()
    )
    if order is None:
        return None, False  # unknown order: kept as a notice, and the reconciliation shows the money
    if order.finished:
        return order, False  # finished states are final: duplicates and late notices change nothing
    state = PaymentState(notification.state)
    if state not in FINISHED_STATES and STATE_RANK[state] <= STATE_RANK[PaymentState(order.state)]:
        return order, False  # out of order: an earlier step reported after a later one
    if (
        state == PaymentState.SUCCESS
        and notification.amount is not None
        and notification.amount != order.amount
    ):
        # The provider took another amount than the order's: nothing is booked, the reconciliation shows it.
        order.state, order.finished, order.failure_code = PaymentState.ERROR, True, "amount_mismatch"
        order.failure_message = f"支付渠道报告的金额 {notification.amount} 与订单金额不符"
        order.save(update_fields=["state", "finished", "failure_code", "failure_message", "updated_at"])
        audit_record(
            actor=None,
            action="payment_order.error",
            target=order,
            changes={"reported": str(notification.amount)},
        )
        return order, True
    order.state = state
    order.finished = state in FINISHED_STATES
    if notification.provider_id:
        order.provider_id = notification.provider_id
    fields = ["state", "finished", "provider_id", "updated_at"]
    if state == PaymentState.SUCCESS:
        _paid(order)
        fields += ["paid_at", "receipt_code", "receipt_number", "receipt_check", "receipt_issued_on"]
    elif state in FINISHED_STATES:
        order.failure_code = notification.failure_code or state
        order.failure_message = "支付未成功"
        fields += ["failure_code", "failure_message"]
    order.save(update_fields=fields)
    audit_record(actor=None, action=f"payment_order.{state}", target=order)
    return order, True


def _paid(order: PaymentOrder) -> None:
    now = clock.now()
    order.paid_at = now
    _receipt_draw(order, day=clock.today())
    LedgerEntry.objects.create(
        kind=LedgerKind.CHARGE,
        order=order,
        reference=order.reference,
        provider=order.provider,
        amount=order.amount,
        at=now,
    )
    fee = CaseFee.objects.select_for_update().get(pk=order.fee_id)
    if fee.status == FeeStatus.DUE:
        fee.status, fee.settled_at = FeeStatus.PAID, now
        fee.save(update_fields=["status", "settled_at", "updated_at"])
        # Any other open order of the fee can no longer be paid.
        PaymentOrder.objects.filter(fee=fee, finished=False).exclude(pk=order.pk).update(
            state=PaymentState.CANCELLED, finished=True, failure_code=CANCELLED_CODE
        )
        case_event_add(
            case=order.fee.case,
            action=EventAction.FEE_PAID,
            actor=None,
            note=f"已缴费 {yuan_text(order.amount)}（订单 {order.reference}，票据号码 {order.receipt_number}）。",
        )
    else:
        # Paid twice (two orders raced): the second payment goes back to the payer in full.
        transaction.on_commit(lambda: _duplicate_refund(order.pk))


def _duplicate_refund(order_id: Any) -> None:
    from onewindow.payments.services.refunds import refund_create  # (refunds import orders)

    refund_create(
        actor=None, order=PaymentOrder.objects.get(pk=order_id), amount=None, reason="重复缴费，全额退回"
    )


def _receipt_draw(order: PaymentOrder, *, day: dt.date) -> None:
    """票据代码 (8 digits, from settings), 票据号码 (10 digits, gapless per code and year), 校验码 (6)."""
    code = settings.ONEWINDOW_RECEIPT_CODE
    counter, _ = ReceiptCounter.objects.select_for_update().get_or_create(code=code, year=day.year)
    counter.last += 1
    counter.save(update_fields=["last"])
    number = f"{day.year % 100:02d}{counter.last:08d}"
    order.receipt_code, order.receipt_number, order.receipt_issued_on = code, number, day
    order.receipt_check = sm3_hex(f"{settings.SECRET_KEY}|{code}|{number}|{order.amount}|{day}")[:6].upper()


# --- the sandbox's cashier -------------------------------------------------------------------------------


def sandbox_pay(*, order: PaymentOrder, succeed: bool) -> ProviderNotice:
    """The sandbox cashier's button: the sandbox books the payment on its side, then sends its signed notice
    through the same path a real provider's takes."""
    active = provider()
    if not isinstance(active, SandboxPaymentProvider):
        raise NotFound("沙箱收银台只在沙箱支付渠道下可用。")
    with transaction.atomic():
        order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
        if order.is_expired(clock.now()):
            _order_expire(order)
            expired = True
        else:
            expired = False
        if not expired and order.state not in PAYABLE_STATES:
            raise DomainError(code="payment.order_finished", message="该订单已结束，不能再支付。", status=409)
        provider_id = f"SBX{secrets.token_hex(8).upper()}"
        if not expired and succeed:
            SandboxTransaction.objects.create(
                kind=LedgerKind.CHARGE,
                reference=order.reference,
                provider_id=provider_id,
                amount=order.amount,
                at=clock.now(),
            )
    if expired:
        raise _expired_refusal()
    headers, body = active.notice(
        {
            "id": f"N{secrets.token_hex(10)}",
            "kind": "payment",
            "reference": order.reference,
            "state": PaymentState.SUCCESS if succeed else PaymentState.FAILED,
            "provider_id": provider_id,
            "amount": str(order.amount),
            "failure_code": "" if succeed else "P0010",
        }
    )
    return payment_notice_handle(provider_name=active.name, headers=headers, body=body)
