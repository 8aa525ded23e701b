"""What the payment services share: the provider, the timeline entry on the case, number drawing."""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.tasks import case_notify
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.plugins import plugin
from onewindow.core.queue import enqueue_in_transaction
from onewindow.payments.providers import PaymentProvider

CENT = Decimal("0.01")


def provider() -> PaymentProvider:
    active: PaymentProvider = plugin("payment_provider")
    return active


def case_event_add(
    *, case: Case, action: str, actor: Any | None, note: str, public: bool = True
) -> CaseEvent:
    """A timeline entry that does not change the case's status (fees happen alongside its handling); the
    applicant is told on every channel, queued with this transaction."""
    event = CaseEvent.objects.create(
        case=case,
        action=action,
        from_status=case.status,
        to_status=case.status,
        department_id=case.department_id,
        actor=actor,
        at=clock.now(),
        note=note,
        public=public,
    )
    enqueue_in_transaction(case_notify, case_id=str(case.pk), event=action, case_event_id=str(event.pk))
    return event


def reference_new(prefix: str) -> str:
    """An order or refund number: prefix, the local time to the second, six random digits (32 at most)."""
    return f"{prefix}{clock.now():%Y%m%d%H%M%S}{secrets.randbelow(10**6):06d}"


def amount_parse(value: Any, *, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError) as error:
        raise DomainError(
            code="payment.amount_invalid", message="金额应为以元为单位的数字，如 10.00。"
        ) from error
    if amount <= 0:
        raise DomainError(code="payment.amount_invalid", message="金额必须大于零。")
    return amount


def yuan_text(amount: Decimal) -> str:
    return f"{amount.quantize(CENT)} 元"
