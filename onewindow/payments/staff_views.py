"""The workbench's payment pages: orders of the department's cases with their refunds, a case's fee with
the waiver form, and the platform's daily reconciliation reports."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.view_helpers import refusals_as_http
from onewindow.organisations.selectors import staff_is_platform_admin
from onewindow.payments import selectors, services
from onewindow.payments.models import PaymentState

ORDERS_PER_PAGE = 30
FEES_DUE_SHOWN = 50


@login_required
@require_safe
def order_list(request: HttpRequest) -> HttpResponse:
    """缴费订单: the department's orders, newest first, by state or by order / case number."""
    state = request.GET.get("state", "")
    search = request.GET.get("q", "").strip()[:40]
    with refusals_as_http():
        orders = selectors.payment_orders_for_staff(
            user=request.user, state=state if state in PaymentState.values else "", search=search
        )
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/staff/order_list.html",
        {
            "page": page,
            "states": PaymentState.choices,
            "state": state,
            "q": search,
            "is_platform_admin_view": staff_is_platform_admin(user=request.user),
            "fees_due": list(selectors.fees_due_for_staff(user=request.user)[:FEES_DUE_SHOWN]),
        },
    )


@login_required
@require_safe
def order_detail(request: HttpRequest, reference: str) -> HttpResponse:
    with refusals_as_http():
        order = selectors.payment_order_get_for_staff(user=request.user, reference=reference)
    return render(
        request,
        "payments/staff/order_detail.html",
        {"order": order, "case": order.fee.case, "notices": list(order.notices.all()[:20])},
    )


@login_required
@require_POST
def refund_create(request: HttpRequest, reference: str) -> HttpResponse:
    with refusals_as_http():
        order = selectors.payment_order_get_for_staff(user=request.user, reference=reference)
    try:
        refund = services.refund_create(
            actor=request.user,
            order=order,
            amount=request.POST.get("amount", "").strip() or None,
            reason=request.POST.get("reason", ""),
        )
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"已提交退费 {refund.amount} 元（{refund.reference}）。")
    return redirect("payments_staff:order", reference)


@login_required
@require_safe
def case_fee(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """A case's fee as the department sees it: lines, waivers, orders, and the waiver form."""
    with refusals_as_http():
        fee = selectors.case_fee_for_staff(user=request.user, case_id=case_id)
    if fee is None:
        messages.info(request, "该办件无需缴费。")
        return redirect("cases_staff:case_detail", case_id)
    return render(
        request,
        "payments/staff/case_fee.html",
        {"fee": fee, "case": fee.case, "orders": list(fee.orders.all()), "waivers": list(fee.waivers.all())},
    )


@login_required
@require_POST
def fee_waive(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        fee = selectors.case_fee_for_staff(user=request.user, case_id=case_id)
    if fee is None:
        return redirect("cases_staff:case_detail", case_id)
    try:
        services.fee_waive(
            fee=fee,
            actor=request.user,
            code=request.POST.get("code", ""),
            reason=request.POST.get("reason", ""),
            basis=request.POST.get("basis", ""),
            amount=request.POST.get("amount", "").strip() or None,
        )
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "已减免。")
    return redirect("payments_staff:case_fee", case_id)


@login_required
@require_safe
def reconciliation_list(request: HttpRequest) -> HttpResponse:
    """对账: one report per day, the days that disagree first in sight."""
    with refusals_as_http():
        reports = selectors.reconciliations_for_staff(user=request.user)
    page = Paginator(reports, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    yesterday = clock.today() - dt.timedelta(days=1)
    return render(request, "payments/staff/reconciliation_list.html", {"page": page, "yesterday": yesterday})


@login_required
@require_POST
def reconciliation_run(request: HttpRequest) -> HttpResponse:
    with refusals_as_http():
        selectors.reconciliations_for_staff(user=request.user)
    try:
        day = dt.date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        messages.error(request, "请选择要对账的日期。")
        return redirect("payments_staff:reconciliations")
    if day >= clock.today():
        messages.error(request, "只能对已经结束的日期对账（今天的账单要到明天才完整）。")
        return redirect("payments_staff:reconciliations")
    try:
        report = services.reconciliation_run(day=day, actor=request.user)
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect("payments_staff:reconciliations")
    return redirect("payments_staff:reconciliation", report.pk)


@login_required
@require_safe
def reconciliation_detail(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        report = selectors.reconciliation_get_for_staff(user=request.user, report_id=report_id)
    return render(request, "payments/staff/reconciliation_detail.html", {"report": report})
