"""Fixed-window rate limits kept in the shared cache (Redis in production), keyed by purpose and client."""

from __future__ import annotations

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from onewindow.core.context import client_ip
from onewindow.core.errors import DomainError
from onewindow.core.signals import security_event


def client_address(request: HttpRequest) -> str:
    """The caller's address. Behind a proxy that sets X-Forwarded-For, the proxy's view of the client."""
    if settings.SECURE_PROXY_SSL_HEADER and (forwarded := request.META.get("HTTP_X_FORWARDED_FOR")):
        candidate = forwarded.split(",")[-1].strip()
        # A proxy that passes junk through must not break the audit trail's IP column.
        if is_ip_address(candidate):
            return candidate
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def client_ip_address(request: HttpRequest) -> str | None:
    """The caller's address for an IP column (audit trail, sessions): None when it is not an IP address."""
    address = client_address(request)
    return address if is_ip_address(address) else None


def is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def rate_limit_hit(*, scope: str, key: str) -> None:
    """Count one attempt; raise a 429 DomainError once the scope's limit for this window is used up."""
    limit, window = settings.ONEWINDOW_RATE_LIMITS[scope]
    bucket = int(time.time() // window)
    cache_key = f"ratelimit:{scope}:{key}:{bucket}"
    cache.add(cache_key, 0, timeout=window + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 5)
        count = 1
    if count == limit + 1:
        # Once per window and key (not per refused request, which would let a flood write a row each time):
        # the security monitor counts these as mass look-ups / brute force (onewindow.secmon).
        security_event.send(
            sender=rate_limit_hit, kind="rate_limited", subject=f"{scope}:{key}", ip=client_ip.get()
        )
    if count > limit:
        retry_after = int(window - time.time() % window) + 1
        raise DomainError(
            code="rate_limited",
            message=f"操作过于频繁，请在 {retry_after} 秒后重试。",
            status=429,
            retry_after=retry_after,
        )
