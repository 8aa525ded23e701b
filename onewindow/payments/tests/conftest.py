"""Payment fixtures: an item with a fee schedule (one waivable line), a case of it accepted at the window
(so its fee is due), and helpers to pay through the sandbox or to send the sandbox's notices by hand."""

from __future__ import annotations

import json
import secrets
from decimal import Decimal
from typing import Any

import pytest

from onewindow.cases.tests.factories import case_in_state, case_item
from onewindow.core.plugins import plugin
from onewindow.organisations.models import Role
from onewindow.payments import services
from onewindow.payments.models import CaseFee, PaymentOrder
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def fee_item(department_a):
    item = case_item(department=department_a, name="普通护照签发")
    services.fee_item_upsert(
        actor=None,
        item=item,
        code="103001",
        name="护照工本费",
        amount="120",
        payee=department_a.name,
        basis="发改价格〔2019〕914号",
        waivable=False,
    )
    services.fee_item_upsert(
        actor=None,
        item=item,
        code="103002",
        name="加急费",
        amount="30",
        payee=department_a.name,
        basis="闽价〔2020〕1号",
        waivable=True,
        position=1,
    )
    return item


@pytest.fixture
def approver_a(department_a):
    return MembershipFactory(
        user=UserFactory(username="approver_a", is_staff=True), department=department_a, role=Role.APPROVER
    ).user


@pytest.fixture
def accepted_case(citizen, fee_item, clerk_a, at):
    return case_in_state("accepted", user=citizen, item=fee_item, clerk=clerk_a)


@pytest.fixture
def fee(accepted_case) -> CaseFee:
    return CaseFee.objects.get(case=accepted_case)


@pytest.fixture
def started_order(fee, citizen) -> PaymentOrder:
    order, _ = services.payment_order_create(actor=citizen, fee=fee)
    return services.payment_order_start(order=order, actor=citizen)


def sandbox_notice(
    order: PaymentOrder, state: str, *, notice_id: str = "", **extra: Any
) -> tuple[dict, bytes]:
    """A genuine sandbox notice for ``order`` (headers, body), as the sandbox provider signs them."""
    payload = {
        "id": notice_id or f"N{secrets.token_hex(6)}",
        "kind": "payment",
        "reference": order.reference,
        "state": state,
        "provider_id": "SBX-TEST",
        "amount": str(extra.pop("amount", order.amount)),
        **extra,
    }
    return plugin("payment_provider").notice(payload)


def notice_send(headers: dict, body: bytes):
    return services.payment_notice_handle(provider_name="sandbox", headers=headers, body=body)


def body_of(payload: dict) -> bytes:
    return json.dumps(payload).encode()


AMOUNT = Decimal("150.00")
