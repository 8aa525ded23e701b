"""The queue's guarantees (core.queue): enqueue with the transaction, reap what dead workers left RUNNING,
handle once; and what /healthz says about stuck and failed tasks."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import OperationalError, transaction
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from onewindow.core.models import HandledOnce, WorkerHeartbeat
from onewindow.core.queue import (
    TaskAbandoned,
    enqueue_in_transaction,
    handled_once,
    task_result_requeue,
    task_results_reap,
)
from onewindow.core.tasks import audit_chain_check, task_results_prune
from onewindow.core.worker import ResilientWorker

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_QUEUE
    settings.ONEWINDOW_TASK_LEASE_SECONDS = 600
    settings.ONEWINDOW_TASK_MAX_ATTEMPTS = 3


def running_task(*, worker: str, minutes_ago: float, attempts: int = 1) -> DBTaskResult:
    """A task claimed by ``worker`` ``minutes_ago``, after ``attempts - 1`` earlier claims."""
    result = DBTaskResult.objects.get(pk=audit_chain_check.enqueue().id)
    result.status = TaskResultStatus.RUNNING
    result.started_at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    result.worker_ids = [f"earlier-{n}" for n in range(attempts - 1)] + [worker]
    result.save()
    return result


@task()
def database_gone_mid_task() -> None:
    raise OperationalError("terminating connection due to administrator command")


@task()
def broken_task() -> None:
    raise ValueError("a bug")


def worker() -> ResilientWorker:
    return ResilientWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="w1",
        excluded_queue_names=[],
    )


def claimed(task_function) -> DBTaskResult:
    result = DBTaskResult.objects.get(pk=task_function.enqueue().id)
    result.claim("w1")
    return result


def beating(worker: str, *, minutes_ago: float = 0) -> None:
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    WorkerHeartbeat.objects.create(worker_id=worker, host="h", pid=1, started_at=at, heartbeat_at=at)


def test_enqueue_in_transaction_writes_the_task_row_with_the_change(database_queue):
    with transaction.atomic():
        enqueue_in_transaction(audit_chain_check)
        assert DBTaskResult.objects.ready().count() == 1


def test_enqueue_in_transaction_rolls_back_with_the_change(database_queue):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_in_transaction(audit_chain_check)
        raise RuntimeError
    assert not DBTaskResult.objects.exists()


def test_the_immediate_backend_runs_the_task_only_once_committed(django_capture_on_commit_callbacks):
    with (
        mock.patch("onewindow.core.tasks.audit_chain_verify") as ran,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        assert enqueue_in_transaction(audit_chain_check) == ""
        assert not ran.called
    assert ran.called


def test_a_task_left_running_by_a_dead_worker_goes_back_to_the_queue(database_queue):
    beating("dead", minutes_ago=30)
    task = running_task(worker="dead", minutes_ago=20)

    report = task_results_reap()

    task.refresh_from_db()
    assert report.requeued == [str(task.pk)]
    assert (task.status, task.started_at) == (TaskResultStatus.READY, None)


def test_a_task_whose_worker_never_beat_is_reaped_too(database_queue):
    task = running_task(worker="gone", minutes_ago=20)
    assert task_results_reap().requeued == [str(task.pk)]


def test_a_long_task_of_a_live_worker_is_left_alone(database_queue):
    beating("alive")
    task = running_task(worker="alive", minutes_ago=60)
    assert task_results_reap().requeued == []
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_a_task_within_its_lease_is_left_alone(database_queue):
    task = running_task(worker="gone", minutes_ago=5)
    assert task_results_reap().requeued == []
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_a_task_abandoned_too_often_fails_with_the_reason(database_queue):
    task = running_task(worker="gone", minutes_ago=20, attempts=3)

    report = task_results_reap()

    task.refresh_from_db()
    assert report.failed == [str(task.pk)]
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "onewindow.core.queue.TaskAbandoned"
    assert "3 times" in task.traceback
    assert TaskAbandoned.__name__ in task.traceback


def test_handled_once_says_yes_once():
    assert handled_once("case_notify:1") is True
    assert handled_once("case_notify:1") is False
    assert handled_once("case_notify:2") is True


def test_healthz_reports_stuck_tasks_as_a_degraded_queue(database_queue):
    running_task(worker="gone", minutes_ago=20)
    response = Client().get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["tasks"]["stuck"] == 1
    assert {"component": "queue", "code": "tasks.stuck"} in body["problems"]


def test_healthz_reports_failed_tasks_of_the_last_day(database_queue):
    running_task(worker="gone", minutes_ago=20, attempts=3)
    task_results_reap()
    body = Client().get("/healthz").json()
    assert body["tasks"]["failed_last_24h"] == 1
    assert {"component": "queue", "code": "tasks.failed"} in body["problems"]


def test_strict_healthz_answers_503_when_degraded(database_queue):
    response = Client().get("/healthz?strict=1")  # no scheduler holds the lease
    assert response.status_code == 503
    assert {"component": "scheduler", "code": "scheduler.not_running"} in response.json()["problems"]


def test_a_task_that_failed_because_the_database_went_away_is_run_again(database_queue):
    result = claimed(database_gone_mid_task)
    worker().run_task(result)
    result.refresh_from_db()
    assert (result.status, result.exception_class_path) == (TaskResultStatus.READY, "")


def test_a_task_that_failed_on_a_bug_stays_failed(database_queue):
    result = claimed(broken_task)
    worker().run_task(result)
    result.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED


def test_a_database_failure_is_not_retried_past_the_attempts(database_queue, settings):
    settings.ONEWINDOW_TASK_MAX_ATTEMPTS = 1
    result = claimed(database_gone_mid_task)
    worker().run_task(result)
    result.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED


def test_the_worker_requeues_the_task_it_was_running_when_the_database_went_away(database_queue):
    result = claimed(audit_chain_check)
    assert task_result_requeue(result_id=result.pk, worker_id="another") is False
    assert task_result_requeue(result_id=result.pk, worker_id="w1") is True
    result.refresh_from_db()
    assert result.status == TaskResultStatus.READY


def test_the_weekly_prune_forgets_old_handled_once_keys():
    handled_once("case_notify:old")
    HandledOnce.objects.update(handled_at=timezone.now() - dt.timedelta(days=31))
    handled_once("case_notify:new")
    task_results_prune.call()
    assert list(HandledOnce.objects.values_list("key", flat=True)) == ["case_notify:new"]


def test_after_reconnecting_the_worker_runs_again_the_task_it_was_running(database_queue):
    result = claimed(audit_chain_check)
    interrupted = worker()
    interrupted.interrupted = result.pk  # the database went away while this task ran
    with (
        mock.patch("onewindow.core.worker.HeartbeatThread"),
        # It would close the test's own connection, which holds the test's transaction.
        mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"),
    ):
        interrupted.run()
    result.refresh_from_db()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.worker_ids == ["w1", "w1"]
