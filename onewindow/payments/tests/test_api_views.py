"""The API's Idempotency-Key semantics and the pages: the case page says 待缴费, the sandbox cashier pays,
the receipt is a PDF; staff pages are scoped to the department."""

from __future__ import annotations

import pytest

from onewindow.payments import services
from onewindow.payments.models import PaymentOrder, PaymentState

pytestmark = pytest.mark.django_db
URL = "/api/v1/payments/orders"


def test_create_with_an_idempotency_key(client_as, citizen, accepted_case):
    client = client_as(citizen)
    body = {"case_id": str(accepted_case.pk), "amount": "150.00"}
    first = client.post(URL, body, content_type="application/json", headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201
    again = client.post(URL, body, content_type="application/json", headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 200 and again.json()["reference"] == first.json()["reference"]
    other = client.post(
        URL, body | {"amount": "1.00"}, content_type="application/json", headers={"Idempotency-Key": "k-1"}
    )
    assert other.status_code == 422 and other.json()["code"] == "payment.idempotency_key_reused"
    assert PaymentOrder.objects.count() == 1
    order = first.json()
    assert order["state"] == "created" and order["finished"] is False and order["next_url"]


def test_a_stale_amount_is_refused_and_nothing_written(client_as, citizen, accepted_case):
    response = client_as(citizen).post(
        URL, {"case_id": str(accepted_case.pk), "amount": "99"}, content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["code"] == "payment.amount_changed"
    assert not PaymentOrder.objects.exists()


def test_another_citizen_s_case_is_not_found(client_as, another_citizen, accepted_case):
    response = client_as(another_citizen).post(
        URL, {"case_id": str(accepted_case.pk)}, content_type="application/json"
    )
    assert response.status_code == 404 and not PaymentOrder.objects.exists()


def test_the_pay_journey_through_the_pages(client_as, citizen, accepted_case):
    client = client_as(citizen)
    page = client.get(f"/cases/{accepted_case.pk}/").content.decode()
    assert "待缴费" in page and f"/payments/cases/{accepted_case.pk}/" in page
    response = client.post(f"/payments/cases/{accepted_case.pk}/orders/", {"idempotency_key": "form-1"})
    order = PaymentOrder.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/payments/orders/{order.reference}/"
    )
    cashier = client.get(response["Location"])
    assert cashier.status_code == 302 and "/sandbox/cashier/" in cashier["Location"]
    assert "沙箱收银台" in client.get(cashier["Location"]).content.decode()
    client.post(cashier["Location"], {"outcome": "pay"})
    order.refresh_from_db()
    assert order.state == PaymentState.SUCCESS
    receipt = client.get(f"/payments/orders/{order.reference}/receipt.pdf")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF")
    assert "已缴费" in client.get(f"/cases/{accepted_case.pk}/").content.decode()


def test_another_citizen_cannot_see_an_order_or_its_receipt(client_as, another_citizen, started_order):
    client = client_as(another_citizen)
    assert client.get(f"/payments/orders/{started_order.reference}/").status_code == 404
    assert client.get(f"/payments/orders/{started_order.reference}/receipt.pdf").status_code == 404


def test_staff_see_their_department_s_orders_only(
    client_as, clerk_a, clerk_b, citizen, fee, started_order, django_assert_max_num_queries
):
    for _ in range(6):  # the page's queries do not grow with the orders listed
        services.payment_order_create(actor=citizen, fee=fee)
    with django_assert_max_num_queries(40):  # fixed whatever the orders (menus and caches vary by a few)
        listing = client_as(clerk_a).get("/workbench/payments/")
    assert started_order.reference in listing.content.decode()
    assert f"/workbench/payments/cases/{fee.case_id}/" in listing.content.decode()  # awaiting payment
    assert started_order.reference not in client_as(clerk_b).get("/workbench/payments/").content.decode()
    assert client_as(clerk_b).get(f"/workbench/payments/orders/{started_order.reference}/").status_code == 403


def test_reconciliation_pages_are_for_platform_administrators(
    client_as, platform_admin, clerk_a, started_order
):
    assert client_as(clerk_a).get("/workbench/payments/reconciliation/").status_code == 403
    client = client_as(platform_admin)
    response = client.post("/workbench/payments/reconciliation/run/", {"day": "2026-09-28"})
    assert response.status_code == 302
    assert "2026-09-28" in client.get(response["Location"]).content.decode()


def test_an_approver_waives_a_fee_through_the_page(client_as, approver_a, fee):
    client = client_as(approver_a)
    assert "减免费用" in client.get(f"/workbench/payments/cases/{fee.case_id}/").content.decode()
    response = client.post(
        f"/workbench/payments/cases/{fee.case_id}/waivers/",
        {"code": "103002", "reason": "最低生活保障对象", "basis": "闽价〔2020〕1号"},
    )
    assert response.status_code == 302
    fee.refresh_from_db()
    assert str(fee.amount_due) == "120.00"
    refused = client.post(
        f"/workbench/payments/cases/{fee.case_id}/waivers/", {"code": "103001", "reason": "x", "basis": "y"}
    )
    assert "不可减免" in client.get(refused["Location"]).content.decode()
