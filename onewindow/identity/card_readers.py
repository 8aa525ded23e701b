"""Resident ID card readers (plug-in kind ``id_card_reader``): ``read(*, terminal) -> IdCard``.

A hall's self-service machine or a grassroots point's counter has a GA 467 reader (居民身份证阅读器) on a
terminal. The readers' vendors ship a small reader service; ``HttpIdCardReader`` asks such a service, on this
host or behind a relay, for the card on a named terminal. ``SandboxIdCardReader`` reads the card that was
"placed" on a terminal through :meth:`SandboxIdCardReader.place` (the quick start's sandbox form and the
tests), never a real card.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode, urlsplit

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from onewindow.core import crypto
from onewindow.core.errors import DomainError
from onewindow.core.identifiers import citizen_id_check

logger = logging.getLogger(__name__)

NO_CARD = "未读到身份证。请把居民身份证平放在读卡区，稍候再试。"
READER_UNAVAILABLE = "身份证阅读器暂时无法使用，请联系大厅工作人员。"


@dataclass(frozen=True)
class IdCard:
    """What the chip of a resident ID card holds that the platform uses (never the photo)."""

    name: str
    id_number: str


class IdCardReader(Protocol):
    """What every ID card reader plug-in offers."""

    def read(self, *, terminal: str) -> IdCard: ...


def _card(name: object, id_number: object) -> IdCard:
    name_text = str(name or "").strip()
    if not name_text or len(name_text) > 100:
        raise DomainError(code="id_card.unreadable", message=NO_CARD)
    return IdCard(name=name_text, id_number=citizen_id_check(str(id_number or "")))


class SandboxIdCardReader:
    """Reads the card placed on a terminal with :meth:`place` (kept in the cache for a few minutes)."""

    KEEP_SECONDS = 5 * 60

    @staticmethod
    def _key(terminal: str) -> str:
        # The terminal name comes from a cookie or a form: hashed so it never shapes a cache key directly.
        return f"id-card-sandbox:{crypto.lookup_hash(terminal, purpose='identity.card_reader.terminal')}"

    @classmethod
    def place(cls, *, terminal: str, name: str, id_number: str) -> IdCard:
        card = _card(name, id_number)
        cache.set(cls._key(terminal), {"name": card.name, "id_number": card.id_number}, cls.KEEP_SECONDS)
        return card

    def read(self, *, terminal: str) -> IdCard:
        # A card is read once: taking it off the reader is what a real reader reports next.
        data = cache.get(self._key(terminal))
        if not data:
            raise DomainError(code="id_card.absent", message=NO_CARD)
        cache.delete(self._key(terminal))
        return _card(data.get("name"), data.get("id_number"))


class HttpIdCardReader:
    """A reader service: ``GET url?terminal=…`` answers ``{"name", "id_number"}`` (or ``{"error": "no_card"}``).

    Plain HTTP only to a service on this host (the vendors' services listen on 127.0.0.1); anything else must
    be HTTPS, as the card's contents are personal data."""

    def __init__(self, url: str, token: str = "", timeout: float = 3.0) -> None:
        parts = urlsplit(url)
        if parts.scheme != "https" and not (
            parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost"}
        ):
            raise ImproperlyConfigured(
                "ONEWINDOW_ID_CARD_READER_URL must be https:// or a service on 127.0.0.1"
            )
        self.url, self.token, self.timeout = url, token, timeout

    def read(self, *, terminal: str) -> IdCard:
        request = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
            f"{self.url}?{urlencode({'terminal': terminal})}", headers={"Accept": "application/json"}
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read().decode() or "{}")
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            # Log the failure, never a card's contents.
            logger.warning("ID card reader %s failed: %s", urlsplit(self.url).hostname, error)
            raise DomainError(
                code="id_card.reader_unavailable", message=READER_UNAVAILABLE, status=503
            ) from None
        if not isinstance(answer, dict) or answer.get("error"):
            raise DomainError(code="id_card.absent", message=NO_CARD)
        return _card(answer.get("name"), answer.get("id_number"))
