"""Department processing over the API (issue #13.6): a department system lists its inbox and claims,
releases, approves, returns, transfers and comments on tasks. Each endpoint calls the same selector or
service as the workbench (``views.py``), so the rules, the scoping (another department's task is 403) and the
audit entries are the same."""

import datetime as dt
import uuid
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from onewindow.core.errors import DomainError, NotFound
from onewindow.core.pagination import Pages
from onewindow.core.schemas import COMMON_ERRORS, ErrorOut
from onewindow.identity.api_auth import session_or_token
from onewindow.workflow import selectors, services
from onewindow.workflow.models import ProcessStep, WorkTask

router = Router(tags=["tasks"])
AUTH = session_or_token("tasks")
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, **COMMON_ERRORS}


class CodeLabel(Schema):
    code: str
    label: str


class TaskCaseOut(Schema):
    id: uuid.UUID
    number: str
    item_name: str
    status: CodeLabel


class TaskOut(Schema):
    """One step of a case's process (a row of the inbox)."""

    id: uuid.UUID
    name: str
    status: CodeLabel
    step_id: uuid.UUID
    department: dict[str, Any]
    role: CodeLabel
    assignee: str | None
    case: TaskCaseOut
    opened_at: dt.datetime
    claimed_at: dt.datetime | None
    completed_at: dt.datetime | None
    due_on: dt.date | None
    action: str
    opinion: str


class OpinionOut(Schema):
    id: uuid.UUID
    task_id: uuid.UUID
    author: str
    text: str
    created_at: dt.datetime


class TaskListFilter(Schema):
    status: Literal["ready", "claimed", "done", "cancelled", "open", "overdue", "due_soon"] | None = Field(
        None, description="an inbox tab; empty: every task of the inbox"
    )
    scope: Literal["mine", "department"] = Field(
        "mine", description="`mine`: my tasks and the unclaimed ones my roles may take; `department`: all"
    )
    department: uuid.UUID | None = Field(None, description="with scope=department: one of my departments")


class OpinionIn(Schema):
    opinion: str = Field("", max_length=2000)


class CommentIn(Schema):
    text: str = Field(..., min_length=1, max_length=2000)


class ReturnIn(Schema):
    opinion: str = Field(..., min_length=1, max_length=2000)
    to_step_id: uuid.UUID | None = Field(
        None, description="an earlier step of the process; default: the one before"
    )


class TransferIn(Schema):
    to_user_id: uuid.UUID = Field(..., description="a colleague holding the step's role in its department")


def task_out(task: WorkTask) -> dict[str, Any]:
    case = task.case
    assignee = task.assignee
    return {
        "id": task.pk,
        "name": task.name,
        "status": {"code": task.status, "label": str(task.get_status_display())},
        "step_id": task.step_id,
        "department": {"id": task.department_id, "name": task.department.name},
        "role": {"code": task.role, "label": str(task.get_role_display())},
        "assignee": (getattr(assignee, "name", "") or assignee.get_username()) if assignee else None,
        "case": {
            "id": case.pk,
            "number": case.number,
            "item_name": case.item_version.name,
            "status": {"code": case.status, "label": str(case.get_status_display())},
        },
        "opened_at": task.opened_at,
        "claimed_at": task.claimed_at,
        "completed_at": task.completed_at,
        "due_on": task.due_on,
        "action": task.action,
        "opinion": task.opinion,
    }


class TaskRows:
    """Tasks as rows for the pagination, which counts and slices them in the database."""

    def __init__(self, tasks: Any) -> None:
        self.tasks = tasks

    def __len__(self) -> int:
        return int(self.tasks.count())

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        return [task_out(task) for task in self.tasks[page]]


def _task(request: HttpRequest, task_id: uuid.UUID) -> WorkTask:
    return selectors.task_get_for_staff(user=request.user, task_id=task_id)


def _refreshed(request: HttpRequest, task: WorkTask) -> dict[str, Any]:
    return task_out(_task(request, task.pk))


