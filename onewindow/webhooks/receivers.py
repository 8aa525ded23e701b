"""Where events come from: core's ``audit_recorded`` signal (every case state change and every task action
is audited in its own transaction) and the creation of a task row (the workflow opens steps without an audit
entry of their own). Both run inside the writer's transaction, so the event commits with the change."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from onewindow.cases.models import Case
from onewindow.core.signals import audit_recorded
from onewindow.webhooks import services
from onewindow.webhooks.events import CASE_EVENTS, TASK_VERBS, case_data, task_data
from onewindow.workflow.models import WorkTask


def _task(task_id: str) -> WorkTask | None:
    return WorkTask.objects.select_related("case__item", "case__item_version").filter(pk=task_id).first()


@receiver(audit_recorded, dispatch_uid="webhooks.audit_recorded")
def on_audit_recorded(sender: Any, entry: Any, **kwargs: Any) -> None:
    if not services.subscriptions_exist():
        return
    if entry.target_type == "cases.case":
        status = (entry.changes or {}).get("status")
        if not isinstance(status, list) or len(status) != 2 or status[0] == status[1]:
            return
        event_type = f"case.{status[1]}"
        if event_type not in CASE_EVENTS:
            return
        case = Case.objects.select_related("item", "item_version").filter(pk=entry.target_id).first()
        if case is not None:
            services.webhook_event_record(
                event_type=event_type,
                department_id=case.department_id,
                data={"case": case_data(case), "actor": entry.actor_label},
            )
    elif entry.action.startswith("workflow.task_"):
        task_event = TASK_VERBS.get(entry.action.removeprefix("workflow.task_"))
        task = _task(entry.target_id) if task_event else None
        if task_event and task is not None:
            services.webhook_event_record(
                event_type=task_event,
                department_id=task.department_id,
                data={"task": task_data(task), "case": case_data(task.case), "actor": entry.actor_label},
            )


@receiver(post_save, sender=WorkTask, dispatch_uid="webhooks.task_created")
def on_task_saved(sender: Any, instance: WorkTask, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created or raw or not services.subscriptions_exist():
        return
    task = _task(str(instance.pk))
    if task is not None:
        services.webhook_event_record(
            event_type="task.created",
            department_id=task.department_id,
            data={"task": task_data(task), "case": case_data(task.case), "actor": "system"},
        )
