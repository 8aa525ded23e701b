"""The task queue's guarantees: nothing queued is lost, nothing abandoned stays RUNNING, nothing done twice.

- **Transactional outbox.** With the django-tasks-db backend the task row lives in the same database as the
  change that causes it, so ``enqueue_in_transaction`` writes it inside the caller's transaction: the task
  commits with the change or not at all. (An ``on_commit`` enqueue loses the task when the process dies, or
  the enqueue fails, between the commit and the enqueue.) Other backends (the immediate one in tests, RQ)
  cannot share the transaction, so they still enqueue on commit — the immediate backend then runs the task
  against committed data, as a worker would.
- **Leases.** Each worker renews a ``WorkerHeartbeat``; ``task_results_reap`` (a periodic job) puts a task
  back to READY when it has been RUNNING longer than ``ONEWINDOW_TASK_LEASE_SECONDS`` and its worker stopped
  beating, and marks it FAILED with the reason after ``ONEWINDOW_TASK_MAX_ATTEMPTS`` tries (each claim adds
  the worker to ``worker_ids``, so their count is the number of attempts).
- **Once-only handlers.** A handler records ``handled_once(key)`` in the same transaction as its effect; a
  second run of the same task (after a reap, or a duplicate enqueue) finds the key and does nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from onewindow.core.models import HandledOnce, WorkerHeartbeat

log = logging.getLogger(__name__)


class TaskAbandoned(Exception):
    """A task whose worker died under it on each of its ``ONEWINDOW_TASK_MAX_ATTEMPTS`` attempts."""


def enqueue_in_transaction(task: Any, **kwargs: Any) -> str:
    """Queue ``task`` so that it commits (or rolls back) with the current transaction; the result's id, or ""
    when the backend can only enqueue after the commit."""
    if isinstance(task.get_backend(), DatabaseBackend):
        return str(task.enqueue(**kwargs).id)
    transaction.on_commit(lambda: task.enqueue(**kwargs))
    return ""


def handled_once(key: str) -> bool:
    """True the first time ``key`` is seen (and remember it in the caller's transaction), False afterwards."""
    try:
        with transaction.atomic():
            HandledOnce.objects.create(key=key[:200], handled_at=timezone.now())
    except IntegrityError:
        return False
    return True


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.ONEWINDOW_TASK_LEASE_SECONDS)


def worker_heartbeat(*, worker_id: str, started_at: dt.datetime) -> None:
    """Tell the reaper this worker is alive (called every ``ONEWINDOW_WORKER_HEARTBEAT_SECONDS``)."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:200],
            "pid": os.getpid(),
            "started_at": started_at,
            "heartbeat_at": timezone.now(),
        },
    )


def worker_heartbeat_end(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def tasks_abandoned() -> list[DBTaskResult]:
    """RUNNING past the lease, and the worker that claimed them has stopped beating (it died)."""
    cutoff = timezone.now() - _lease()
    alive = set(WorkerHeartbeat.objects.filter(heartbeat_at__gte=cutoff).values_list("worker_id", flat=True))
    running = DBTaskResult.objects.running().filter(started_at__lt=cutoff).order_by("started_at")
    return [result for result in running if not result.worker_ids or result.worker_ids[-1] not in alive]


# A task that failed only because the database went away did not really run: it is worth another try.
DATABASE_FAILURES = ("django.db.utils.OperationalError", "django.db.utils.InterfaceError")


def task_result_requeue(*, result_id: Any, worker_id: str | None = None, failed: bool = False) -> bool:
    """Put one interrupted task back in the queue, within its attempts: RUNNING (claimed by ``worker_id``) or,
    with ``failed``, FAILED on a database error. True if it was requeued."""
    with transaction.atomic():
        result = DBTaskResult.objects.select_for_update().filter(pk=result_id).first()
        if result is None or len(result.worker_ids) >= int(settings.ONEWINDOW_TASK_MAX_ATTEMPTS):
            return False
        if failed:
            if (
                result.status != TaskResultStatus.FAILED
                or result.exception_class_path not in DATABASE_FAILURES
            ):
                return False
        elif result.status != TaskResultStatus.RUNNING or (result.worker_ids or [None])[-1] != worker_id:
            return False
        result.status = TaskResultStatus.READY
        result.started_at = result.finished_at = None
        result.exception_class_path = result.traceback = ""
        result.save(
            update_fields=["status", "started_at", "finished_at", "exception_class_path", "traceback"]
        )
    log.warning("task %s (%s) interrupted by the database: back in the queue", result.pk, result.task_path)
    return True


@dataclass(frozen=True)
class ReapReport:
    """What one pass of the reaper did: task ids put back to READY, and those given up as FAILED."""

    requeued: list[str]
    failed: list[str]


@transaction.atomic
def task_results_reap() -> ReapReport:
    """Put the tasks of dead workers back in the queue, or fail them after too many attempts."""
    requeued, failed = [], []
    now, max_attempts = timezone.now(), int(settings.ONEWINDOW_TASK_MAX_ATTEMPTS)
    abandoned = [result.pk for result in tasks_abandoned()]
    # Locked and re-checked: a worker may have finished the task since it was listed.
    for result in DBTaskResult.objects.select_for_update(skip_locked=True).filter(
        pk__in=abandoned, status=TaskResultStatus.RUNNING
    ):
        attempts = len(result.worker_ids)
        if attempts >= max_attempts:
            result.status = TaskResultStatus.FAILED
            result.finished_at = now
            result.exception_class_path = f"{TaskAbandoned.__module__}.{TaskAbandoned.__qualname__}"
            result.traceback = (
                f"TaskAbandoned: the worker died while running this task, {attempts} times "
                f"(workers {', '.join(result.worker_ids)}); not retried again "
                f"(ONEWINDOW_TASK_MAX_ATTEMPTS={max_attempts})."
            )
            result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
            failed.append(str(result.pk))
            log.error("task %s (%s) abandoned %s times: failed", result.pk, result.task_path, attempts)
        else:
            result.status = TaskResultStatus.READY
            result.started_at = None
            result.save(update_fields=["status", "started_at"])
            requeued.append(str(result.pk))
            log.warning(
                "task %s (%s) left RUNNING by dead worker %s: back in the queue (attempt %s of %s)",
                result.pk,
                result.task_path,
                result.worker_ids[-1] if result.worker_ids else "?",
                attempts + 1,
                max_attempts,
            )
    WorkerHeartbeat.objects.filter(heartbeat_at__lt=now - 10 * _lease()).delete()
    return ReapReport(requeued, failed)