@router.get(
    "/tasks",
    auth=AUTH,
    throttle=[],
    response={200: list[TaskOut], **ERRORS},
    summary="My inbox (scope=mine), or my departments' tasks (scope=department)",
)
@paginate(Pages, page_size=25)
def tasks_list(request: HttpRequest, filters: Query[TaskListFilter]) -> TaskRows:
    if filters.scope == "department":
        return TaskRows(
            selectors.tasks_for_department(
                user=request.user, status=filters.status, department_id=filters.department
            )
        )
    return TaskRows(selectors.tasks_for_user(user=request.user, status=filters.status))


@router.get("/tasks/{task_id}", auth=AUTH, throttle=[], response={200: TaskOut, **ERRORS}, summary="One task")
def task_detail(request: HttpRequest, task_id: uuid.UUID) -> dict[str, Any]:
    return task_out(_task(request, task_id))


@router.post(
    "/tasks/{task_id}/claim",
    auth=AUTH,
    throttle=[],
    response={200: TaskOut, **ERRORS},
    summary="Claim a ready task (签收)",
)
def task_claim(request: HttpRequest, task_id: uuid.UUID) -> dict[str, Any]:
    task = services.task_claim(task=_task(request, task_id), user=request.user)
    return _refreshed(request, task)


@router.post(
    "/tasks/{task_id}/release",
    auth=AUTH,
    throttle=[],
    response={200: TaskOut, **ERRORS},
    summary="Put a claimed task back in the department's to-do list (退签)",
)
def task_release(request: HttpRequest, task_id: uuid.UUID) -> dict[str, Any]:
    task = services.task_release(task=_task(request, task_id), user=request.user)
    return _refreshed(request, task)


@router.post(
    "/tasks/{task_id}/approve",
    auth=AUTH,
    throttle=[],
    response={200: TaskOut, **ERRORS},
    summary="Approve the step (通过): the process moves on",
)
def task_approve(request: HttpRequest, task_id: uuid.UUID, payload: OpinionIn) -> dict[str, Any]:
    task = services.task_approve(task=_task(request, task_id), user=request.user, opinion=payload.opinion)
    return _refreshed(request, task)


@router.post(
    "/tasks/{task_id}/return",
    auth=AUTH,
    throttle=[],
    response={200: TaskOut, **ERRORS},
    summary="Return the case to an earlier step (退回) with an opinion",
)
def task_return(request: HttpRequest, task_id: uuid.UUID, payload: ReturnIn) -> dict[str, Any]:
    task = _task(request, task_id)
    to_step = None
    if payload.to_step_id is not None:
        to_step = ProcessStep.objects.filter(pk=payload.to_step_id).first()
        if to_step is None:
            raise DomainError(code="task_return_target_invalid", message="退回的目标环节不属于该办件的流程。")
    task = services.task_return(task=task, user=request.user, opinion=payload.opinion, to_step=to_step)
    return _refreshed(request, task)


@router.post(
    "/tasks/{task_id}/transfer",
    auth=AUTH,
    throttle=[],
    response={200: TaskOut, **ERRORS},
    summary="Hand the task to a colleague with the same role (转办)",
)
def task_transfer(request: HttpRequest, task_id: uuid.UUID, payload: TransferIn) -> dict[str, Any]:
    task = _task(request, task_id)
    to_user = get_user_model().objects.filter(pk=payload.to_user_id, is_active=True).first()
    if to_user is None:
        raise NotFound("未找到要转给的人员。")
    task = services.task_transfer(task=task, user=request.user, to_user=to_user)
    return _refreshed(request, task)


@router.post(
    "/tasks/{task_id}/opinions",
    auth=AUTH,
    throttle=[],
    response={201: OpinionOut, **ERRORS},
    summary="Add an opinion (comment) to an open step without finishing it",
)
def task_comment(request: HttpRequest, task_id: uuid.UUID, payload: CommentIn) -> Status:
    opinion = services.task_opinion_add(task=_task(request, task_id), user=request.user, text=payload.text)
    author: Any = opinion.author
    return Status(
        201,
        {
            "id": opinion.pk,
            "task_id": opinion.task_id,
            "author": (getattr(author, "name", "") or author.get_username()) if author else "",
            "text": opinion.text,
            "created_at": opinion.created_at,
        },
    )
