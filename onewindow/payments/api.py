"""Payments over the API: create a payment order for a case's fee (Idempotency-Key honoured, as GOV.UK Pay:
the same key with the same body returns the first order, with a different body 422), read it, cancel it.
The applicant's cases only (another's is 404). Provider notices arrive at ``/payments/notify/<provider>/``."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema
from ninja.params import HeaderEx, P
from ninja.responses import Status

from onewindow.cases.api_shapes import AUTH, ERRORS
from onewindow.core.errors import DomainError
from onewindow.payments import selectors, services
from onewindow.payments.models import PaymentOrder

router = Router(tags=["payments"])
IdempotencyKeyHeader = HeaderEx[
    str | None,
    P(
        alias="Idempotency-Key",
        max_length=100,
        description="the same key with the same body returns the first order; with another body: 422",
    ),
]


class OrderCreateIn(Schema):
    case_id: uuid.UUID
    # The amount the payer was shown; refused (409 payment.amount_changed) when the amount due differs.
    amount: Decimal | None = None


class OrderOut(Schema):
    reference: str
    case_id: uuid.UUID
    amount: Decimal
    description: str
    state: str
    finished: bool
    failure_code: str
    created_at: dt.datetime
    expires_at: dt.datetime
    paid_at: dt.datetime | None
    next_url: str  # where the payer goes to pay (our order page, which leads to the provider)
    receipt_url: str


def _out(order: PaymentOrder) -> dict[str, Any]:
    return {
        "reference": order.reference,
        "case_id": order.fee.case_id,
        "amount": order.amount,
        "description": order.description,
        "state": order.state,
        "finished": order.finished,
        "failure_code": order.failure_code,
        "created_at": order.created_at,
        "expires_at": order.expires_at,
        "paid_at": order.paid_at,
        "next_url": "" if order.finished else reverse("payments:order", args=[order.reference]),
        "receipt_url": reverse("payments:receipt", args=[order.reference]) if order.receipt_number else "",
    }


@router.post(
    "/payments/orders",
    auth=AUTH,
    throttle=[],
    response={200: OrderOut, 201: OrderOut, **ERRORS},
    summary="Create a payment order for a case's fee (Idempotency-Key honoured)",
)
def order_create(
    request: HttpRequest, payload: OrderCreateIn, idempotency_key: IdempotencyKeyHeader = None
) -> Status:
    fee = selectors.case_fee_for_applicant(user=request.user, case_id=payload.case_id)
    if fee is None:
        raise DomainError(code="payment.no_fee", message="该办件无需缴费。", status=409)
    order, created = services.payment_order_create(
        actor=request.user, fee=fee, amount=payload.amount, idempotency_key=idempotency_key or ""
    )
    return Status(201 if created else 200, _out(order))


@router.get(
    "/payments/orders/{reference}", auth=AUTH, response={200: OrderOut, **ERRORS}, summary="A payment order"
)
def order_get(request: HttpRequest, reference: str) -> dict[str, Any]:
    return _out(selectors.payment_order_get_for_applicant(user=request.user, reference=reference))


@router.post(
    "/payments/orders/{reference}/cancel",
    auth=AUTH,
    throttle=[],
    response={200: OrderOut, **ERRORS},
    summary="Cancel an unfinished payment order",
)
def order_cancel(request: HttpRequest, reference: str) -> dict[str, Any]:
    order = selectors.payment_order_get_for_applicant(user=request.user, reference=reference)
    return _out(services.payment_order_cancel(order=order, actor=request.user))
