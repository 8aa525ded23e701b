"""Task actions. Each is one transaction holding the process instance's row lock: the engine step, the new engine
state and the task mirror are written together or not at all."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.timezone import localtime
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from onewindow.cases import services as case_services
from onewindow.cases.models import Case, CaseEvent, CaseStatus, EventAction
from onewindow.core import clock
from onewindow.core.errors import DomainError, PermissionDenied
from onewindow.core.services import audit_record
from onewindow.organisations.models import Role
from onewindow.organisations.selectors import staff_admin_department_ids, staff_memberships
from onewindow.workflow.engine import return_targets, workflow_load
from onewindow.workflow.models import (
    ProcessInstance,
    ProcessStep,
    TaskAction,
    TaskOpinion,
    TaskStatus,
    WorkTask,
)
from onewindow.workflow.services.instances import instance_state_save, mirror_sync

# CaseEvent actions for processing steps (GB/T 39046 办理过程), recorded as internal entries; the step row
# (WorkTask) holds start, end and handler.
EVENT_STEP = {
    "claim": EventAction.STEP_CLAIMED,
    "release": EventAction.STEP_RELEASED,
    "approve": EventAction.STEP_APPROVED,
    "return": EventAction.STEP_RETURNED,
    "transfer": EventAction.STEP_TRANSFERRED,
    "opinion": EventAction.STEP_OPINION,
}
VERB_ZH = {
    "claim": "签收",
    "release": "退签",
    "approve": "通过",
    "return": "退回",
    "transfer": "转办",
    "opinion": "添加意见",
}


def _holds_step_role(user: Any, task: WorkTask) -> bool:
    return staff_memberships(user=user).filter(department_id=task.department_id, role=task.role).exists()


def _is_department_head(user: Any, task: WorkTask) -> bool:
    return task.department_id in staff_admin_department_ids(user=user)


def _task_lock(
    task: WorkTask, *, user: Any, verb: str, heads_too: bool = False
) -> tuple[WorkTask, ProcessInstance]:
    """Lock the task's case and process instance, re-read the task under the lock and check who may act on
    it. The case row comes first, as in every case service and the workflow's case hooks: one lock order, no
    deadlock between a step and a suspension or decision."""
    list(Case.objects.select_for_update(of=("self",)).filter(pk=task.case_id).values_list("pk", flat=True))
    instance = (
        ProcessInstance.objects.select_for_update(of=("self",))
        .select_related("definition", "case__department")
        .get(pk=task.instance_id)
    )
    task = WorkTask.objects.select_related("department", "step", "assignee").get(pk=task.pk)
    task.case = instance.case
    if not (_holds_step_role(user, task) or (heads_too and _is_department_head(user, task))):
        raise PermissionDenied(
            f"只有{task.department.name}的{Role(task.role).label}岗位人员可以{VERB_ZH[verb]}环节“{task.name}”。"
        )
    if not task.is_open:
        raise DomainError(
            code="task_already_done",
            message=f"环节“{task.name}”已{task.get_status_display()}，不能再{VERB_ZH[verb]}。请刷新待办列表。",
            status=409,
        )
    return task, instance


def _claimed_by_other_refuse(task: WorkTask, user: Any, verb: str) -> None:
    if task.status == TaskStatus.CLAIMED and task.assignee_id != user.pk:
        holder = getattr(task.assignee, "name", "") or task.assignee
        raise DomainError(
            code="task_claimed_by_other",
            message=f"环节“{task.name}”已由{holder}签收，不能{VERB_ZH[verb]}。如需接手，请联系其转办或由部门负责人改派。",
            status=409,
        )


def _handling_check(instance: ProcessInstance, task: WorkTask, verb: str) -> None:
    if instance.case.status != CaseStatus.IN_PROCESS:
        raise DomainError(
            code="case_not_in_process",
            message=f"该办件当前状态为“{case_services.STATUS_ZH[CaseStatus(instance.case.status)]}”，"
            f"不能{VERB_ZH[verb]}环节“{task.name}”。",
            status=409,
        )


def _engine_task(workflow: BpmnWorkflow, task: WorkTask) -> Any:
    engine_task = (
        workflow.get_task_from_id(task.spiff_task_id) if task.spiff_task_id in workflow.tasks else None
    )
    if engine_task is None or engine_task.state != TaskState.READY:
        raise DomainError(
            code="task_out_of_sync",
            message="待办列表与流程状态不一致，请稍后重试；如仍失败请联系管理员执行流程修复（workflow_repair）。",
            status=409,
        )
    return engine_task


def _record(
    task: WorkTask, *, user: Any, verb: str, opinion: str = "", changes: dict[str, Any] | None = None
) -> None:
    """The step's timeline entry (the case's state does not change) and its audit entry."""
    case = task.case
    parts = [f"{task.name}：{VERB_ZH[verb]}"]
    if opinion:
        parts.append(f"意见：{opinion}")
    end = f"，结束 {localtime(task.completed_at):%Y-%m-%d %H:%M}" if task.completed_at else ""
    parts.append(f"（开始 {localtime(task.opened_at):%Y-%m-%d %H:%M}{end}）")
    CaseEvent.objects.create(
        case=case,
        action=EVENT_STEP[verb],
        from_status=case.status,
        to_status=case.status,
        department_id=task.department_id,
        actor=user,
        at=clock.now(),
        note="。".join(parts),
        public=False,
    )
    audit_record(
        actor=user,
        action=f"workflow.task_{verb}",
        target=task,
        changes={"step": task.name, **(changes or {})},
    )


@transaction.atomic
def task_claim(*, task: WorkTask, user: Any) -> WorkTask:
    """Take a ready task into one's own inbox (签收)."""
    task, _instance = _task_lock(task, user=user, verb="claim")
    if task.status == TaskStatus.CLAIMED and task.assignee_id == user.pk:
        return task
    _claimed_by_other_refuse(task, user, "claim")
    task.status, task.assignee, task.claimed_at = TaskStatus.CLAIMED, user, clock.now()
    task.save(update_fields=["status", "assignee", "claimed_at", "updated_at"])
    _record(task, user=user, verb="claim")
    return task


