"""Identity verifiers (plug-in kind ``identity_verifier``) and company registries (kind ``company_registry``).

A verifier checks a person against the population registry (L2: name and citizen ID number agree) and, for
L3, a face image against the registry photo. A company registry answers what the market-regulation register
holds for a unified social credit code. Each has a sandbox for the quick start and the tests, and an HTTP
adapter for the real service: providers differ in their field names, so a small relay in front of a
particular provider maps this one JSON shape onto theirs (as for SMS, see ``identity.sms``).

Sandbox rules, so refusals can be tried too:

- registry: any GB 11643-valid number passes, except when the name contains ``测试不通过`` or the number's
  sequence code (digits 15–17) is ``999``, which the sandbox reports as "not in the registry";
- face: passes when the evidence is ``SandboxIdentityVerifier.FACE_TOKEN`` (the verify page shows it);
- companies: the ``SANDBOX_COMPANIES`` table below, and a generated 存续 company whose legal representative is
  ``SANDBOX_DEFAULT_REPRESENTATIVE`` for any other credit code that passes its checksums.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from onewindow.core.errors import DomainError
from onewindow.core.identifiers import citizen_id_check, credit_code_check

logger = logging.getLogger(__name__)

VERIFIER_UNAVAILABLE = "身份核验服务暂时不可用，请稍后重试；如急需办理，请携带身份证到政务服务窗口核验。"
REGISTRY_UNAVAILABLE = "企业登记信息查询服务暂时不可用，请稍后重试。"


@dataclass(frozen=True)
class VerifierResult:
    """The verifier's answer: ``ok``, its own reference for the check, and a short reason when not ok."""

    ok: bool
    reference: str = ""
    detail: str = ""


class IdentityVerifier(Protocol):
    """What every identity-verification plug-in offers."""

    def verify_registry(self, *, name: str, id_number: str) -> VerifierResult: ...

    def verify_face(self, *, name: str, id_number: str, evidence: bytes | str) -> VerifierResult: ...


@dataclass(frozen=True)
class CompanyRecord:
    """A company as the registry holds it. ``status`` is ``active`` (存续/在业) or why it is not."""

    name: str
    legal_representative_name: str
    status: str = "active"
    reference: str = ""

    @property
    def is_active(self) -> bool:
        return self.status == "active"


class CompanyRegistry(Protocol):
    """What every company-registry plug-in offers: the record for a credit code, or None if unknown."""

    def lookup(self, *, credit_code: str) -> CompanyRecord | None: ...


def _reference(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(8)}"


class SandboxIdentityVerifier:
    """Checks nothing against a real registry: see the module docstring for what passes."""

    FACE_TOKEN = "sandbox-face-ok"  # noqa: S105 (a published sandbox value, not a secret)
    FAILING_NAME = "测试不通过"
    FAILING_SEQUENCE = "999"

    def verify_registry(self, *, name: str, id_number: str) -> VerifierResult:
        try:
            number = citizen_id_check(id_number)
        except DomainError as error:
            return VerifierResult(ok=False, detail=error.message)
        if self.FAILING_NAME in name or number[14:17] == self.FAILING_SEQUENCE:
            return VerifierResult(ok=False, reference=_reference("sandbox"), detail="姓名与身份证号码不匹配")
        return VerifierResult(ok=True, reference=_reference("sandbox"))

    def verify_face(self, *, name: str, id_number: str, evidence: bytes | str) -> VerifierResult:
        text = evidence.decode(errors="replace") if isinstance(evidence, bytes) else evidence
        if text.strip() != self.FACE_TOKEN:
            return VerifierResult(ok=False, reference=_reference("sandbox"), detail="人脸比对未通过")
        return VerifierResult(ok=True, reference=_reference("sandbox"))


def _https_only(url: str, setting: str) -> None:
    parts = urlsplit(url)
    # Identifiers never cross the network in clear; plain HTTP only to a relay on this host.
    if parts.scheme != "https" and not (
        parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost"}
    ):
        raise ImproperlyConfigured(f"{setting} must be an https:// address")


def _post_json(url: str, token: str, body: dict[str, Any], timeout: float) -> dict[str, Any]:
    """POST ``body`` as JSON; the answer as a dict. Raises OSError/ValueError on any failure."""
    request = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
        url,
        data=json.dumps(body, ensure_ascii=False).encode(),
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"},
    )
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
        answer = json.loads(response.read().decode() or "{}")
    if not isinstance(answer, dict):
        raise ValueError("the answer is not a JSON object")
    return answer


