"""How deliveries leave the platform (plug-in kind ``webhook_transport``): ``post(*, url, body, headers,
timeout) -> Response``.

``HttpWebhookTransport`` posts over HTTP(S) with the standard library and never follows redirects (a
receiver that moved must be re-registered, not silently followed elsewhere). ``SandboxWebhookTransport``
sends nothing: it answers 200 and keeps the last requests in memory, so the quick start shows deliveries
without a receiver and tests can read what would have been sent.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Response:
    """What the receiver answered: its status (None when it could not be reached) or the error."""

    status: int | None
    error: str = ""
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookTransport(Protocol):
    def post(self, *, url: str, body: bytes, headers: dict[str, str], timeout: float) -> Response: ...


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class HttpWebhookTransport:
    """POST the JSON body; any 2xx is a success, anything else (or no answer in ``timeout``) a failure."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(_NoRedirect)

    def post(self, *, url: str, body: bytes, headers: dict[str, str], timeout: float) -> Response:
        if not url.startswith(("https://", "http://")):
            return Response(None, "only http:// and https:// receivers are allowed")
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 (scheme checked)
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=timeout) as answer:
                answer.read(4096)
                status = int(answer.status)
        except urllib.error.HTTPError as error:
            return Response(error.code, f"HTTP {error.code}", _ms(started))
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            return Response(None, f"{type(error).__name__}: {reason}"[:500], _ms(started))
        return Response(status, "", _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


class SandboxWebhookTransport:
    """Sends nothing and answers 200; the last 200 requests stay in ``sent`` (per process)."""

    sent: deque[dict[str, Any]] = deque(maxlen=200)

    def post(self, *, url: str, body: bytes, headers: dict[str, str], timeout: float) -> Response:
        self.sent.append({"url": url, "body": body, "headers": dict(headers)})
        return Response(200)
