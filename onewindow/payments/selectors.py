"""Payment reads, scoped by who asks: an applicant sees the orders of their own cases (another's is a 404),
staff those of their departments' cases (another department's is a 403), platform administrators all."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from onewindow.cases.selectors import case_get_for_applicant, case_get_for_staff
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.organisations.selectors import staff_is_platform_admin, staff_memberships
from onewindow.payments.models import CaseFee, FeeStatus, PaymentOrder, Reconciliation


def case_fee_for_applicant(*, user: Any, case_id: Any) -> CaseFee | None:
    """The fee of one of the user's cases (None when it has none); another person's case is a 404."""
    case = case_get_for_applicant(user=user, case_id=case_id)
    return CaseFee.objects.filter(case=case).select_related("case__item_version", "case__department").first()


def case_fee_for_staff(*, user: Any, case_id: Any) -> CaseFee | None:
    case = case_get_for_staff(user=user, case_id=case_id)
    return CaseFee.objects.filter(case=case).select_related("case__item_version", "case__department").first()


def _orders() -> QuerySet[PaymentOrder]:
    return PaymentOrder.objects.select_related(
        "fee__case__item_version", "fee__case__department", "fee__case__applicant"
    ).prefetch_related("refunds")


def payment_order_get_for_applicant(*, user: Any, reference: str) -> PaymentOrder:
    order = _orders().filter(reference=reference).first()
    if order is None:
        raise NotFound()
    # The case selector decides (the applicant, their authorised agent, their company's agent).
    case_get_for_applicant(user=user, case_id=order.fee.case_id)
    return order


def payment_order_get_for_staff(*, user: Any, reference: str) -> PaymentOrder:
    order = _orders().filter(reference=reference).first()
    if order is None:
        raise NotFound()
    if not staff_is_platform_admin(user=user):
        case_get_for_staff(user=user, case_id=order.fee.case_id)
    return order


def payment_orders_for_staff(*, user: Any, state: str = "", search: str = "") -> QuerySet[PaymentOrder]:
    """Orders of the departments the user works in (every order for platform administrators), newest first."""
    orders = _orders()
    if not staff_is_platform_admin(user=user):
        departments = list(staff_memberships(user=user).values_list("department_id", flat=True))
        if not departments:
            raise PermissionDenied("只有部门工作人员可以查看缴费订单。")
        orders = orders.filter(fee__case__department_id__in=departments)
    if state:
        orders = orders.filter(state=state)
    if search:
        orders = orders.filter(reference__icontains=search) | orders.filter(
            fee__case__number__icontains=search
        )
    return orders.order_by("-created_at")


def fees_due_for_staff(*, user: Any) -> QuerySet[CaseFee]:
    """Fees still awaiting payment on the cases of the user's departments (where a waiver is decided)."""
    fees = CaseFee.objects.filter(status=FeeStatus.DUE).select_related("case__item_version")
    if not staff_is_platform_admin(user=user):
        fees = fees.filter(case__department_id__in=staff_memberships(user=user).values("department_id"))
    return fees.order_by("assessed_at")


def reconciliations_for_staff(*, user: Any) -> QuerySet[Reconciliation]:
    """The platform's reconciliation reports: the ledger is the platform's, so its administrators see them."""
    if not staff_is_platform_admin(user=user):
        raise PermissionDenied("只有平台管理员可以查看对账报告。")
    return Reconciliation.objects.all()


def reconciliation_get_for_staff(*, user: Any, report_id: Any) -> Reconciliation:
    report = reconciliations_for_staff(user=user).filter(pk=report_id).first()
    if report is None:
        raise NotFound()
    return report
