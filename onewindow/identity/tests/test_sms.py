"""SMS gateways: the sandbox keeps the last message per phone (by hash), the HTTP adapter posts JSON."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from onewindow.core.errors import DomainError
from onewindow.identity.services.people import phone_hash
from onewindow.identity.sms import HttpSmsGateway, SandboxSmsGateway

PHONE = "13900000001"


class _Provider(BaseHTTPRequestHandler):
    """A stand-in SMS provider: remembers what it got, answers as ``self.server.answer`` says."""

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.server.received.append(  # type: ignore[attr-defined]
            {"body": json.loads(self.rfile.read(length)), "authorization": self.headers.get("Authorization")}
        )
        status, body = self.server.answer  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def provider() -> Iterator[HTTPServer]:
    server = HTTPServer(("127.0.0.1", 0), _Provider)
    server.received = []  # type: ignore[attr-defined]
    server.answer = (200, '{"message_id": "m-1"}')  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _gateway(server: HTTPServer, **options: object) -> HttpSmsGateway:
    return HttpSmsGateway(
        url=f"http://127.0.0.1:{server.server_port}/send", token="t0ken", sign_name="一网通办", **options
    )  # type: ignore[arg-type]


def test_the_sandbox_keeps_the_last_message_and_its_code():
    gateway = SandboxSmsGateway()
    assert gateway.send(phone=PHONE, text="您的验证码为 123456，5 分钟内有效。").startswith("sandbox-")
    gateway.send(phone=PHONE, text="您的验证码为 654321，5 分钟内有效。")
    assert SandboxSmsGateway.last_code(PHONE) == "654321"
    assert SandboxSmsGateway.last_code("13900000002") is None


def test_the_sandbox_keys_messages_by_the_phone_hash_not_the_number():
    SandboxSmsGateway().send(phone=PHONE, text="验证码 111222")
    assert cache.get(f"sms-sandbox:{phone_hash(PHONE)}") is not None
    assert cache.get(f"sms-sandbox:{PHONE}") is None


def test_the_http_gateway_posts_json_with_the_token_and_returns_the_message_id(provider):
    message_id = _gateway(provider).send(phone=PHONE, text="验证码 123456")
    assert message_id == "m-1"
    [request] = provider.received
    assert request["body"] == {"phone": PHONE, "text": "验证码 123456", "sign_name": "一网通办"}
    assert request["authorization"] == "Bearer t0ken"


def test_a_provider_error_is_refused_as_sms_unavailable(provider):
    provider.answer = (500, '{"error": "down"}')
    with pytest.raises(DomainError) as refused:
        _gateway(provider).send(phone=PHONE, text="验证码 123456")
    assert refused.value.code == "sms.unavailable"
    assert refused.value.status == 503


def test_an_answer_without_a_message_id_is_a_failure(provider):
    provider.answer = (200, '{"ok": true}')
    with pytest.raises(DomainError, match=r"sms\.unavailable"):
        _gateway(provider).send(phone=PHONE, text="验证码 123456")


def test_an_unreachable_provider_is_a_failure_not_a_crash():
    with pytest.raises(DomainError, match=r"sms\.unavailable"):
        HttpSmsGateway(url="http://127.0.0.1:9/send", timeout=1).send(phone=PHONE, text="x")


def test_a_provider_that_never_answers_times_out():
    silent = HTTPServer(("127.0.0.1", 0), _Provider)  # listening, never accepting
    try:
        gateway = HttpSmsGateway(url=f"http://127.0.0.1:{silent.server_port}/send", timeout=0.2)
        with pytest.raises(DomainError, match=r"sms\.unavailable"):
            gateway.send(phone=PHONE, text="x")
    finally:
        silent.server_close()


def test_a_plain_http_provider_elsewhere_is_refused_at_configuration():
    with pytest.raises(ImproperlyConfigured):
        HttpSmsGateway(url="http://sms.example.com/send")
    assert HttpSmsGateway(url="https://sms.example.com/send").url == "https://sms.example.com/send"
