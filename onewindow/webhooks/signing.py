"""Webhook signatures: HMAC-SHA256 over ``<timestamp>.<body>`` with the subscription's secret.

The timestamp is signed with the body so a captured delivery cannot be replayed later: receivers refuse a
timestamp older than a few minutes (docs/api.md shows a receiver in Python).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

HEADER_EVENT_ID = "X-Onewindow-Event-Id"
HEADER_EVENT_TYPE = "X-Onewindow-Event"
HEADER_DELIVERY_ID = "X-Onewindow-Delivery-Id"
HEADER_TIMESTAMP = "X-Onewindow-Timestamp"
HEADER_SIGNATURE = "X-Onewindow-Signature"
SIGNATURE_VERSION = "v1"
# How old a timestamp a receiver should still accept (seconds); documented for receivers, used by tests.
TOLERANCE_SECONDS = 300


def secret_generate() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature_compute(*, secret: str, timestamp: int, body: bytes) -> str:
    """``v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def signature_verify(*, secret: str, timestamp: int, body: bytes, signature: str, now: int) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature_compute(secret=secret, timestamp=timestamp, body=body), signature)
