"""Identity verifiers and company registries: the sandbox rules, and the HTTP adapters against a local server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from onewindow.core.errors import DomainError
from onewindow.identity.verifiers import (
    SANDBOX_DEFAULT_REPRESENTATIVE,
    HttpCompanyRegistry,
    HttpIdentityVerifier,
    SandboxCompanyRegistry,
    SandboxIdentityVerifier,
)
from tests.factories import valid_citizen_id, valid_credit_code

ID = valid_citizen_id(7)


def test_the_sandbox_registry_accepts_a_valid_number():
    result = SandboxIdentityVerifier().verify_registry(name="张三", id_number=ID)
    assert result.ok and result.reference.startswith("sandbox-")


def test_the_sandbox_registry_refuses_a_name_marked_to_fail():
    assert not SandboxIdentityVerifier().verify_registry(name="张测试不通过", id_number=ID).ok


def test_the_sandbox_registry_refuses_sequence_999():
    assert not SandboxIdentityVerifier().verify_registry(name="张三", id_number=valid_citizen_id(999)).ok


def test_the_sandbox_registry_refuses_an_invalid_number():
    result = SandboxIdentityVerifier().verify_registry(name="张三", id_number=ID[:17] + "0")
    assert not result.ok and "校验位" in result.detail


@pytest.mark.parametrize(
    "evidence", [SandboxIdentityVerifier.FACE_TOKEN, SandboxIdentityVerifier.FACE_TOKEN.encode()]
)
def test_the_sandbox_face_check_passes_with_the_token(evidence):
    assert SandboxIdentityVerifier().verify_face(name="张三", id_number=ID, evidence=evidence).ok


def test_the_sandbox_face_check_fails_with_anything_else():
    assert not SandboxIdentityVerifier().verify_face(name="张三", id_number=ID, evidence=b"\x89PNG...").ok


def test_the_sandbox_company_registry_knows_its_demo_companies():
    record = SandboxCompanyRegistry().lookup(credit_code="91350100M000100Y43")
    assert record is not None and record.name == "福州市闽江食品有限公司" and record.is_active


def test_the_sandbox_company_registry_generates_a_company_for_other_valid_codes():
    code = valid_credit_code(42)
    record = SandboxCompanyRegistry().lookup(credit_code=code)
    assert record == SandboxCompanyRegistry().lookup(credit_code=code)
    assert record is not None and record.legal_representative_name == SANDBOX_DEFAULT_REPRESENTATIVE


def test_the_sandbox_company_registry_does_not_know_a_code_failing_its_checksum():
    code = valid_credit_code(42)
    wrong = code[:17] + ("1" if code[17] != "1" else "2")
    assert SandboxCompanyRegistry().lookup(credit_code=wrong) is None


class _Relay(BaseHTTPRequestHandler):
    """A pretend provider relay: answers what the test queued, records what it was sent."""

    answers: list[tuple[int, object, float]] = []
    seen: list[dict[str, object]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        status, answer, delay = type(self).answers.pop(0)
        time.sleep(delay)
        payload = (answer if isinstance(answer, str) else json.dumps(answer)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def relay() -> Iterator[str]:
    _Relay.answers, _Relay.seen = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Relay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_http_verifier_posts_the_registry_check_with_the_token(relay):
    _Relay.answers.append((200, {"ok": True, "reference": "gab-1", "detail": ""}, 0))
    result = HttpIdentityVerifier(url=relay, token="secret").verify_registry(name="张三", id_number=ID)
    assert (result.ok, result.reference) == (True, "gab-1")
    assert _Relay.seen == [
        {"path": "/registry", "body": {"name": "张三", "id_number": ID}, "auth": "Bearer secret"}
    ]


def test_the_http_verifier_sends_face_evidence_as_base64(relay):
    _Relay.answers.append((200, {"ok": False, "detail": "不匹配"}, 0))
    result = HttpIdentityVerifier(url=relay).verify_face(name="张三", id_number=ID, evidence=b"img")
    assert (result.ok, result.detail) == (False, "不匹配")
    assert _Relay.seen[0]["path"] == "/face" and _Relay.seen[0]["body"]["evidence"] == "aW1n"


@pytest.mark.parametrize(
    "answer",
    [
        (500, {"error": "down"}, 0),
        (200, "not json", 0),
        (200, {"reference": "x"}, 0),
        (200, {"ok": True}, 1.0),
    ],
)
def test_the_http_verifier_reports_an_outage_as_unavailable(relay, answer):
    _Relay.answers.append(answer)
    with pytest.raises(DomainError) as caught:
        HttpIdentityVerifier(url=relay, timeout=0.3).verify_registry(name="张三", id_number=ID)
    assert (caught.value.code, caught.value.status) == ("verifier.unavailable", 503)


def test_the_http_adapters_refuse_plain_http_to_another_host():
    with pytest.raises(ImproperlyConfigured):
        HttpIdentityVerifier(url="http://verifier.example.com")
    with pytest.raises(ImproperlyConfigured):
        HttpCompanyRegistry(url="http://registry.example.com")


def test_the_http_company_registry_reads_a_found_record(relay):
    _Relay.answers.append(
        (200, {"found": True, "name": "某公司", "legal_representative_name": "张三", "status": "active"}, 0)
    )
    record = HttpCompanyRegistry(url=relay).lookup(credit_code="91350100M000100Y43")
    assert record is not None and (record.name, record.is_active) == ("某公司", True)
    assert _Relay.seen[0]["body"] == {"credit_code": "91350100M000100Y43"}


def test_the_http_company_registry_answers_none_when_not_found(relay):
    _Relay.answers.append((200, {"found": False}, 0))
    assert HttpCompanyRegistry(url=relay).lookup(credit_code="91350100M000100Y43") is None


def test_the_http_company_registry_reports_an_outage(relay):
    _Relay.answers.append((502, {}, 0))
    with pytest.raises(DomainError) as caught:
        HttpCompanyRegistry(url=relay).lookup(credit_code="91350100M000100Y43")
    assert caught.value.code == "registry.unavailable"