class HttpIdentityVerifier:
    """A verification service's HTTP API: ``POST <url>/registry`` with ``{"name", "id_number"}`` and
    ``POST <url>/face`` with ``{"name", "id_number", "evidence"}`` (evidence base64), bearer token; the
    answer is ``{"ok": bool, "reference": "...", "detail": "..."}``."""

    def __init__(self, url: str, token: str = "", timeout: float = 10.0) -> None:
        _https_only(url, "ONEWINDOW_IDENTITY_VERIFIER_URL")
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout

    def _ask(self, path: str, body: dict[str, Any]) -> VerifierResult:
        try:
            answer = _post_json(f"{self.url}/{path}", self.token, body, self.timeout)
            if not isinstance(answer.get("ok"), bool):
                raise ValueError("no ok in the answer")
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            # Log the failure, never the identifiers.
            logger.warning("identity verifier %s failed: %s", urlsplit(self.url).hostname, error)
            raise DomainError(code="verifier.unavailable", message=VERIFIER_UNAVAILABLE, status=503) from None
        return VerifierResult(
            ok=answer["ok"],
            reference=str(answer.get("reference", ""))[:100],
            detail=str(answer.get("detail", ""))[:300],
        )

    def verify_registry(self, *, name: str, id_number: str) -> VerifierResult:
        return self._ask("registry", {"name": name, "id_number": id_number})

    def verify_face(self, *, name: str, id_number: str, evidence: bytes | str) -> VerifierResult:
        raw = evidence.encode() if isinstance(evidence, str) else evidence
        return self._ask(
            "face", {"name": name, "id_number": id_number, "evidence": base64.b64encode(raw).decode()}
        )


SANDBOX_DEFAULT_REPRESENTATIVE = "张三"
# Demo companies (valid GB 32100 codes) the quick start and the tests can register; the legal representative
# must match the signed-in person's verified name.
SANDBOX_COMPANIES: dict[str, CompanyRecord] = {
    "91350100M000100Y43": CompanyRecord(name="福州市闽江食品有限公司", legal_representative_name="张三"),
    # Registered by the demo data (onewindow/demo/identity.py) with its agents.
    "91350100MA2Y0D3F9Q": CompanyRecord(name="福州闽江示范科技有限公司", legal_representative_name="陈大文"),
    "91350102MA2XN0ABX1": CompanyRecord(name="福州鼓楼区榕城餐饮有限公司", legal_representative_name="李四"),
    "91350104MA34C1XD0H": CompanyRecord(
        name="福州仓山区海峡科技有限公司", legal_representative_name="王小明"
    ),
    "91350105MA31Y5PB1F": CompanyRecord(
        name="福州马尾区已注销贸易有限公司", legal_representative_name="张三", status="deregistered"
    ),
}


class SandboxCompanyRegistry:
    """A pretend register: see the module docstring."""

    def lookup(self, *, credit_code: str) -> CompanyRecord | None:
        check = credit_code_check(credit_code)
        if check.code in SANDBOX_COMPANIES:
            record = SANDBOX_COMPANIES[check.code]
            return CompanyRecord(
                name=record.name,
                legal_representative_name=record.legal_representative_name,
                status=record.status,
                reference=f"sandbox-{check.code}",
            )
        if not check.checksum_ok:
            return None
        return CompanyRecord(
            name=f"沙箱测试企业{check.code[8:14]}有限公司",
            legal_representative_name=SANDBOX_DEFAULT_REPRESENTATIVE,
            reference=f"sandbox-{check.code}",
        )


class HttpCompanyRegistry:
    """A register's HTTP API: ``POST <url>`` with ``{"credit_code"}``, bearer token; the answer is
    ``{"found": bool, "name", "legal_representative_name", "status", "reference"}``."""

    def __init__(self, url: str, token: str = "", timeout: float = 10.0) -> None:
        _https_only(url, "ONEWINDOW_COMPANY_REGISTRY_URL")
        self.url, self.token, self.timeout = url, token, timeout

    def lookup(self, *, credit_code: str) -> CompanyRecord | None:
        try:
            answer = _post_json(self.url, self.token, {"credit_code": credit_code}, self.timeout)
            if not answer.get("found"):
                return None
            return CompanyRecord(
                name=str(answer["name"]),
                legal_representative_name=str(answer["legal_representative_name"]),
                status=str(answer.get("status") or "active"),
                reference=str(answer.get("reference", ""))[:100],
            )
        except (urllib.error.URLError, TimeoutError, OSError, ValueError, KeyError) as error:
            logger.warning("company registry %s failed: %s", urlsplit(self.url).hostname, error)
            raise DomainError(code="registry.unavailable", message=REGISTRY_UNAVAILABLE, status=503) from None
