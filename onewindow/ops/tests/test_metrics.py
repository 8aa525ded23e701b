"""/metrics: request, queue and database figures for the monitoring system, and for no one else."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_metrics_answer_loopback_with_prometheus_text(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "django_http_requests_total_by_method_total" in body
    assert 'onewindow_database_up{alias="default"} 1.0' in body


def test_metrics_show_the_task_queue_depth(client):
    body = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert "onewindow_tasks_ready " in body
    assert "onewindow_scheduler_running 0.0" in body


def test_metrics_refuse_a_public_address(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_metrics_refuse_a_public_client_behind_the_proxy(client, settings):
    """Behind nginx every request comes from loopback: the forwarded client address decides."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 403


def test_metrics_follow_the_configured_allow_list(client, settings):
    settings.ONEWINDOW_METRICS_ALLOW = ["10.1.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_metrics_refuse_writes(client):
    assert client.post("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 405
