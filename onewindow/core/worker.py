"""The task worker: django-tasks-db's ``Worker`` that survives the database going away and heartbeats.

Upstream's worker exits on the first ``OperationalError`` (the server restarted, our backend terminated), and
``onewindow run`` or systemd would have to restart it. Here a lost database is logged, every connection is
closed, and the worker waits with capped, jittered back-off until the database answers again, then goes on
polling — no restart. A task interrupted that way stays RUNNING; the reaper (``core.queue``) puts it back once
its lease expires. A heartbeat thread (its own connection) renews ``WorkerHeartbeat`` meanwhile, so a long task
of a live worker is never mistaken for an abandoned one.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from onewindow.core.queue import (
    DATABASE_FAILURES,
    task_result_requeue,
    worker_heartbeat,
    worker_heartbeat_end,
)
from onewindow.core.resilience import database_wait

log = logging.getLogger(__name__)


def worker_identity() -> str:
    """host-pid-random, at most 64 characters (the width of django-tasks-db's worker ids)."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"[:64]


class HeartbeatThread(threading.Thread):
    """Renews the worker's ``WorkerHeartbeat`` row on its own database connection, whatever the worker does."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id, self.started_at, self.stopped = worker_id, timezone.now(), threading.Event()

    def run(self) -> None:
        interval = float(settings.ONEWINDOW_WORKER_HEARTBEAT_SECONDS)
        while not self.stopped.is_set():
            try:
                worker_heartbeat(worker_id=self.worker_id, started_at=self.started_at)
            except DatabaseError as error:
                log.warning("worker %s: heartbeat failed (%s); retrying", self.worker_id, error)
                connections.close_all()
            self.stopped.wait(interval)
        try:
            worker_heartbeat_end(worker_id=self.worker_id)
        except DatabaseError:
            log.warning("worker %s: could not remove its heartbeat; it will expire", self.worker_id)
        finally:
            connections.close_all()


class ResilientWorker(Worker):
    """Polls the queue until stopped; a lost database makes it wait and reconnect, never exit. The task it was
    running when the database went away goes back to the queue at once (not after the lease)."""

    interrupted: object = None

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.interrupted = db_task_result.pk
        super().run_task(db_task_result)  # raises only if recording the outcome failed too
        self.interrupted = None
        if db_task_result.exception_class_path in DATABASE_FAILURES:
            task_result_requeue(result_id=db_task_result.pk, failed=True)

    def run(self) -> None:
        heartbeat = HeartbeatThread(self.worker_id)
        heartbeat.start()
        try:
            while self.running:
                try:
                    if self.interrupted is not None:
                        task_result_requeue(result_id=self.interrupted, worker_id=self.worker_id)
                        self.interrupted = None
                    super().run()
                    return  # --batch found the queue empty, or --max-tasks were run
                except (OperationalError, InterfaceError) as error:
                    log.warning("worker %s lost the database: %s", self.worker_id, error)
                    self.startup_delay = False
                    database_wait(what=f"worker {self.worker_id}")
        finally:
            heartbeat.stopped.set()
            heartbeat.join(timeout=5)
