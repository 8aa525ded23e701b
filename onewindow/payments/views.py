"""The applicant's payment pages: what is due on a case (shown on the case page), starting a payment, the
sandbox provider's cashier, the result, the receipt PDF; and the provider notice endpoint."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from onewindow.cases.models import Case
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.qr import qr_svg
from onewindow.core.view_helpers import refusals_as_http
from onewindow.payments import selectors, services
from onewindow.payments.models import CaseFee, PaymentState
from onewindow.payments.receipts import receipt_filename, receipt_pdf
from onewindow.payments.services.orders import PAYABLE_STATES


def case_payment_section(*, case: Case, request: HttpRequest) -> str:
    """The "fees" section of the applicant's case page (cases.hooks.case_section_register)."""
    fee = CaseFee.objects.filter(case=case).prefetch_related("waivers", "orders").first()
    if fee is None:
        return ""
    return render_to_string(
        "payments/_case_section.html",
        {"fee": fee, "orders": list(fee.orders.all()[:5]), "case": case},
        request=request,
    )


@login_required
@require_safe
def case_fee(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """缴费: what the case owes, line by line with waivers, its orders and receipts, and the pay button."""
    with refusals_as_http():
        fee = selectors.case_fee_for_applicant(user=request.user, case_id=case_id)
    if fee is None:
        return redirect("cases:case", case_id)
    return render(
        request,
        "payments/case_fee.html",
        {
            "fee": fee,
            "case": fee.case,
            "orders": list(fee.orders.prefetch_related("refunds").all()),
            "waivers": list(fee.waivers.all()),
            "idempotency_key": uuid.uuid4().hex,
        },
    )


@login_required
@require_POST
def order_create(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Start paying: an order for the amount due (the form's key makes a double click one order)."""
    with refusals_as_http():
        fee = selectors.case_fee_for_applicant(user=request.user, case_id=case_id)
    if fee is None:
        return redirect("cases:case", case_id)
    try:
        order, _ = services.payment_order_create(
            actor=request.user, fee=fee, idempotency_key=request.POST.get("idempotency_key", "")
        )
        order = services.payment_order_start(order=order, actor=request.user)
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect("payments:case_fee", case_id)
    return redirect("payments:order", order.reference)


@login_required
@require_safe
def order_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One order: go on to the provider's cashier (or scan its code), or see how it ended."""
    with refusals_as_http():
        order = selectors.payment_order_get_for_applicant(user=request.user, reference=reference)
    if (
        order.state == PaymentState.STARTED
        and order.checkout_url.startswith("/")
        and "result" not in request.GET
    ):
        return redirect(order.checkout_url)
    qr = order.checkout_url if order.checkout_url and not order.checkout_url.startswith("/") else ""
    return render(
        request,
        "payments/order.html",
        {
            "order": order,
            "case": order.fee.case,
            "qr": mark_safe(qr_svg(qr)) if qr and not order.finished else "",  # noqa: S308 (segno SVG)
            "expired": order.is_expired(clock.now()),
        },
    )


@login_required
@require_POST
def order_cancel(request: HttpRequest, reference: str) -> HttpResponse:
    with refusals_as_http():
        order = selectors.payment_order_get_for_applicant(user=request.user, reference=reference)
    try:
        services.payment_order_cancel(order=order, actor=request.user)
    except DomainError as refused:
        messages.error(request, refused.message)
    return redirect("payments:case_fee", order.fee.case_id)


@login_required
@require_safe
def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    """The 财政电子票据 of a successful payment, as a PDF."""
    with refusals_as_http():
        order = selectors.payment_order_get_for_applicant(user=request.user, reference=reference)
    if not order.receipt_number:
        messages.error(request, "该订单尚未支付成功，没有缴费票据。")
        return redirect("payments:case_fee", order.fee.case_id)
    response = HttpResponse(receipt_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{receipt_filename(order)}"
    return response


# --- the sandbox provider's cashier (it stands in for the provider's own page) ----------------------------


@login_required
def sandbox_cashier(request: HttpRequest, reference: str) -> HttpResponse:
    """沙箱收银台: pays or fails the order, as a provider's page would, then returns to the order."""
    with refusals_as_http():
        order = selectors.payment_order_get_for_applicant(user=request.user, reference=reference)
    if request.method == "POST":
        try:
            services.sandbox_pay(order=order, succeed=request.POST.get("outcome") == "pay")
        except DomainError as refused:
            messages.error(request, refused.message)
        return redirect(reverse("payments:order", args=[reference]) + "?result=1")
    return render(
        request,
        "payments/sandbox_cashier.html",
        {"order": order, "expired": order.is_expired(clock.now()), "payable": order.state in PAYABLE_STATES},
    )


@csrf_exempt
@require_POST
def provider_notify(request: HttpRequest, provider_name: str) -> HttpResponse:
    """The provider's notice (回调). WeChat Pay wants 200/204 for "received" and a 4xx/5xx with
    ``{"code": "FAIL", "message": …}`` otherwise, after which it sends the notice again."""
    headers = {key: str(value) for key, value in request.headers.items()}
    try:
        services.payment_notice_handle(provider_name=provider_name, headers=headers, body=request.body)
    except DomainError as refused:
        return JsonResponse({"code": "FAIL", "message": refused.message}, status=refused.status)
    return HttpResponse(status=204)
