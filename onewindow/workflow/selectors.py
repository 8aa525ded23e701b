"""Workflow reads: the inboxes, scoped to the departments and roles the asking staff member holds, and the
process definitions with their versions and the items assigned to them (administrators' pages)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from onewindow.cases.models import Case
from onewindow.core import clock
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.organisations.models import Department
from onewindow.organisations.selectors import staff_memberships
from onewindow.workdays.calendar import WorkCalendar
from onewindow.workflow.models import (
    OPEN_TASK_STATUSES,
    InstanceStatus,
    ProcessAssignment,
    ProcessDefinition,
    ProcessStep,
    TaskOpinion,
    TaskStatus,
    WorkTask,
)

# "open", "overdue" and "due_soon" are inbox views over the open rows; the rest are TaskStatus values.
# Due soon: the step's due date is at most this many working days away (the inbox's amber marker too).
DUE_SOON_DAYS = 2


Memberships = list[tuple[uuid.UUID, str]]


def staff_membership_pairs(*, user: Any) -> Memberships:
    """(department id, role) of every role the user holds: read once per page and passed to the inbox
    selectors below, which would otherwise read them again each."""
    return list(staff_memberships(user=user).values_list("department_id", "role"))


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
            due_on__lte=WorkCalendar().add_working_days(today, DUE_SOON_DAYS).date,
        )
    elif status:
        queryset = queryset.filter(status=TaskStatus(status))
    return queryset.select_related(
        "case__item_version", "case__applicant", "department", "assignee", "completed_by", "step"
    ).order_by("due_on", "opened_at")


def tasks_for_department(
    *,
    user: Any,
    status: str | None = None,
    department_id: uuid.UUID | str | None = None,
    memberships: Memberships | None = None,
) -> QuerySet[WorkTask]:
    """The tasks of the departments the user works in (any role): the department inbox and its load."""
    if memberships is None:
        memberships = staff_membership_pairs(user=user)
    departments = {department for department, _ in memberships}
    if department_id is not None:
        if uuid.UUID(str(department_id)) not in departments:
            raise PermissionDenied("您不是该部门的工作人员，不能查看其待办。")
        departments = {uuid.UUID(str(department_id))}
    return _inbox(WorkTask.objects.filter(department_id__in=departments), status)


def _user_scope(user: Any, memberships: Memberships | None = None) -> Q:
    roles = Q()
    if memberships is None:
        memberships = staff_membership_pairs(user=user)
    for department_id, role in memberships:
        roles |= Q(department_id=department_id, role=role)
    scope = Q(assignee_id=user.pk)
    if roles:
        scope |= Q(status=TaskStatus.READY, assignee__isnull=True) & roles
    return scope


def tasks_for_user(
    *, user: Any, status: str | None = None, memberships: Memberships | None = None
) -> QuerySet[WorkTask]:
    """A staff member's inbox: the tasks assigned to them, and the unclaimed ones their department roles may take."""
    return _inbox(WorkTask.objects.filter(_user_scope(user, memberships)), status)


def inbox_rows(tasks: QuerySet[WorkTask]) -> QuerySet[WorkTask]:
    """An inbox page's tasks with what its rows show: the task rows alone, then their cases (item name and
    applicant), departments and assignees, one small query each. A single join of the eight tables took
    PostgreSQL 75–80 ms to plan per request, and the planner walked the due-date index instead of the inbox
    index, against 0.1 ms plan and 0.2 ms run for the task table alone (bench/README.md, the busy inbox)."""
    cases = Case.objects.select_related("item_version", "applicant__user").only(
        "number", "status", "item_version__name", "applicant__user__name", "applicant__user__username"
    )
    return tasks.select_related(None).prefetch_related(
        Prefetch("case", queryset=cases),
        Prefetch("department", queryset=Department.objects.only("name", "short_name")),
        Prefetch("assignee", queryset=get_user_model().objects.only("name", "username")),
    )


def inbox_counts(*, user: Any, memberships: Memberships | None = None) -> dict[str, int]:
    """How many tasks each inbox tab of ``tasks_for_user`` holds, in one query."""
    today = clock.today()
    soon = WorkCalendar().add_working_days(today, DUE_SOON_DAYS).date
    is_open = Q(status__in=OPEN_TASK_STATUSES)
    return WorkTask.objects.filter(_user_scope(user, memberships)).aggregate(
        **{
            TaskStatus.READY: Count("pk", filter=Q(status=TaskStatus.READY)),
            TaskStatus.CLAIMED: Count("pk", filter=Q(status=TaskStatus.CLAIMED)),
            TaskStatus.DONE: Count("pk", filter=Q(status=TaskStatus.DONE)),
            "overdue": Count("pk", filter=is_open & Q(due_on__lt=today)),
            "due_soon": Count("pk", filter=is_open & Q(due_on__gte=today, due_on__lte=soon)),
        }
    )


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


