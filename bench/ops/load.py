"""The failure suite's clients: citizens submitting applications through nginx over real HTTP, as a browser
app would (password sign-in, session cookie, CSRF header, an Idempotency-Key per application, retried with the
same key after any failure), and a visitor reading public pages. Every answer is recorded with the phase it
fell in, so the report can say what a client saw while each fault lasted."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

# A submission not acknowledged after this long is given up (and reported as never acknowledged).
GIVE_UP_SECONDS = 120.0
RETRYABLE = {408, 425, 429, 500, 502, 503, 504}


@dataclass
class Recorder:
    """Every HTTP answer (or connection failure) by phase, thread-safe."""

    phase: str = "setup"
    answers: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    unexpected_5xx_samples: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, response: requests.Response | None, error: Exception | None = None) -> None:
        if response is None:
            outcome = f"connection error ({type(error).__name__})"
        else:
            content_type = response.headers.get("Content-Type", "").split(";")[0] or "none"
            outcome = f"{response.status_code} {content_type}"
            if response.status_code >= 500 and not expected_5xx(response):
                outcome += UNEXPECTED
        with self.lock:
            self.answers[(self.phase, kind, outcome)] += 1
            if (
                outcome.endswith(UNEXPECTED)
                and len(self.unexpected_5xx_samples) < 20
                and response is not None
            ):
                self.unexpected_5xx_samples.append(
                    {
                        "phase": self.phase,
                        "kind": kind,
                        "path": urlsplit(response.request.url or "").path,
                        "status": response.status_code,
                        "retry_after": response.headers.get("Retry-After", ""),
                        "body": response.text[:300],
                    }
                )


# Marks an answer in the per-phase table that is a 5xx the platform does not promise.
UNEXPECTED = " (unexpected)"
# The Chinese 503 page (core/unavailable.html, or its plain fall-back in core.resilience) says this.
UNAVAILABLE_PAGE_TITLE = "服务暂时不可用"


def expected_5xx(response: requests.Response) -> bool:
    """The only 5xx the platform promises while a part of it is away: a 503 with Retry-After — JSON under
    /api/ (from the app or from nginx when no app server answers), the Chinese 503 page everywhere else."""
    if response.status_code != 503 or not response.headers.get("Retry-After", "").strip():
        return False
    if urlsplit(response.request.url or "").path.startswith("/api/"):
        return _is_json(response)
    return "text/html" in response.headers.get("Content-Type", "") and UNAVAILABLE_PAGE_TITLE in response.text


@dataclass
class Acknowledged:
    case_id: str
    number: str
    key: str
    user: str
    attempts: int


class Citizen(threading.Thread):
    """Signs in once, then submits applications one after another until told to stop."""

    def __init__(
        self,
        *,
        base_url: str,
        phone: str,
        password: str,
        items: list[tuple[str, dict[str, Any]]],
        recorder: Recorder,
        stop: threading.Event,
        seed: int,
    ) -> None:
        super().__init__(daemon=True, name=f"citizen-{phone}")
        self.base_url, self.phone, self.password, self.items = base_url, phone, password, items
        self.recorder, self.stop = recorder, stop
        self.rng = random.Random(seed)
        self.acknowledged: list[Acknowledged] = []
        self.given_up: list[dict[str, Any]] = []
        self.refused: list[dict[str, Any]] = []
        self.session = requests.Session()

    # --- signing in --------------------------------------------------------------------------------------
    def sign_in(self) -> None:
        deadline = time.monotonic() + GIVE_UP_SECONDS
        while time.monotonic() < deadline:
            try:
                self.session.cookies.clear()
                page = self.session.get(f"{self.base_url}/accounts/login/", timeout=30)
                self.recorder.record("sign-in", page)
                token = self.session.cookies.get("csrftoken", "")
                answer = self.session.post(
                    f"{self.base_url}/accounts/login/",
                    data={
                        "method": "password",
                        "username": self.phone,
                        "password": self.password,
                        "csrfmiddlewaretoken": token,
                    },
                    headers={"Referer": f"{self.base_url}/accounts/login/"},
                    allow_redirects=False,
                    timeout=30,
                )
                self.recorder.record("sign-in", answer)
                if answer.status_code == 302 and self.session.cookies.get("sessionid"):
                    return
            except requests.RequestException as error:
                self.recorder.record("sign-in", None, error)
            time.sleep(1.0)
        raise RuntimeError(f"{self.phone} could not sign in")

    # --- submitting --------------------------------------------------------------------------------------
    def run(self) -> None:
        self.sign_in()
        while not self.stop.is_set():
            self.submit_one()
            self.my_cases_read()
            time.sleep(self.rng.uniform(0.05, 0.2))

    def my_cases_read(self) -> None:
        """The citizen's own applications page: HTML read from the primary with the session, so that a
        database fault shows what a person sees (the Chinese 503 page), not only what the API answers."""
        try:
            answer = self.session.get(f"{self.base_url}/cases/", allow_redirects=False, timeout=30)
        except requests.RequestException as error:
            self.recorder.record("my cases page", None, error)
            return
        self.recorder.record("my cases page", answer)

    def submit_one(self) -> None:
        """One application, retried with the same Idempotency-Key until it is acknowledged (200/201)."""
        code, form_data = self.rng.choice(self.items)
        key = str(uuid.uuid4())
        started = time.monotonic()
        attempts = 0
        while time.monotonic() - started < GIVE_UP_SECONDS:
            attempts += 1
            try:
                answer = self.session.post(
                    f"{self.base_url}/api/v1/cases",
                    json={"item": code, "form_data": form_data, "submit": True},
                    headers={
                        "Idempotency-Key": key,
                        "X-CSRFToken": self.session.cookies.get("csrftoken", ""),
                        "Referer": f"{self.base_url}/",
                    },
                    timeout=30,
                )
            except requests.RequestException as error:
                self.recorder.record("submit", None, error)
                time.sleep(min(0.25 * attempts, 2.0))
                continue
            self.recorder.record("submit", answer)
            if answer.status_code in (200, 201):
                body = answer.json()
                self.acknowledged.append(
                    Acknowledged(body["id"], body.get("number") or "", key, self.phone, attempts)
                )
                return
            if answer.status_code in (401, 403) and not _is_json(answer):
                # The session or its CSRF cookie was lost: sign in again, then retry with the same key.
                self.sign_in()
                continue
            if answer.status_code in RETRYABLE:
                retry_after = answer.headers.get("Retry-After", "")
                time.sleep(float(retry_after) if retry_after.isdigit() else min(0.25 * attempts, 2.0))
                continue
            self.refused.append({"key": key, "status": answer.status_code, "body": answer.text[:300]})
            return
        self.given_up.append({"key": key, "attempts": attempts})


class Visitor(threading.Thread):
    """Reads public pages (the replica's share of the load): the catalogue, an item's guide, the API."""

    def __init__(
        self, *, base_url: str, paths: list[str], recorder: Recorder, stop: threading.Event, seed: int
    ) -> None:
        super().__init__(daemon=True, name="visitor")
        self.base_url, self.paths, self.recorder, self.stop = base_url, paths, recorder, stop
        self.rng = random.Random(seed)
        self.session = requests.Session()

    def run(self) -> None:
        while not self.stop.is_set():
            path = self.rng.choice(self.paths)
            try:
                self.recorder.record("public read", self.session.get(f"{self.base_url}{path}", timeout=30))
            except requests.RequestException as error:
                self.recorder.record("public read", None, error)
            time.sleep(self.rng.uniform(0.1, 0.3))


def _is_json(response: requests.Response) -> bool:
    return "json" in response.headers.get("Content-Type", "")
