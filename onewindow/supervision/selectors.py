"""E-supervision reads, scoped by the acting user: a supervisor sees the departments of their region and
below, at their department's level or lower; a department's staff see the orders addressed to it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Count, Q, QuerySet

from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.selectors import case_search
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.organisations.models import Department, Region, Role
from onewindow.organisations.selectors import staff_is_platform_admin, staff_memberships
from onewindow.supervision.models import (
    Alert,
    AlertLevel,
    AlertStatus,
    OrderStatus,
    RuleVersion,
    SupervisionOrder,
)
from onewindow.workflow.models import OPEN_TASK_STATUSES, WorkTask


def _regions_under(region_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """The regions given and every region below them."""
    found, frontier = set(region_ids), set(region_ids)
    while frontier:
        frontier = set(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
        found |= frontier
    return found


def supervisor_is(*, user: Any) -> bool:
    return (
        staff_is_platform_admin(user=user)
        or staff_memberships(user=user).filter(role=Role.SUPERVISOR).exists()
    )


def supervised_departments(*, user: Any) -> QuerySet[Department]:
    """The departments a supervisor watches; none for anyone else."""
    if staff_is_platform_admin(user=user):
        return Department.objects.all()
    scope = Q(pk__in=[])
    for membership in staff_memberships(user=user).filter(role=Role.SUPERVISOR):
        own = membership.department
        scope |= Q(region_id__in=_regions_under({own.region_id}), level__gte=own.level)
    return Department.objects.filter(scope)


def supervisor_required(*, user: Any) -> None:
    if not supervisor_is(user=user):
        raise PermissionDenied("只有电子监察人员可以查看监察工作台。")


def alerts_for_supervisor(*, user: Any, status: str = "", level: str = "", kind: str = "") -> QuerySet[Alert]:
    supervisor_required(user=user)
    alerts = Alert.objects.filter(department__in=supervised_departments(user=user)).select_related(
        "department", "person", "rule_version"
    )
    if status:
        alerts = alerts.filter(status=status)
    if level:
        alerts = alerts.filter(level=level)
    if kind:
        alerts = alerts.filter(kind=kind)
    return alerts.order_by("-raised_at", "reference")


def alert_get_for_supervisor(*, user: Any, alert_id: uuid.UUID) -> Alert:
    alert = alerts_for_supervisor(user=user).filter(pk=alert_id).first()
    if alert is None:
        if Alert.objects.filter(pk=alert_id).exists():
            raise PermissionDenied("该预警不属于您监察的部门。")
        raise NotFound("未找到该预警。")
    return alert


def alert_departments(*, user: Any) -> QuerySet[Department]:
    """The departments whose alerts the user may read: those a supervisor watches, and the user's own (a
    department sees the alerts that name it, so it can act before an order comes). Anyone else is refused."""
    own = staff_memberships(user=user).values("department_id")
    if not supervisor_is(user=user):
        if not own.exists():
            raise PermissionDenied("只有电子监察人员和部门工作人员可以查看监察预警。")
        return Department.objects.filter(pk__in=own)
    return Department.objects.filter(Q(pk__in=supervised_departments(user=user).values("pk")) | Q(pk__in=own))


def alerts_visible(
    *,
    user: Any,
    status: str = "",
    level: str = "",
    kind: str = "",
    department_id: uuid.UUID | None = None,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
) -> QuerySet[Alert]:
    """The alerts of ``alert_departments``, newest first, with what a row shows preloaded (its order too)."""
    alerts = Alert.objects.filter(department__in=alert_departments(user=user)).select_related(
        "department", "person", "rule_version", "order"
    )
    for field, value in (
        ("status", status),
        ("level", level),
        ("kind", kind),
        ("department_id", department_id),
    ):
        if value:
            alerts = alerts.filter(**{field: value})
    if due_from is not None:
        alerts = alerts.filter(due_on__gte=due_from)
    if due_to is not None:
        alerts = alerts.filter(due_on__lte=due_to)
    return alerts.order_by("-raised_at", "reference")


def alert_get_visible(*, user: Any, alert_id: uuid.UUID) -> Alert:
    """One alert in ``alert_departments``; another department's is refused (403), an unknown id is 404."""
    alert = alerts_visible(user=user).filter(pk=alert_id).first()
    if alert is None:
        if Alert.objects.filter(pk=alert_id).exists():
            raise PermissionDenied("该预警不属于您监察或所在的部门。")
        raise NotFound("未找到该预警。")
    return alert


