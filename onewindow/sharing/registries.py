"""Registry connectors (plug-in kinds ``registry.<name>``): population 人口, market entities 市场主体, real
estate 不动产, marriage 婚姻, social insurance 社保 and medical birth certificates 出生医学证明 (卫健).

Each answers one question — the record a registry holds about a subject (a citizen ID number or a credit
code) — in one shape, ``RegistryAnswer``. The sandbox reads its records from a JSON file (the demo data in
``onewindow/demo/sharing/registries/``) and can be stopped, so the degraded path can be shown: list its name
in ``ONEWINDOW_REGISTRY_SANDBOX_DOWN`` or in the file ``registry-sandbox-down`` in the data directory
(``onewindow registry_sandbox down market``). The HTTP adapter speaks one JSON shape to a relay in front of
the real registry (as identity's verifiers do), with a timeout, retries with capped exponential back-off and
jitter, and a circuit breaker so a registry that is down costs one fast refusal instead of a wait per query.

The market-entity sandbox falls back on identity's company-registry sandbox (the companies people register
with), so both plug-ins answer the same for the same credit code.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from onewindow.core.errors import DomainError
from onewindow.core.identifiers import citizen_id_check, credit_code_check
from onewindow.core.plugins import plugin

logger = logging.getLogger(__name__)

REGISTRIES = {
    "population": "人口基础信息库",
    "market": "市场主体登记信息库",
    "real_estate": "不动产登记信息库",
    "marriage": "婚姻登记信息库",
    "social_insurance": "社会保险信息库",
    "birth": "出生医学证明信息库",
}
SANDBOX_DATA_DIR = Path(__file__).resolve().parent.parent / "demo" / "sharing" / "registries"
DOWN_FLAG_FILE = "registry-sandbox-down"


class RegistryUnavailable(Exception):
    """The registry did not answer (down, timed out, garbled answer, circuit open)."""


@dataclass(frozen=True)
class RegistryAnswer:
    """What a registry holds about a subject: ``found`` and the record's fields, with its own reference."""

    found: bool
    record: dict[str, str] = field(default_factory=dict)
    reference: str = ""


class Registry(Protocol):
    """What every registry connector offers."""

    def fetch(self, *, subject: str) -> RegistryAnswer: ...


def registry(name: str) -> Registry:
    """The configured connector of a registry."""
    if name not in REGISTRIES:
        raise DomainError(code="sharing.registry_unknown", message=f"未知的基础信息库：{name}")
    connector: Registry = plugin(f"registry.{name}")
    return connector


def subject_normalise(subject: str, *, kind: str) -> str:
    """The subject as registries key it: a checked citizen ID number or credit code (upper case)."""
    if kind == "company":
        return credit_code_check(subject).code
    return citizen_id_check(subject)


def sandbox_down_names() -> set[str]:
    """The sandbox registries switched off (setting or flag file); ``all`` stops every one."""
    names = set(settings.ONEWINDOW_REGISTRY_SANDBOX_DOWN)
    flag = Path(settings.DATA_DIR) / DOWN_FLAG_FILE
    with contextlib.suppress(FileNotFoundError):
        names |= {line.strip() for line in flag.read_text().splitlines() if line.strip()}
    return names


def sandbox_down_set(names: set[str]) -> None:
    """Write the flag file the sandboxes read (``onewindow registry_sandbox``)."""
    flag = Path(settings.DATA_DIR) / DOWN_FLAG_FILE
    if names:
        flag.write_text("\n".join(sorted(names)) + "\n")
    else:
        flag.unlink(missing_ok=True)


class SandboxRegistry:
    """A pretend registry answering from a JSON file ``{subject: {field: value}}``."""

    def __init__(self, name: str, data_file: str = "") -> None:
        self.name = name
        self.path = Path(data_file) if data_file else SANDBOX_DATA_DIR / f"{name}.json"
        self._records: dict[str, dict[str, str]] | None = None

    def records(self) -> dict[str, dict[str, str]]:
        if self._records is None:
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                raw = {}
            self._records = {
                str(k).upper(): {str(f): str(v) for f, v in dict(r).items()} for k, r in raw.items()
            }
        return self._records

    def _check_up(self) -> None:
        down = sandbox_down_names()
        if self.name in down or "all" in down:
            raise RegistryUnavailable(f"sandbox registry {self.name} is switched off")

    def fetch(self, *, subject: str) -> RegistryAnswer:
        self._check_up()
        record = self.records().get(subject.upper())
        if record is None:
            return RegistryAnswer(found=False)
        return RegistryAnswer(
            found=True, record=dict(record), reference=f"sandbox-{self.name}-{secrets.token_hex(6)}"
        )


