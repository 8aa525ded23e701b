"""Postal delivery reads: the applicant's own parcels (through the case selector: another's case is a 404),
and the parcels of the staff member's departments (another department's is a 403)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from onewindow.cases.models import Case, CaseStatus, DeliveryMethod
from onewindow.cases.selectors import case_get_for_staff
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.delivery.models import Direction, Shipment
from onewindow.organisations.selectors import staff_is_platform_admin, staff_memberships


def shipments_for_staff(*, user: Any, direction: str = "") -> QuerySet[Shipment]:
    shipments = Shipment.objects.select_related("case__item_version", "case__department").order_by(
        "-created_at"
    )
    if not staff_is_platform_admin(user=user):
        departments = list(staff_memberships(user=user).values_list("department_id", flat=True))
        if not departments:
            raise PermissionDenied("只有部门工作人员可以查看邮件。")
        shipments = shipments.filter(case__department_id__in=departments)
    return shipments.filter(direction=direction) if direction else shipments


def shipment_get_for_staff(*, user: Any, shipment_id: Any) -> Shipment:
    shipment = Shipment.objects.select_related("case").filter(pk=shipment_id).first()
    if shipment is None:
        raise NotFound()
    case_get_for_staff(user=user, case_id=shipment.case_id)
    return shipment


def cases_awaiting_post(*, user: Any) -> QuerySet[Case]:
    """Concluded cases of the user's departments whose applicant chose post and whose result is not sent."""
    cases = Case.objects.filter(
        status=CaseStatus.CONCLUDED, delivery_method=DeliveryMethod.POST, bundle=None
    ).exclude(shipments__direction=Direction.OUTBOUND)
    if not staff_is_platform_admin(user=user):
        cases = cases.filter(department_id__in=staff_memberships(user=user).values("department_id"))
    return cases.select_related("item_version").order_by("concluded_at")
