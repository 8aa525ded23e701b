"""Rebuild the task mirror from the engine state. Task actions write both in one transaction, so this only
matters after a failure outside that guarantee (a restore, a manual edit, a bug): it is safe to run any time."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from onewindow.core import clock
from onewindow.core.services import audit_record
from onewindow.workflow.engine import workflow_load
from onewindow.workflow.models import InstanceStatus, ProcessInstance
from onewindow.workflow.services import mirror_sync


@dataclass
class RepairReport:
    instances: int = 0
    opened: int = 0
    closed: int = 0
    completed: int = 0


def workflow_repair() -> RepairReport:
    """Make every running instance's open task rows match its engine's ready tasks (idempotent)."""
    report = RepairReport()
    for instance_id in ProcessInstance.objects.filter(status=InstanceStatus.RUNNING).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            instance = (
                ProcessInstance.objects.select_for_update(of=("self",))
                .select_related("definition", "case")
                .get(pk=instance_id)
            )
            if instance.status != InstanceStatus.RUNNING:
                continue
            workflow = workflow_load(instance.state, instance.definition)
            opened, closed = mirror_sync(instance, workflow)
            report.instances += 1
            report.opened += opened
            report.closed += closed
            if workflow.is_completed():
                instance.status, instance.completed_at = InstanceStatus.COMPLETED, clock.now()
                instance.save(update_fields=["status", "completed_at", "updated_at"])
                report.completed += 1
            if opened or closed:
                audit_record(
                    actor=None,
                    action="workflow.repair",
                    target=instance,
                    changes={"opened": opened, "closed": closed},
                )
    return report
