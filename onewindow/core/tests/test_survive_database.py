"""For real, on PostgreSQL: a worker and a scheduler run as subprocesses; the database throws them out
(``pg_terminate_backend``) and refuses new connections for a few seconds, as during a server restart. They
must log it, wait with back-off, reconnect and carry on — the worker runs a task queued afterwards — with no
restart."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from django_tasks import TaskContext, TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from onewindow.core.models import SchedulerLease, WorkerHeartbeat
from onewindow.core.queue import task_results_reap
from onewindow.core.tasks import audit_chain_check

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@task(takes_context=True)
def hangs_on_its_first_attempt(context: TaskContext) -> int:
    """Stands for a task whose worker is killed under it: the first attempt never ends by itself."""
    if context.attempt == 1:
        time.sleep(600)
    return context.attempt


@pytest.fixture
def committed_db(transactional_db, settings) -> Iterator[None]:
    """Real commits, so the subprocesses see what the test writes; the database queue, not the immediate one."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (pg_terminate_backend, ALLOW_CONNECTIONS)")
    settings.TASKS = DATABASE_QUEUE
    yield
    _database_allow_connections(True)
    # The test ends by emptying every table, which the audit table's append-only triggers refuse
    # (the same as conftest.live_server_flushable; transactional tests run after the others).
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")


def _admin() -> psycopg.Connection:
    params = connection.get_connection_params()
    for key in ("cursor_factory", "context", "dbname"):
        params.pop(key, None)
    return psycopg.connect(**params, dbname="postgres", autocommit=True)


def _database_allow_connections(allowed: bool) -> None:
    with _admin() as admin:
        admin.execute(f'ALTER DATABASE "{connection.settings_dict["NAME"]}" ALLOW_CONNECTIONS {allowed}')


def database_outage(seconds: float) -> None:
    """Refuse new connections, end every other connection to the test database, wait, then allow again."""
    connection.ensure_connection()  # ours survives: the test goes on using it
    ours = connection.connection.info.backend_pid
    _database_allow_connections(False)
    with _admin() as admin:
        ended = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
            [connection.settings_dict["NAME"], ours],
        ).fetchone()
    assert ended and ended[0] >= 1
    time.sleep(seconds)
    _database_allow_connections(True)


def start(tmp_path: Path, *command: str) -> tuple[subprocess.Popen[bytes], Path]:
    log = tmp_path / f"{command[0]}.log"
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "onewindow.settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "ONEWINDOW_WORKER_HEARTBEAT_SECONDS": "1",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "onewindow.cli", *command], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    return process, log


def wait_for(condition: Callable[[], bool], *, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def succeeded(result_id: str) -> bool:
    return DBTaskResult.objects.filter(pk=result_id, status=TaskResultStatus.SUCCESSFUL).exists()


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def test_a_worker_survives_the_database_going_away_and_runs_the_next_task(committed_db, tmp_path):
    worker, log = start(tmp_path, "worker", "--interval", "0.2")
    try:
        first = str(audit_chain_check.enqueue().id)
        wait_for(lambda: succeeded(first))

        database_outage(seconds=3)
        after = str(audit_chain_check.enqueue().id)
        wait_for(lambda: succeeded(after))

        assert worker.poll() is None, log.read_text()
        output = log.read_text()
        assert "database unreachable, reconnecting in" in output
        assert "database reachable again" in output
    finally:
        stop(worker)


def test_the_scheduler_survives_the_database_going_away_and_renews_its_lease(committed_db, tmp_path):
    scheduler, log = start(tmp_path, "scheduler", "--tick", "0.5")
    try:
        wait_for(lambda: SchedulerLease.objects.exists())
        database_outage(seconds=3)
        seen = SchedulerLease.objects.get().heartbeat_at
        wait_for(lambda: SchedulerLease.objects.filter(heartbeat_at__gt=seen).exists())

        assert scheduler.poll() is None, log.read_text()
        output = log.read_text()
        assert "lost the database" in output
        assert "database reachable again" in output
    finally:
        stop(scheduler)


def test_a_task_whose_worker_is_killed_is_reaped_and_run_by_another_worker(committed_db, tmp_path, settings):
    settings.ONEWINDOW_TASK_LEASE_SECONDS = 2
    first_worker, _ = start(tmp_path, "worker", "--interval", "0.2")
    second_worker = None
    try:
        result_id = str(hangs_on_its_first_attempt.enqueue().id)
        wait_for(lambda: DBTaskResult.objects.filter(pk=result_id, status=TaskResultStatus.RUNNING).exists())
        time.sleep(3)  # past the lease: but the worker is alive and heartbeating, so its task is left alone
        assert WorkerHeartbeat.objects.filter(
            heartbeat_at__gt=timezone.now() - dt.timedelta(seconds=2)
        ).exists()
        assert task_results_reap().requeued == []

        first_worker.kill()  # kill -9: no clean-up, the task stays RUNNING
        first_worker.wait()
        time.sleep(3)  # past the lease, and no heartbeat any more

        assert task_results_reap().requeued == [result_id]
        second_worker, _ = start(tmp_path, "worker", "--interval", "0.2")
        wait_for(lambda: succeeded(result_id))
        result = DBTaskResult.objects.get(pk=result_id)
        assert result.return_value == 2
        assert len(result.worker_ids) == 2
    finally:
        stop(first_worker)
        if second_worker is not None:
            stop(second_worker)


def test_a_worker_stopped_with_sigterm_removes_its_heartbeat(committed_db, tmp_path):
    worker, _ = start(tmp_path, "worker", "--interval", "0.2")
    try:
        wait_for(lambda: WorkerHeartbeat.objects.exists())
    finally:
        stop(worker)
    assert worker.returncode == 0
    assert not WorkerHeartbeat.objects.exists()
