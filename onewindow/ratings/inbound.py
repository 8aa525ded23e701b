"""Inbound messages that carry a rating (plug-in kind ``ratings_inbound``): an SMS reply to the platform's
number, or a keypad answer in the hotline's voice menu, forwarded by the operator's gateway as JSON
``{"phone": "138…", "text": "5 窗口态度差"}``.

``SignedInboundGateway`` accepts only a body signed with the shared secret (``X-Signature``: hex HMAC-SHA256
of the body), so nobody can rate in another person's name by posting their phone number.
``SandboxInboundGateway`` accepts unsigned bodies (the quick start and the tests).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Protocol

from onewindow.core.errors import DomainError

BAD_MESSAGE = DomainError("rating.inbound_invalid", "消息格式无效：需要 JSON 字段 phone 与 text。")


@dataclass(frozen=True)
class InboundMessage:
    phone: str
    text: str


class InboundGateway(Protocol):
    def parse(self, *, body: bytes, signature: str) -> InboundMessage: ...


def _message(body: bytes) -> InboundMessage:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BAD_MESSAGE from None
    if not isinstance(data, dict):
        raise BAD_MESSAGE
    phone, text = data.get("phone"), data.get("text")
    if not isinstance(phone, str) or not isinstance(text, str) or len(phone) > 20 or len(text) > 500:
        raise BAD_MESSAGE
    return InboundMessage(phone=phone.strip(), text=text.strip())


class SandboxInboundGateway:
    """Takes any well-formed message (no operator to sign it in the quick start)."""

    def parse(self, *, body: bytes, signature: str) -> InboundMessage:
        return _message(body)


class SignedInboundGateway:
    """The operator's gateway: the body must carry its HMAC-SHA256 signature under the shared secret."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def parse(self, *, body: bytes, signature: str) -> InboundMessage:
        expected = hmac.new(self._secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, (signature or "").strip().lower()):
            raise DomainError("rating.inbound_signature", "消息签名无效。", status=403)
        return _message(body)
