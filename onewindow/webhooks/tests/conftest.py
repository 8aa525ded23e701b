"""Webhooks fixtures: the workflow's joint-review item and staff (a case accepted at the window opens tasks), a
department system with a subscription, a receiver — a real HTTP server in a thread that can be taken down —
and a clock the tests move forward."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from onewindow.core import clock
from onewindow.core.plugins import plugins_reset
from onewindow.identity.tests.oidc_flow import department_system
from onewindow.webhooks import services
from onewindow.webhooks.signing import (
    HEADER_EVENT_ID,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    signature_verify,
)
from onewindow.workflow.tests.conftest import (  # noqa: F401  (fixtures shared with the workflow tests)
    approver_a,
    definition,
    head_a,
    item,
    media_root,
    reviewer_a,
    reviewer_b,
    start,
)

RECEIVER_PORT = 8121  # this helper's port range (docs: live servers use 81x0..81x9)


class Clock:
    """``clock.now`` pinned and moved by hand: ``moves(seconds=30)``."""

    def __init__(self, monkeypatch: Any) -> None:
        self.moment = dt.datetime(2026, 9, 29, 2, 0, tzinfo=dt.UTC)
        monkeypatch.setattr(clock, "now", lambda: self.moment)
        monkeypatch.setattr(clock, "today", lambda: self.moment.date())

    def moves(self, **delta: float) -> dt.datetime:
        self.moment += dt.timedelta(**delta)
        return self.moment


@pytest.fixture(autouse=True)
def at(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def system(platform_admin):
    application, _secret = department_system(platform_admin)
    return application


@pytest.fixture
def subscribe(system, platform_admin, department_a):
    def make(url: str = f"http://127.0.0.1:{RECEIVER_PORT}/hooks", events=("*",), department=None):
        return services.subscription_create(
            actor=platform_admin,
            application=system,
            department=department or department_a,
            url=url,
            events=list(events),
        )

    return make


class Receiver:
    """A department system's webhook endpoint. ``down`` makes it answer 503; ``lose_next_ack`` makes it store
    the next event and still answer 500 (its answer lost), so the platform sends it again. It keeps events
    by their id, as the docs tell receivers to: a repeat is acknowledged and dropped."""

    def __init__(self, secret_of: dict[str, str]) -> None:
        self.secret_of = secret_of
        self.down = False
        self.lose_next_ack = False
        self.requests: list[dict[str, Any]] = []
        self.events: dict[str, dict[str, Any]] = {}
        self.bad_signatures = 0
        self.lock = threading.Lock()

    def handle(self, headers: Any, body: bytes) -> int:
        with self.lock:
            self.requests.append({"headers": dict(headers), "body": body})
            if self.down:
                return 503
            secret = self.secret_of.get(headers.get("X-Onewindow-Subscription", ""), "") or next(
                iter(self.secret_of.values()), ""
            )
            if not signature_verify(
                secret=secret,
                timestamp=int(headers[HEADER_TIMESTAMP]),
                body=body,
                signature=headers[HEADER_SIGNATURE],
                now=int(clock.now().timestamp()),
            ):
                self.bad_signatures += 1
                return 401
            self.events.setdefault(headers[HEADER_EVENT_ID], json.loads(body))
            if self.lose_next_ack:
                self.lose_next_ack = False
                return 500
            return 204


@pytest.fixture
def receiver(settings):
    """The receiver on 127.0.0.1:8121, and the platform's real HTTP transport pointed at it."""
    settings.ONEWINDOW_PLUGINS = {
        **settings.ONEWINDOW_PLUGINS,
        "webhook_transport": "onewindow.webhooks.transports.HttpWebhookTransport",
    }
    plugins_reset()
    state = Receiver({})

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(state.handle(self.headers, body))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", RECEIVER_PORT), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    plugins_reset()
