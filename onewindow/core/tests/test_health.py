"""/healthz: what a load balancer and an operator need to know, as JSON."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.core.scheduler import scheduler_lease_acquire

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_with_the_database_tasks_and_scheduler_state():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["ok"] is True
    assert {"database", "tasks", "scheduler"} <= body.keys()
    assert body["database"]["ok"] is True
    assert {"ready", "running", "failed_last_24h", "oldest_ready_seconds"} <= body["tasks"].keys()


def test_healthz_says_no_scheduler_runs_without_a_lease():
    assert Client().get("/healthz").json()["scheduler"] == {"running": False, "heartbeat_seconds_ago": None}


def test_healthz_says_the_scheduler_runs_while_its_lease_is_held():
    scheduler_lease_acquire(holder="machine-1")
    assert Client().get("/healthz").json()["scheduler"]["running"] is True


def test_healthz_is_never_cached():
    assert "no-cache" in Client().get("/healthz")["Cache-Control"]


def test_healthz_refuses_writes():
    assert Client().post("/healthz").status_code == 405