# --- process definitions ----------------------------------------------------------------------------------


def process_definitions_latest(*, q: str = "") -> QuerySet[ProcessDefinition]:
    """The latest version of every process key, with its number of steps; ``q`` matches the key or the name."""
    newest = ProcessDefinition.objects.filter(key=OuterRef("key")).order_by("-version").values("version")[:1]
    definitions = (
        ProcessDefinition.objects.annotate(newest=Subquery(newest))
        .filter(version=F("newest"))
        .annotate(step_count=Count("steps"))
        .select_related("uploaded_by", "department")
        .order_by("key")
    )
    if q:
        definitions = definitions.filter(Q(key__icontains=q) | Q(name__icontains=q))
    return definitions


def process_assignments_by_key(*, keys: Any) -> dict[str, list[ProcessAssignment]]:
    """The items assigned to each of ``keys`` (one query), by key."""
    found: dict[str, list[ProcessAssignment]] = {}
    assignments = (
        ProcessAssignment.objects.filter(definition_key__in=list(keys))
        .select_related("item__published_version", "item__basic", "item__department")
        .order_by("item__implementation_code")
    )
    for assignment in assignments:
        found.setdefault(assignment.definition_key, []).append(assignment)
    return found


def process_definition_get(*, key: str, version: int | None = None) -> ProcessDefinition:
    """One version of a process (the latest without ``version``) with its steps in order; 404 when unknown."""
    definitions = ProcessDefinition.objects.filter(key=key).select_related("uploaded_by", "department")
    definition = (
        definitions.filter(version=version).first()
        if version is not None
        else definitions.order_by("-version").first()
    )
    if definition is None:
        raise NotFound("未找到该流程或版本。")
    return definition


def process_steps(*, definition: ProcessDefinition) -> QuerySet[ProcessStep]:
    """A definition's human steps in document order, with their departments."""
    return ProcessStep.objects.filter(definition=definition).select_related("department").order_by("position")


def process_versions(*, key: str) -> QuerySet[ProcessDefinition]:
    """Every version of ``key``, newest first, with the number of cases still running each."""
    return (
        ProcessDefinition.objects.filter(key=key)
        .annotate(running=Count("instances", filter=Q(instances__status=InstanceStatus.RUNNING)))
        .select_related("uploaded_by")
        .order_by("-version")
    )


def process_keys() -> list[tuple[str, str]]:
    """(key, "name (key)") of every process, for choosing one; the name is the latest version's."""
    return [
        (key, f"{name}（{key}）") for key, name in process_definitions_latest().values_list("key", "name")
    ]


def process_assignments(*, departments: Any, q: str = "") -> QuerySet[ProcessAssignment]:
    """The assignments of the items of ``departments``; ``q`` matches the item's code, name or the key."""
    assignments = (
        ProcessAssignment.objects.filter(item__department__in=departments)
        .select_related("item__published_version", "item__basic", "item__department")
        .order_by("item__department__name", "item__implementation_code")
    )
    if q:
        assignments = assignments.filter(
            Q(item__implementation_code__icontains=q)
            | Q(item__published_version__name__icontains=q)
            | Q(item__basic__name__icontains=q)
            | Q(definition_key__icontains=q)
        )
    return assignments


def item_process_departments(item: Any) -> list[Department] | None:
    """The departments other than the item's own with a step in the process new cases of the item run (its
    key's latest version), in step order; None when no process is assigned to the item."""
    assignment = ProcessAssignment.objects.filter(item=item).first()
    if assignment is None:
        return None
    definition = ProcessDefinition.objects.filter(key=assignment.definition_key).order_by("-version").first()
    if definition is None:
        return None
    steps = (
        ProcessStep.objects.filter(definition=definition).select_related("department").order_by("position")
    )
    # A step without a department is the item's own department's.
    departments = dict.fromkeys(
        step.department
        for step in steps
        if step.department is not None and step.department_id != item.department_id
    )
    return list(departments)