@transaction.atomic
def task_release(*, task: WorkTask, user: Any) -> WorkTask:
    """Put a claimed task back into the department's to-do list (退签); the assignee or the department head."""
    task, _instance = _task_lock(task, user=user, verb="release", heads_too=True)
    if task.status != TaskStatus.CLAIMED:
        return task
    if task.assignee_id != user.pk and not _is_department_head(user, task):
        _claimed_by_other_refuse(task, user, "release")
    previous = task.assignee_id
    task.status, task.assignee, task.claimed_at = TaskStatus.READY, None, None
    task.save(update_fields=["status", "assignee", "claimed_at", "updated_at"])
    _record(task, user=user, verb="release", changes={"assignee": [str(previous), None]})
    return task


@transaction.atomic
def task_transfer(*, task: WorkTask, user: Any, to_user: Any) -> WorkTask:
    """Hand a task to a colleague holding the same role in the same department (转办 / 改派)."""
    task, _instance = _task_lock(task, user=user, verb="transfer", heads_too=True)
    if not _is_department_head(user, task):
        _claimed_by_other_refuse(task, user, "transfer")
    if not _holds_step_role(to_user, task):
        raise DomainError(
            code="transfer_target_invalid",
            message=f"只能转给{task.department.name}中同样担任{Role(task.role).label}岗位的人员。",
        )
    previous = task.assignee_id
    task.status, task.assignee, task.claimed_at = TaskStatus.CLAIMED, to_user, clock.now()
    task.save(update_fields=["status", "assignee", "claimed_at", "updated_at"])
    _record(
        task,
        user=user,
        verb="transfer",
        changes={"assignee": [str(previous) if previous else None, str(to_user.pk)]},
    )
    return task


