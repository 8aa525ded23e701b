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
from onewindow.cases.models import Case, ConclusionCode
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


def _definition_for(case: Case) -> ProcessDefinition | None:
    """The latest version of the process assigned to the case's item (a running case keeps its own)."""
    assignment = ProcessAssignment.objects.filter(item_id=case.item_id).first()
    if assignment is None:
        return None
    return ProcessDefinition.objects.filter(key=assignment.definition_key).order_by("-version").first()


# --- what the workflow does when a case changes (registered in cases.hooks by WorkflowConfig.ready) --------


def on_case_accepted(*, case: Case, actor: Any | None) -> None:
    """一口受理、网上运转: an item with a process starts it at acceptance (a life event's parent case is never
    handled itself: its children are, each in its own department)."""
    if not case.is_bundle and _definition_for(case) is not None:
        case_services.case_process_start(case=case, actor=actor)


def on_case_process_started(*, case: Case, actor: Any | None) -> None:
    """Create the process instance and open the first step's tasks (items without a process are handled on the
    case page alone)."""
    definition = _definition_for(case)
    if definition is None or ProcessInstance.objects.filter(case=case).exists():
        return
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


def _running_instance(case: Case) -> ProcessInstance | None:
    """The case's running process, locked: a task action in flight finishes first (the caller holds the case
    row, which task actions lock before the instance, so the order is the same everywhere)."""
    return (
        ProcessInstance.objects.select_for_update(of=("self",))
        .filter(case=case, status=InstanceStatus.RUNNING)
        .first()
    )


def on_case_concluding(*, case: Case, actor: Any | None, code: int) -> None:
    """Approval (出证办结) waits for every step; a denial, voiding or forwarding may end the process early."""
    instance = _running_instance(case)
    if instance is None or code != ConclusionCode.APPROVED:
        return
    steps = sorted(
        WorkTask.objects.filter(instance=instance, status__in=OPEN_TASK_STATUSES).values_list(
            "name", flat=True
        )
    )
    raise DomainError(
        code="process_not_completed",
        message=f"该办件的办理流程尚未走完（当前环节：{'、'.join(steps) or '无'}），"
        "请先在待办中完成各环节，再作出准予许可的办结决定。",
        status=409,
    )


def on_case_concluded(*, case: Case, actor: Any | None, code: int) -> None:
    """A decision taken before the last step cancels the steps still open."""
    instance = _running_instance(case)
    if instance is None:
        return
    cancelled = WorkTask.objects.filter(instance=instance, status__in=OPEN_TASK_STATUSES).update(
        status=TaskStatus.CANCELLED, completed_at=clock.now(), updated_at=clock.now()
    )
    ProcessInstance.objects.filter(pk=instance.pk).update(
        status=InstanceStatus.CANCELLED, completed_at=clock.now(), updated_at=clock.now()
    )
    audit_record(
        actor=actor,
        action="workflow.process_cancel",
        target=case,
        changes={"conclusion_code": code, "tasks_cancelled": cancelled},
    )


def on_case_suspended(*, case: Case, actor: Any | None, start_on: dt.date, reason: str, basis: str) -> None:
    step_clocks_pause(case=case, actor=actor, start_on=start_on, reason=reason, basis=basis)


def on_case_resumed(*, case: Case, actor: Any | None, end_on: dt.date) -> None:
    step_clocks_resume(case=case, actor=actor, end_on=end_on)


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
    """Stop the clocks of the case's open steps with the case's own (special procedure; runs inside
    ``cases.services.case_suspend``). Returns how many step clocks stopped."""
    _running_instance(case)
    tasks = list(
        WorkTask.objects.select_related("deadline").filter(
            case=case, status__in=OPEN_TASK_STATUSES, deadline__isnull=False
        )
    )
    for task in tasks:
        assert task.deadline is not None
        # A procedure dated back before a step opened pauses that step from its own start.
        deadline_pause(
            actor=actor,
            deadline=task.deadline,
            start_on=max(start_on, task.deadline.start_on),
            reason=reason,
            basis=basis,
        )
    _due_dates_copy(tasks)
    return len(tasks)


@transaction.atomic
def step_clocks_resume(*, case: Case, actor: Any, end_on: dt.date) -> int:
    """Restart the step clocks stopped by ``step_clocks_pause`` (runs inside ``case_resume``)."""
    _running_instance(case)
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
        paused_from = (
            task.deadline.pauses.filter(end_on__isnull=True).values_list("start_on", flat=True).first()
        )
        deadline_resume(actor=actor, deadline=task.deadline, end_on=max(end_on, paused_from or end_on))
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
