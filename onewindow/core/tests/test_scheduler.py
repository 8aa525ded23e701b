"""The scheduler: one lease holder across machines, and each periodic job enqueued once per interval."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.core import clock
from onewindow.core.models import PeriodicJobRun, SchedulerLease
from onewindow.core.scheduler import (
    periodic_jobs_enqueue_due,
    scheduler_lease_acquire,
    scheduler_lease_release,
    scheduler_run,
)

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 9, 30, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def now(monkeypatch):
    """A clock the test moves forward by hand."""
    current = {"now": START}
    monkeypatch.setattr(clock, "now", lambda: current["now"])

    def advance(**delta: float) -> None:
        current["now"] += dt.timedelta(**delta)

    return advance


@pytest.fixture
def jobs(settings):
    settings.ONEWINDOW_PERIODIC_JOBS = [
        ("onewindow.core.tasks.audit_chain_check", 60 * 60),
        ("onewindow.workdays.tasks.deadlines_refresh_paused", 6 * 60 * 60),
    ]
    return [path for path, _ in settings.ONEWINDOW_PERIODIC_JOBS]


def test_the_first_scheduler_takes_the_lease(now):
    assert scheduler_lease_acquire(holder="a") is True
    assert SchedulerLease.objects.get().holder == "a"


def test_a_second_scheduler_does_not_get_a_held_lease(now):
    scheduler_lease_acquire(holder="a")
    assert scheduler_lease_acquire(holder="b") is False
    assert SchedulerLease.objects.get().holder == "a"


def test_the_holder_renews_its_lease(now, settings):
    scheduler_lease_acquire(holder="a")
    now(seconds=30)
    assert scheduler_lease_acquire(holder="a") is True
    lease = SchedulerLease.objects.get()
    assert lease.expires_at == START + dt.timedelta(seconds=30 + settings.ONEWINDOW_SCHEDULER_LEASE_SECONDS)


def test_another_scheduler_takes_over_an_expired_lease(now, settings):
    scheduler_lease_acquire(holder="a")
    now(seconds=settings.ONEWINDOW_SCHEDULER_LEASE_SECONDS + 1)
    assert scheduler_lease_acquire(holder="b") is True
    assert scheduler_lease_acquire(holder="a") is False
    assert SchedulerLease.objects.get().holder == "b"


def test_a_released_lease_is_free_at_once(now):
    scheduler_lease_acquire(holder="a")
    scheduler_lease_release(holder="a")
    assert scheduler_lease_acquire(holder="b") is True


def test_only_the_holder_can_release_a_lease(now):
    scheduler_lease_acquire(holder="a")
    scheduler_lease_release(holder="b")
    assert SchedulerLease.objects.get().holder == "a"


def test_every_periodic_job_is_enqueued_on_the_first_tick(now, jobs):
    assert periodic_jobs_enqueue_due() == jobs
    assert set(PeriodicJobRun.objects.values_list("name", flat=True)) == set(jobs)


def test_a_job_is_not_enqueued_again_within_its_interval(now, jobs):
    periodic_jobs_enqueue_due()
    now(minutes=59)
    assert periodic_jobs_enqueue_due() == []


def test_a_job_is_enqueued_again_once_its_interval_has_passed(now, jobs):
    periodic_jobs_enqueue_due()
    now(hours=1)
    assert periodic_jobs_enqueue_due() == ["onewindow.core.tasks.audit_chain_check"]
    now(hours=5)
    assert periodic_jobs_enqueue_due() == jobs


def test_a_run_records_when_and_which_result(now, jobs, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    periodic_jobs_enqueue_due()
    run = PeriodicJobRun.objects.get(name=jobs[0])
    assert run.last_enqueued_at == START
    assert run.last_result_id


def test_the_scheduler_loop_enqueues_due_jobs_and_releases_its_lease(now, jobs):
    scheduler_run(tick_seconds=0, max_ticks=2)
    assert PeriodicJobRun.objects.count() == len(jobs)
    assert not SchedulerLease.objects.exists()


def test_the_scheduler_loop_does_nothing_while_another_holds_the_lease(now, jobs):
    scheduler_lease_acquire(holder="elsewhere")
    scheduler_run(tick_seconds=0, max_ticks=1)
    assert not PeriodicJobRun.objects.exists()
    assert SchedulerLease.objects.get().holder == "elsewhere"