@transaction.atomic
def task_opinion_add(*, task: WorkTask, user: Any, text: str) -> TaskOpinion:
    """Add an opinion to an open step without finishing it."""
    task, _instance = _task_lock(task, user=user, verb="opinion")
    text = (text or "").strip()
    if not text:
        raise DomainError(code="opinion_required", message="请填写意见内容。")
    opinion = TaskOpinion.objects.create(task=task, author=user, text=text)
    _record(task, user=user, verb="opinion", opinion=text)
    return opinion


def _finish(task: WorkTask, *, user: Any, action: str, opinion: str) -> None:
    task.status, task.action, task.opinion = TaskStatus.DONE, action, opinion
    task.assignee, task.completed_by, task.completed_at = user, user, clock.now()
    task.claimed_at = task.claimed_at or task.completed_at
    task.save(
        update_fields=[
            "status",
            "action",
            "opinion",
            "assignee",
            "completed_by",
            "completed_at",
            "claimed_at",
            "updated_at",
        ]
    )


@transaction.atomic
def task_approve(*, task: WorkTask, user: Any, opinion: str = "") -> WorkTask:
    """Approve a step (通过): the engine moves on and the next steps' tasks open. When the last step is
    approved the process is completed and the case waits for the approver to conclude it."""
    task, instance = _task_lock(task, user=user, verb="approve")
    _claimed_by_other_refuse(task, user, "approve")
    _handling_check(instance, task, "approve")
    workflow = workflow_load(instance.state, instance.definition)
    engine_task = _engine_task(workflow, task)
    # Each step writes under its own key: parallel branches' data merge at the join without overwriting.
    engine_task.data[f"step_{task.step.bpmn_id}"] = TaskAction.APPROVE.value
    engine_task.run()
    workflow.do_engine_steps()
    _finish(task, user=user, action=TaskAction.APPROVE, opinion=(opinion or "").strip())
    instance_state_save(instance, workflow)
    mirror_sync(instance, workflow)
    _record(task, user=user, verb="approve", opinion=task.opinion)
    return task


@transaction.atomic
def task_return(*, task: WorkTask, user: Any, opinion: str, to_step: ProcessStep | None = None) -> WorkTask:
    """Return the case to an earlier step (退回) with an opinion: the engine is reset to that step's task, every
    task opened since (including the other departments' joint-review tasks) is cancelled, and the step opens
    again. ``to_step`` defaults to the nearest earlier step; a step inside a parallel review that this task is
    past the join of cannot be chosen — the return goes to the step before the review."""
    task, instance = _task_lock(task, user=user, verb="return")
    _claimed_by_other_refuse(task, user, "return")
    _handling_check(instance, task, "return")
    opinion = (opinion or "").strip()
    if not opinion:
        raise DomainError(code="opinion_required", message="退回时请填写退回意见，说明需要修改或补充的内容。")
    workflow = workflow_load(instance.state, instance.definition)
    engine_task = _engine_task(workflow, task)
    targets = return_targets(engine_task)
    if to_step is not None and to_step.definition_id != instance.definition_id:
        raise DomainError(code="task_return_target_invalid", message="退回的目标环节不属于该办件的流程。")
    if to_step is not None:
        targets = [t for t in targets if t.task_spec.name == to_step.bpmn_id]
    if not targets:
        raise DomainError(
            code="task_return_target_invalid",
            message=f"环节“{task.name}”之前没有可以退回的环节"
            + (f"“{to_step.name}”" if to_step else "")
            + "。并联审查中的单个部门环节不能单独退回，请退回到并联审查之前的环节。",
            status=409,
        )
    target = targets[0]
    workflow.reset_from_task_id(target.id)
    workflow.do_engine_steps()
    _finish(task, user=user, action=TaskAction.RETURN, opinion=opinion)
    instance_state_save(instance, workflow)
    mirror_sync(instance, workflow)
    _record(task, user=user, verb="return", opinion=opinion, changes={"to_step": target.task_spec.name})
    return task
