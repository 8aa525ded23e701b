"""The periodic-job scheduler: one instance runs across all machines, chosen by a lease in the database.

A lease (not a PostgreSQL advisory lock) because it works the same on SQLite and PostgreSQL and survives
connection drops: the holder renews it every tick; if a machine dies, another takes over once it expires.
Jobs are django-tasks tasks listed in ``settings.ONEWINDOW_PERIODIC_JOBS`` as (dotted path, seconds); the
scheduler only enqueues them, workers run them.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
import uuid
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils.module_loading import import_string

from onewindow.core import clock
from onewindow.core.models import PeriodicJobRun, SchedulerLease
from onewindow.core.queue import enqueue_in_transaction
from onewindow.core.resilience import database_wait

log = logging.getLogger(__name__)
LEASE_NAME = "scheduler"


def scheduler_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def scheduler_lease_acquire(*, holder: str, name: str = LEASE_NAME) -> bool:
    """Take or renew the lease. True while ``holder`` owns it."""
    now = clock.now()
    expires = now + dt.timedelta(seconds=settings.ONEWINDOW_SCHEDULER_LEASE_SECONDS)
    with transaction.atomic():
        taken = SchedulerLease.objects.filter(Q(holder=holder) | Q(expires_at__lt=now), name=name).update(
            holder=holder, expires_at=expires, heartbeat_at=now
        )
    if taken:
        return True
    try:
        with transaction.atomic():
            SchedulerLease.objects.create(name=name, holder=holder, expires_at=expires, heartbeat_at=now)
    except IntegrityError:  # another scheduler holds it
        return False
    return True


def scheduler_lease_release(*, holder: str, name: str = LEASE_NAME) -> None:
    SchedulerLease.objects.filter(name=name, holder=holder).delete()


def periodic_jobs_enqueue_due() -> list[str]:
    """Enqueue every periodic job whose interval has passed; return their names."""
    now, enqueued = clock.now(), []
    for path, seconds in settings.ONEWINDOW_PERIODIC_JOBS:
        run = PeriodicJobRun.objects.filter(name=path).first()
        if run is not None and run.last_enqueued_at + dt.timedelta(seconds=seconds) > now:
            continue
        task: Any = import_string(path)
        # The run record and the task row commit together: a crash in between neither skips nor repeats a job.
        with transaction.atomic():
            result_id = enqueue_in_transaction(task)
            PeriodicJobRun.objects.update_or_create(
                name=path, defaults={"last_enqueued_at": now, "last_result_id": result_id}
            )
        enqueued.append(path)
    return enqueued


def scheduler_run(*, tick_seconds: float = 5.0, max_ticks: int | None = None) -> None:
    """Run until SIGTERM/SIGINT (or ``max_ticks``): hold the lease and enqueue due jobs each tick.

    A lost database (server restarted, connection terminated) is logged and waited out with back-off; the
    scheduler carries on once it answers — it does not exit and need no restart."""
    holder, stop, ticks = scheduler_identity(), threading.Event(), 0
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    log.info("scheduler %s started", holder)
    try:
        while not stop.is_set() and (max_ticks is None or ticks < max_ticks):
            try:
                if scheduler_lease_acquire(holder=holder):
                    for path in periodic_jobs_enqueue_due():
                        log.info("enqueued periodic job %s", path)
            except (OperationalError, InterfaceError) as error:
                log.warning("scheduler %s lost the database: %s", holder, error)
                database_wait(stopped=stop, what=f"scheduler {holder}")
            ticks += 1
            stop.wait(tick_seconds if max_ticks is None or ticks < max_ticks else 0)
    finally:
        try:
            scheduler_lease_release(holder=holder)
        except DatabaseError:
            log.warning("scheduler %s could not release its lease; it expires by itself", holder)
        log.info("scheduler %s stopped", holder)