class SandboxMarketRegistry(SandboxRegistry):
    """The market-entity sandbox: its file first, then identity's company-registry sandbox."""

    def __init__(self, data_file: str = "") -> None:
        super().__init__("market", data_file)

    def fetch(self, *, subject: str) -> RegistryAnswer:
        answer = super().fetch(subject=subject)
        if answer.found:
            return answer
        from onewindow.identity.verifiers import SandboxCompanyRegistry

        company = SandboxCompanyRegistry().lookup(credit_code=subject)
        if company is None:
            return answer
        return RegistryAnswer(
            found=True,
            record={
                "credit_code": subject.upper(),
                "name": company.name,
                "legal_representative": company.legal_representative_name,
                "status": "存续" if company.is_active else "注销",
            },
            reference=company.reference or f"sandbox-market-{secrets.token_hex(6)}",
        )


class HttpRegistry:
    """A registry relay's HTTP API: ``POST <url>`` with ``{"subject": "..."}`` and a bearer token; the
    answer is ``{"found": bool, "record": {...}, "reference": "..."}``.

    ``retries`` more attempts after the first, waiting ``backoff`` × 2ⁿ seconds (capped at 5 s, with jitter so
    many workers do not retry in step); after ``breaker_failures`` failed queries in a row the circuit opens
    for ``breaker_seconds``, and queries are refused at once until one trial query succeeds."""

    def __init__(
        self,
        name: str,
        url: str,
        token: str = "",
        timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.2,
        breaker_failures: int = 5,
        breaker_seconds: float = 30.0,
    ) -> None:
        parts = urlsplit(url)
        # Identifiers never cross the network in clear; plain HTTP only to a relay on this host.
        if parts.scheme != "https" and not (
            parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost"}
        ):
            raise ImproperlyConfigured(f"the {name} registry URL must be an https:// address")
        self.name, self.url, self.token, self.timeout = name, url, token, timeout
        self.retries, self.backoff = max(0, retries), max(0.0, backoff)
        self.breaker_failures, self.breaker_seconds = max(1, breaker_failures), breaker_seconds
        self._lock = threading.Lock()
        self._failures = 0
        self._open_until = 0.0

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
            self.url,
            data=json.dumps(body, ensure_ascii=False).encode(),
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"},
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (scheme checked)
            answer = json.loads(response.read().decode() or "{}")
        if not isinstance(answer, dict) or not isinstance(answer.get("found"), bool):
            raise ValueError("the answer has no found flag")
        return answer

    def _circuit_open(self) -> bool:
        with self._lock:
            return self._failures >= self.breaker_failures and time.monotonic() < self._open_until

    def _outcome(self, *, ok: bool) -> None:
        with self._lock:
            if ok:
                self._failures = 0
                return
            self._failures += 1
            if self._failures >= self.breaker_failures:
                self._open_until = time.monotonic() + self.breaker_seconds

    def fetch(self, *, subject: str) -> RegistryAnswer:
        if self._circuit_open():
            raise RegistryUnavailable(f"circuit open for the {self.name} registry")
        for attempt in range(self.retries + 1):
            try:
                answer = self._post({"subject": subject})
            except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
                # Log the failure, never the subject.
                logger.warning("registry %s (%s) failed: %s", self.name, urlsplit(self.url).hostname, error)
                if attempt < self.retries:
                    time.sleep(min(5.0, self.backoff * 2**attempt) * (0.5 + random.random() / 2))  # noqa: S311
                continue
            self._outcome(ok=True)
            record = answer.get("record") or {}
            if not isinstance(record, dict):
                record = {}
            return RegistryAnswer(
                found=bool(answer["found"]),
                record={str(k): str(v) for k, v in record.items()},
                reference=str(answer.get("reference", ""))[:100],
            )
        self._outcome(ok=False)
        raise RegistryUnavailable(f"the {self.name} registry did not answer")
