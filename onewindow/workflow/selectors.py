"""Workflow reads: the inboxes, scoped to the departments and roles the asking staff member holds."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from onewindow.core import clock
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.organisations.selectors import staff_memberships
from onewindow.workflow.models import OPEN_TASK_STATUSES, TaskOpinion, TaskStatus, WorkTask

# "open", "overdue" and "due_soon" are inbox views over the open rows; the rest are TaskStatus values.
DUE_SOON_DAYS = 2


def _inbox(
    queryset: QuerySet[WorkTask], status: str | None, today: dt.date | None = None
) -> QuerySet[WorkTask]:
    today = today or clock.today()
    if status == "open":
        queryset = queryset.filter(status__in=OPEN_TASK_STATUSES)
    elif status == "overdue":
        queryset = queryset.filter(status__in=OPEN_TASK_STATUSES, due_on__lt=today)
    elif status == "due_soon":
        queryset = queryset.filter(
            status__in=OPEN_TASK_STATUSES,
            due_on__gte=today,
            due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS),
        )
    elif status:
        queryset = queryset.filter(status=TaskStatus(status))
    return queryset.select_related(
        "case__item_version", "case__applicant", "department", "assignee", "completed_by", "step"
    ).order_by("due_on", "opened_at")


def tasks_for_department(
    *, user: Any, status: str | None = None, department_id: uuid.UUID | str | None = None
) -> QuerySet[WorkTask]:
    """The tasks of the departments the user works in (any role): the department inbox and its load."""
    departments = set(staff_memberships(user=user).values_list("department_id", flat=True))
    if department_id is not None:
        if uuid.UUID(str(department_id)) not in departments:
            raise PermissionDenied("您不是该部门的工作人员，不能查看其待办。")
        departments = {uuid.UUID(str(department_id))}
    return _inbox(WorkTask.objects.filter(department_id__in=departments), status)


def tasks_for_user(*, user: Any, status: str | None = None) -> QuerySet[WorkTask]:
    """A staff member's inbox: the tasks assigned to them, and the unclaimed ones their department roles may take."""
    roles = Q()
    for department_id, role in staff_memberships(user=user).values_list("department_id", "role"):
        roles |= Q(department_id=department_id, role=role)
    scope = Q(assignee_id=user.pk)
    if roles:
        scope |= Q(status=TaskStatus.READY, assignee__isnull=True) & roles
    return _inbox(WorkTask.objects.filter(scope), status)


def task_get_for_staff(*, user: Any, task_id: uuid.UUID | str) -> WorkTask:
    """One task, for a staff member of its department; others get 403, unknown ids 404."""
    task = (
        WorkTask.objects.select_related(
            "instance",
            "case__item_version",
            "case__department",
            "case__applicant__user",
            "case__deadline",
            "department",
            "step",
            "assignee",
        )
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise NotFound("未找到该待办。")
    if not staff_memberships(user=user).filter(department_id=task.department_id).exists():
        raise PermissionDenied("该待办属于其他部门，您无权查看。")
    return task


def steps_of_case(*, case: Any) -> QuerySet[WorkTask]:
    """Every step of a case's process so far (the 办理过程 with handlers and opinions), oldest first."""
    return (
        WorkTask.objects.filter(case=case)
        .select_related("department", "assignee", "completed_by")
        .prefetch_related(Prefetch("opinions", queryset=TaskOpinion.objects.select_related("author")))
        .order_by("opened_at", "created_at")
    )
