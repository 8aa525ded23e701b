"""SMS gateways (plug-in kind ``sms``): ``send(*, phone, text) -> message id``.

``SandboxSmsGateway`` sends nothing: it keeps the last message per phone in the cache (keyed by the phone's
lookup hash, never the number) so the quick start can show the code on screen and tests can read it.
``HttpSmsGateway`` posts JSON to a provider's HTTPS endpoint; providers differ in their field names, so a
small relay in front of a particular provider maps this one shape onto theirs.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import urllib.error
import urllib.request
from typing import Protocol
from urllib.parse import urlsplit

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.identity.services.people import phone_hash

logger = logging.getLogger(__name__)

SMS_UNAVAILABLE = "短信发送失败，请稍后重试；如多次失败，请拨打 12345 政务服务热线。"


class SmsGateway(Protocol):
    """What every SMS plug-in offers."""

    def send(self, *, phone: str, text: str) -> str: ...


class SandboxSmsGateway:
    """Sends nothing: the message waits in the cache for the quick start's screen and the tests."""

    # Longer than a code lives (5 minutes), so the hint outlasts the code it shows.
    KEEP_SECONDS = 15 * 60

    @staticmethod
    def _key(phone: str) -> str:
        return f"sms-sandbox:{phone_hash(phone)}"

    def send(self, *, phone: str, text: str) -> str:
        message_id = f"sandbox-{secrets.token_hex(8)}"
        cache.set(
            self._key(phone),
            {"id": message_id, "text": text, "sent_at": clock.now().isoformat()},
            timeout=self.KEEP_SECONDS,
        )
        return message_id

    @classmethod
    def last_message(cls, phone: str) -> str | None:
        message = cache.get(cls._key(phone))
        return message["text"] if message else None

    @classmethod
    def last_code(cls, phone: str) -> str | None:
        """The six-digit code in the last message sent to ``phone``, if any."""
        text = cls.last_message(phone)
        match = re.search(r"(?<!\d)(\d{6})(?!\d)", text or "")
        return match.group(1) if match else None


class HttpSmsGateway:
    """A provider's HTTP API: ``POST url`` with ``{"phone", "text", "sign_name"}`` and a bearer token;
    the answer is JSON carrying ``message_id`` (or ``id``)."""

    def __init__(self, url: str, token: str = "", sign_name: str = "", timeout: float = 5.0) -> None:
        parts = urlsplit(url)
        # Phone numbers and codes never cross the network in clear; plain HTTP only to a relay on this host.
        if parts.scheme != "https" and not (
            parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost"}
        ):
            raise ImproperlyConfigured("ONEWINDOW_SMS_GATEWAY_URL must be an https:// address")
        self.url, self.token, self.sign_name, self.timeout = url, token, sign_name, timeout

    def send(self, *, phone: str, text: str) -> str:
        body = json.dumps({"phone": phone, "text": text, "sign_name": self.sign_name}, ensure_ascii=False)
        request = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
            self.url,
            data=body.encode(),
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"},
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (scheme checked)
                answer = json.loads(response.read().decode() or "{}")
            message_id = answer.get("message_id") or answer.get("id")
            if not message_id:
                raise ValueError("no message id in the answer")
        except (urllib.error.URLError, TimeoutError, OSError, ValueError, AttributeError) as error:
            # Log the failure, never the number or the text (it holds the code).
            logger.warning("SMS gateway %s failed: %s", urlsplit(self.url).hostname, error)
            raise DomainError(code="sms.unavailable", message=SMS_UNAVAILABLE, status=503) from None
        return str(message_id)
