"""Core background jobs."""

from __future__ import annotations

import datetime as dt
import logging

from django_tasks import task
from django_tasks_db.models import DBTaskResult

from onewindow.core import clock
from onewindow.core.audit_checkpoints import audit_checkpoint_create
from onewindow.core.models import HandledOnce
from onewindow.core.queue import task_results_reap
from onewindow.core.selectors import audit_chain_verify

log = logging.getLogger(__name__)


@task()
def audit_chain_check() -> dict[str, object]:
    """Nightly: walk the audit chain; a break is logged at ERROR for the operators' alerting."""
    report = audit_chain_verify()
    if report.ok:
        log.info("audit chain intact: %s entries", report.checked)
    else:
        log.error("audit chain broken: %s", report.problem)
    return {"ok": report.ok, "checked": report.checked, "problem": report.problem}


@task()
def audit_checkpoint_job() -> dict[str, object]:
    """Every few minutes: sign the audit chain's heads outside the database (core.audit_checkpoints)."""
    record = audit_checkpoint_create()
    return {"at": record["at"], "streams": len(record["streams"])}


@task()
def task_results_prune(days: int = 30) -> int:
    """Weekly: forget finished background-task results older than ``days``, and the handled-once keys of that
    age (no task that old can run again)."""
    cutoff = clock.now() - dt.timedelta(days=days)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    HandledOnce.objects.filter(handled_at__lt=cutoff).delete()
    return deleted


@task()
def tasks_reap_abandoned() -> dict[str, list[str]]:
    """Every minute: tasks left RUNNING by a dead worker go back to the queue (or fail after too many tries)."""
    report = task_results_reap()
    return {"requeued": report.requeued, "failed": report.failed}