def cases_for_supervisor(*, user: Any, q: str = "") -> QuerySet[Case]:
    """Every case of the watched departments (read-only for the supervisor)."""
    supervisor_required(user=user)
    found = (
        Case.objects.filter(department__in=supervised_departments(user=user), bundle__isnull=True)
        .exclude(status=CaseStatus.DRAFT)
        .select_related("department", "item_version", "deadline")
        .order_by("-created_at")
    )
    if q.strip():
        found = found.filter(case_search(q.strip()))
    return found


def case_get_for_supervisor(*, user: Any, case_id: uuid.UUID) -> Case:
    """A watched case with its timeline; another region's or a higher level's case is refused (403)."""
    case = (
        Case.objects.filter(pk=case_id, bundle__isnull=True)
        .exclude(status=CaseStatus.DRAFT)
        .select_related("department", "item_version", "deadline", "delivery_deadline", "accepted_by")
        .prefetch_related("events__department")
        .first()
    )
    if case is None:
        raise NotFound("未找到该办件。")
    if not cases_for_supervisor(user=user).filter(pk=case.pk).exists():
        raise PermissionDenied("该办件不属于您监察的部门。")
    return case


def alert_counts(*, user: Any) -> dict[str, int]:
    """Open (not closed) alerts per level in the supervisor's scope."""
    rows = (
        alerts_for_supervisor(user=user)
        .exclude(status=AlertStatus.CLOSED)
        .order_by()
        .values("level")
        .annotate(n=Count("id"))
    )
    counts = {level: 0 for level in AlertLevel.values}
    counts.update({row["level"]: row["n"] for row in rows})
    return counts


def rule_versions(*, user: Any) -> QuerySet[RuleVersion]:
    supervisor_required(user=user)
    return RuleVersion.objects.select_related("created_by").order_by("-number")


def tasks_for_supervisor(*, user: Any) -> QuerySet[WorkTask]:
    supervisor_required(user=user)
    return (
        WorkTask.objects.filter(
            department__in=supervised_departments(user=user), status__in=OPEN_TASK_STATUSES
        )
        .select_related("case", "department", "assignee")
        .order_by("due_on")
    )


def orders_for_supervisor(*, user: Any) -> QuerySet[SupervisionOrder]:
    supervisor_required(user=user)
    return SupervisionOrder.objects.filter(department__in=supervised_departments(user=user)).select_related(
        "department", "alert", "issued_by", "replied_by"
    )


def orders_for_department_staff(*, user: Any) -> QuerySet[SupervisionOrder]:
    """The orders addressed to the departments the user works in."""
    departments = staff_memberships(user=user).values_list("department_id", flat=True)
    return SupervisionOrder.objects.filter(department_id__in=departments).select_related(
        "department", "alert", "issued_by", "replied_by"
    )


def order_get(*, user: Any, order_id: uuid.UUID) -> SupervisionOrder:
    """An order as its department's staff or a supervisor in scope sees it."""
    order = (
        SupervisionOrder.objects.select_related("department", "alert", "issued_by", "replied_by")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound("未找到该督办单。")
    in_department = staff_memberships(user=user).filter(department_id=order.department_id).exists()
    if not in_department and not (
        supervisor_is(user=user) and supervised_departments(user=user).filter(pk=order.department_id).exists()
    ):
        raise PermissionDenied("该督办单不是发给您所在部门的。")
    return order


def order_can_reply(*, user: Any, order: SupervisionOrder) -> bool:
    return order.status == OrderStatus.ISSUED and (
        staff_memberships(user=user).filter(department_id=order.department_id).exists()
    )


def orders_open_count(*, user: Any) -> int:
    return orders_for_department_staff(user=user).filter(status=OrderStatus.ISSUED).count()
