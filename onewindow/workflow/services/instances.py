"""A case's process instance: starting it, keeping the task mirror equal to the engine, the step clocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.services import audit_record
from onewindow.workdays.services import deadline_pause, deadline_resume, deadline_start
from onewindow.workflow.engine import (
    ready_human_tasks,
    workflow_dump,
    workflow_new,
)
from onewindow.workflow.models import (
    OPEN_TASK_STATUSES,
    InstanceStatus,
    ProcessAssignment,
    ProcessDefinition,
    ProcessInstance,
    TaskStatus,
    WorkTask,
)


def mirror_sync(instance: ProcessInstance, workflow: BpmnWorkflow) -> tuple[int, int]:
    """Make the open task rows equal the engine's ready human tasks: open a row for each new ready task, close
    rows whose engine task is no longer ready. Returns (opened, closed). The caller holds the instance lock."""
    now = clock.now()
    ready = {task.id: task for task in ready_human_tasks(workflow)}
    closed = 0
    for row in WorkTask.objects.filter(instance=instance, status__in=OPEN_TASK_STATUSES):
        if row.spiff_task_id in ready:
            del ready[row.spiff_task_id]
            continue
        engine_task = (
            workflow.get_task_from_id(row.spiff_task_id) if row.spiff_task_id in workflow.tasks else None
        )
        # Completed in the engine without the mirror knowing (only after a crash): done, handler unknown.
        row.status = (
            TaskStatus.DONE
            if engine_task is not None and engine_task.state == TaskState.COMPLETED
            else TaskStatus.CANCELLED
        )
        row.completed_at = now
        row.save(update_fields=["status", "completed_at", "updated_at"])
        closed += 1
    steps = {s.bpmn_id: s for s in instance.definition.steps.all()}
    case = instance.case
    for task_id, engine_task in ready.items():
        step = steps[engine_task.task_spec.name]
        deadline = None
        if step.limit_days is not None:
            deadline = deadline_start(
                label=f"{case.number} {step.name}"[:200], start_on=clock.today(), working_days=step.limit_days
            )
        WorkTask.objects.create(
            instance=instance,
            case=case,
            spiff_task_id=task_id,
            step=step,
            name=step.name,
            department_id=step.department_id or case.department_id,
            role=step.role,
            opened_at=now,
            deadline=deadline,
            due_on=deadline.due_on if deadline else None,
        )
    return len(ready), closed


def instance_state_save(instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
    """Store the new engine state; the revision check catches a writer that bypassed the row lock."""
    fields: dict[str, Any] = {"state": workflow_dump(workflow), "revision": instance.revision + 1}
    if workflow.is_completed():
        fields |= {"status": InstanceStatus.COMPLETED, "completed_at": clock.now()}
    updated = ProcessInstance.objects.filter(pk=instance.pk, revision=instance.revision).update(
        **fields, updated_at=clock.now()
    )
    if updated != 1:
        raise DomainError(
            code="process_state_conflict", message="该办件的流程刚被他人推进，请刷新后再操作。", status=409
        )
    for name, value in fields.items():
        setattr(instance, name, value)


@transaction.atomic
def process_start(*, case: Case, actor: Any) -> ProcessInstance:
    """Start the department's process for an accepted case: the case goes in_process and the first step's
    tasks appear in the inboxes."""
    assignment = ProcessAssignment.objects.filter(item_id=case.item_id).first()
    definition = (
        ProcessDefinition.objects.filter(key=assignment.definition_key).order_by("-version").first()
        if assignment
        else None
    )
    if definition is None:
        raise DomainError(
            code="process_not_assigned",
            message="该事项尚未配置办理流程，请联系部门管理员在事项上指定流程后再开始办理。",
            status=409,
        )
    case = case_services.case_process_start(case=case, actor=actor)
    workflow = workflow_new(definition)
    instance = ProcessInstance.objects.create(
        case=case, definition=definition, state=workflow_dump(workflow), revision=1
    )
    mirror_sync(instance, workflow)
    audit_record(
        actor=actor,
        action="workflow.process_start",
        target=case,
        changes={"process": definition.key, "version": definition.version},
    )
    return instance


# --- step clocks ------------------------------------------------------------------------------------------


def _due_dates_copy(tasks: Sequence[WorkTask]) -> int:
    changed = 0
    for task in tasks:
        if task.deadline is not None and task.due_on != task.deadline.due_on:
            task.due_on = task.deadline.due_on
            task.save(update_fields=["due_on", "updated_at"])
            changed += 1
    return changed


@transaction.atomic
def step_clocks_pause(*, case: Case, actor: Any, start_on: dt.date, reason: str, basis: str = "") -> int:
    """Stop the clocks of the case's open steps with the case's own (special procedure). Call it with
    ``cases.services.case_suspend``; returns how many step clocks stopped."""
    tasks = list(
        WorkTask.objects.select_related("deadline").filter(
            case=case, status__in=OPEN_TASK_STATUSES, deadline__isnull=False
        )
    )
    for task in tasks:
        assert task.deadline is not None
        deadline_pause(actor=actor, deadline=task.deadline, start_on=start_on, reason=reason, basis=basis)
    _due_dates_copy(tasks)
    return len(tasks)


@transaction.atomic
def step_clocks_resume(*, case: Case, actor: Any, end_on: dt.date) -> int:
    """Restart the step clocks stopped by ``step_clocks_pause`` (call it with ``case_resume``)."""
    tasks = list(
        WorkTask.objects.select_related("deadline")
        .filter(
            case=case,
            status__in=OPEN_TASK_STATUSES,
            deadline__pauses__end_on__isnull=True,
            deadline__pauses__isnull=False,
        )
        .distinct()
    )
    for task in tasks:
        assert task.deadline is not None
        deadline_resume(actor=actor, deadline=task.deadline, end_on=end_on)
    _due_dates_copy(tasks)
    return len(tasks)


def work_task_due_dates_refresh() -> int:
    """Copy moved step deadlines (a paused clock moves daily; a new holiday list moves many) to the task rows
    the inboxes filter on. Returns how many rows changed."""
    stale = (
        WorkTask.objects.select_related("deadline")
        .filter(status__in=OPEN_TASK_STATUSES, deadline__isnull=False)
        .exclude(due_on=F("deadline__due_on"))
    )
    return _due_dates_copy(list(stale))
