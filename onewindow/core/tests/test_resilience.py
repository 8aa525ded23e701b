"""Answers while the database is away (503 with Retry-After, never an HTML 500) and JSON errors under /api/."""

from __future__ import annotations

import io
import json
from unittest import mock

import psycopg
import pytest
from django.db import OperationalError, connection, connections
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_away():
    """Every new query fails as when the server is down: opening a cursor raises OperationalError."""
    with mock.patch.object(
        type(connections["default"]),
        "ensure_connection",
        side_effect=OperationalError("server closed the connection"),
    ):
        yield


def test_api_answers_503_json_with_retry_after_while_the_database_is_away(database_away):
    response = Client(raise_request_exception=False).get("/api/v1/workdays/day/2026-10-01")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "code": "service_unavailable",
        "message": "服务暂时不可用（数据库正在恢复），请稍后重试。",
    }


def test_a_signed_in_api_call_answers_503_json_when_the_user_look_up_fails(citizen, client_as):
    client = client_as(citizen)
    client.raise_request_exception = False
    with mock.patch.object(
        type(connections["default"]), "ensure_connection", side_effect=OperationalError("gone")
    ):
        response = client.post("/api/v1/cases", data={"item": "x"}, content_type="application/json")
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"


def test_pages_answer_a_chinese_503_page_with_retry_after_while_the_database_is_away(database_away):
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "服务暂时不可用" in page
    assert "12345" in page


def test_a_signed_in_page_answers_503_not_500_when_the_session_cannot_be_read(citizen, client_as):
    client = client_as(citizen)
    client.raise_request_exception = False
    with mock.patch.object(
        type(connections["default"]), "ensure_connection", side_effect=OperationalError("gone")
    ):
        response = client.get("/cases/")
    assert response.status_code == 503
    assert "服务暂时不可用" in response.content.decode()


def test_healthz_says_the_database_is_the_failing_component(database_away):
    response = Client(raise_request_exception=False).get("/healthz")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["status"] == "unavailable"
    assert [problem["component"] for problem in body["problems"]] == ["database"]


def test_a_bad_query_is_still_a_500_not_a_503():
    with mock.patch("onewindow.core.views.platform_health", side_effect=ZeroDivisionError):
        response = Client(raise_request_exception=False).get("/healthz")
    assert response.status_code == 500


def test_unknown_api_route_answers_404_json():
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_wrong_method_answers_405_json_with_allow():
    response = Client().delete("/api/v1/workdays/day/2026-10-01")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_oversized_api_body_answers_413_json_and_is_not_read(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"item": "x" * 2000})
    response = Client().post("/api/v1/cases", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_an_unexpected_api_failure_answers_500_json():
    with mock.patch("onewindow.workdays.api.WorkCalendar", side_effect=ZeroDivisionError):
        response = Client(raise_request_exception=False).get("/api/v1/workdays/day/2026-10-01")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"


def test_api_rate_limit_answers_429_json_with_retry_after(settings):
    settings.ONEWINDOW_RATE_LIMITS = {**settings.ONEWINDOW_RATE_LIMITS, "public_lookup": (1, 60)}
    client = Client()
    client.get("/api/v1/workdays/day/2026-10-01")
    response = client.get("/api/v1/workdays/day/2026-10-01")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 0


# --- for real, on PostgreSQL: the server ends our connection, the next request is 503, the one after 200 --


@pytest.mark.django_db(transaction=True)
def test_site_recovers_after_its_postgresql_connection_is_terminated(audit_triggers_off):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (pg_terminate_backend)")
    client = Client(raise_request_exception=False)
    assert client.get("/api/v1/workdays/day/2026-10-01").status_code == 200
    _terminate(connection.connection.info.backend_pid)
    response = client.get("/api/v1/workdays/day/2026-10-01")
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert client.get("/api/v1/workdays/day/2026-10-01").status_code == 200


def _terminate(pid: int) -> None:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def audit_triggers_off():
    """A transactional test ends by emptying every table, which the audit table's triggers refuse."""
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")


def test_the_503_page_falls_back_to_plain_chinese_when_it_cannot_be_rendered(database_away):
    with mock.patch("onewindow.core.resilience.render_to_string", side_effect=ValueError("no manifest")):
        response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 503
    assert "服务暂时不可用" in response.content.decode()


def test_an_oversized_multipart_field_answers_413_json(settings, citizen, client_as):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = client_as(citizen)
    client.raise_request_exception = False
    response = client.post(
        "/api/v1/cases/00000000-0000-0000-0000-000000000000/materials",
        data={"material_id": "x" * 2000, "file": io.BytesIO(b"%PDF-1.7")},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
