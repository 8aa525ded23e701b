"""Every write endpoint of the API, as a browser and as a department system would call it — through the test
client with CSRF enforced and through a real HTTP server: a session cookie needs the CSRF token (without it
403 ``csrf_failed``, with it the request reaches the endpoint); a bearer token needs no CSRF token, and a token
without the endpoint's scope is 403 ``insufficient_scope``. The plain test client skips CSRF, which is how a
bearer token answered ``csrf_failed`` without anyone noticing (issue #13)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import requests
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from onewindow.api import api
from onewindow.identity.tests.oidc_flow import department_system

WRITE_METHODS = ("post", "put", "patch", "delete")
ALL_SCOPES = "openid profile cases licences tasks webhooks supervision:read supervision:write"
CSRF = "k" * 32


def _write_operations() -> list[tuple[str, str, bool]]:
    """(method, path with made-up ids, whether a bearer token is accepted) of every write operation."""
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in WRITE_METHODS:
                continue
            schemes = {name for requirement in operation.get("security", []) for name in requirement}
            concrete = path
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    concrete = concrete.replace("{" + parameter["name"] + "}", str(uuid.uuid4()))
            if schemes:
                found.append((method, concrete, "AccessTokenAuth" in schemes))
            else:
                PUBLIC_OPERATIONS.append((method, path, concrete))
    return found


# Writes that need no sign-in by design and use nothing of a session: a queue ticket taken at the hall kiosk
# or by phone, and the SMS / phone operator's ratings gateway (signed). CSRF protects a session; these have
# none to protect and are rate-limited or signed instead.
PUBLIC_OPERATIONS: list[tuple[str, str, str]] = []
OPERATIONS = _write_operations()


def test_the_only_writes_without_a_sign_in_are_the_kiosk_ticket_and_the_ratings_gateway():
    assert {(method, path) for method, path, _concrete in PUBLIC_OPERATIONS} == {
        ("post", "/api/v1/queue/centres/{centre_id}/tickets"),
        ("post", "/api/v1/ratings/inbound/{channel}"),
    }


def test_every_write_operation_is_covered():
    assert len(OPERATIONS) >= 25
    assert all(schemes for schemes in OPERATIONS)


@pytest.fixture
def caller(db, platform_admin, settings):
    """The signed-in person (a platform administrator, so staff endpoints are reached) and two tokens."""
    settings.ONEWINDOW_RATE_LIMITS = {**settings.ONEWINDOW_RATE_LIMITS, "account_write": (10**6, 60)}
    application, _secret = department_system(platform_admin)
    tokens = {}
    for name, scope in (("full", ALL_SCOPES), ("narrow", "openid")):
        tokens[name] = f"write-auth-{name}-{uuid.uuid4().hex}"
        AccessToken.objects.create(
            user=platform_admin,
            application=application,
            token=tokens[name],
            scope=scope,
            expires=timezone.now() + dt.timedelta(hours=1),
        )
    session = Client()
    session.force_login(platform_admin)
    return {"sessionid": session.cookies["sessionid"].value, **tokens}


class DjangoCaller:
    """The test client with CSRF enforced, as a browser's requests are checked."""

    def __init__(self, base: str = "") -> None:
        self.client = Client(enforce_csrf_checks=True)

    def send(self, method: str, path: str, *, cookies: dict[str, str], headers: dict[str, str]) -> Any:
        self.client.cookies.clear()
        for name, value in cookies.items():
            self.client.cookies[name] = value
        extra = {f"HTTP_{key.upper().replace('-', '_')}": value for key, value in headers.items()}
        answer = getattr(self.client, method)(path, data="{}", content_type="application/json", **extra)
        return answer.status_code, answer.json(), answer.headers


class HttpCaller:
    """A real HTTP client against the live server: nothing of Django's test machinery in between."""

    def __init__(self, base: str) -> None:
        self.base = base

    def send(self, method: str, path: str, *, cookies: dict[str, str], headers: dict[str, str]) -> Any:
        answer = requests.request(
            method.upper(),
            self.base + path,
            data=b"{}",
            cookies=cookies,
            headers={"Content-Type": "application/json", **headers},
            timeout=30,
        )
        return answer.status_code, answer.json(), answer.headers


def _check_every_write(send: Any, caller: dict[str, str]) -> None:
    session = {"sessionid": caller["sessionid"], "csrftoken": CSRF}
    for method, path, concrete in PUBLIC_OPERATIONS:
        for headers in ({}, {"X-CSRFToken": CSRF}, {"Authorization": f"Bearer {caller['narrow']}"}):
            status, body, _headers = send(method, concrete, cookies=session, headers=headers)
            assert status < 500, (method, path, body)
    for method, path, token_accepted in OPERATIONS:
        label = f"{method.upper()} {path}"
        status, body, _headers = send(method, path, cookies=session, headers={})
        assert (status, body["code"]) == (403, "csrf_failed"), label

        status, body, _headers = send(method, path, cookies=session, headers={"X-CSRFToken": CSRF})
        assert status < 500, (label, body)
        assert body.get("code") not in ("csrf_failed", "unauthenticated", "insufficient_scope"), (label, body)

        full = {"Authorization": f"Bearer {caller['full']}"}
        status, body, headers = send(method, path, cookies={}, headers=full)
        assert status < 500, (label, body)
        if token_accepted:
            assert body.get("code") not in ("csrf_failed", "unauthenticated", "insufficient_scope"), (
                label,
                body,
            )
        else:
            # Only the person's own browser may do this: a token is not a sign-in here.
            assert (status, body["code"]) == (401, "unauthenticated"), (label, body)

        narrow = {"Authorization": f"Bearer {caller['narrow']}"}
        status, body, headers = send(method, path, cookies={}, headers=narrow)
        if token_accepted:
            assert (status, body["code"]) == (403, "insufficient_scope"), (label, body)
            assert headers["WWW-Authenticate"].startswith(
                'Bearer realm="onewindow", error="insufficient_scope"'
            )
        else:
            assert (status, body["code"]) == (401, "unauthenticated"), (label, body)


def test_every_write_through_the_test_client_with_csrf_enforced(caller):
    _check_every_write(DjangoCaller().send, caller)


def test_every_write_through_a_real_http_server(live_server_flushable, live_server, caller):
    _check_every_write(HttpCaller(live_server.url).send, caller)


def test_an_unknown_token_is_401_with_an_invalid_token_challenge(db):
    answer = Client().post(
        "/api/v1/tasks/00000000-0000-0000-0000-000000000000/claim", HTTP_AUTHORIZATION="Bearer nope"
    )

    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer["WWW-Authenticate"]
