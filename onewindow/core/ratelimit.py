"""Fixed-window rate limits kept in the shared cache (Redis in production), keyed by purpose and client.

Counting is atomic, or simultaneous attempts slip past a limit: Redis increments atomically; the quick
start's file cache (get, add one, write back) is serialised with a file lock that every process on the
machine shares.
"""

from __future__ import annotations

import fcntl
import ipaddress
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from onewindow.core.context import client_ip
from onewindow.core.errors import DomainError
from onewindow.core.signals import security_event

log = logging.getLogger(__name__)


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
    rate_limit_hits(scope=scope, keys=(key,))


def rate_limit_hits(*, scope: str, keys: Sequence[str]) -> None:
    """Count one attempt against each of several keys of one scope (the caller's address and the thing looked
    up, say) in one round trip to the cache; raise a 429 DomainError once any key's limit is used up."""
    limit, window = settings.ONEWINDOW_RATE_LIMITS[scope]
    bucket = int(time.time() // window)
    counts = rate_counters_increment(
        [f"ratelimit:{scope}:{key}:{bucket}" for key in keys], timeout=window + 5
    )
    for key, count in zip(keys, counts, strict=True):
        if count == limit + 1:
            # Once per window and key (not per refused request, which would let a flood write a row each
            # time): the security monitor counts these as mass look-ups / brute force (onewindow.secmon).
            # send_robust: a monitor that cannot record (its database away) must not break the limit itself.
            for _receiver, outcome in security_event.send_robust(
                sender=rate_limit_hit, kind="rate_limited", subject=f"{scope}:{key}", ip=client_ip.get()
            ):
                if isinstance(outcome, Exception):
                    log.warning("rate-limit security event not recorded: %s", outcome)
    if max(counts, default=0) > limit:
        retry_after = int(window - time.time() % window) + 1
        raise DomainError(
            code="rate_limited",
            message=f"操作过于频繁，请在 {retry_after} 秒后重试。",
            status=429,
            retry_after=retry_after,
        )


def rate_counters_increment(cache_keys: list[str], *, timeout: int) -> list[int]:
    """Add one to each counter in the default cache and return the new counts, each atomically."""
    if not cache_keys:
        return []
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        return _redis_counters_increment(cache, cache_keys, timeout=timeout)
    if isinstance(cache, FileBasedCache):
        with _file_lock(Path(cache._dir) / "ratelimit.lock"):  # type: ignore[attr-defined]
            counts = [int(cache.get(cache_key, 0)) + 1 for cache_key in cache_keys]
            cache.set_many(dict(zip(cache_keys, counts, strict=True)), timeout=timeout)
            return counts
    return [_local_counter_increment(cache, cache_key, timeout=timeout) for cache_key in cache_keys]


def _local_counter_increment(cache: Any, cache_key: str, *, timeout: int) -> int:
    cache.add(cache_key, 0, timeout=timeout)
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=timeout)
        return 1


# Create each counter with its expiry if absent, then increment: one command, atomic on the server.
_COUNTER_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  redis.call('SET', key, 0, 'EX', ARGV[1], 'NX')
  counts[i] = redis.call('INCR', key)
end
return counts
"""


def _redis_counters_increment(cache: RedisCache, cache_keys: list[str], *, timeout: int) -> list[int]:
    # One round trip for all the counters instead of Django's add + incr per counter, which cost two each
    # (incr checks the key exists first): four round trips per tracking look-up were a quarter of its time
    # under load (issue #18). A script rather than a pipeline: redis-py builds each new pipeline a copy of its
    # ~160 response callbacks, which was most of the counter's own Python time. Django's serializer stores
    # ints as plain integers, so ``cache.get`` reads the same counters. Writes all go to the first server, so
    # the keys of one call share it.
    keys = [cache.make_and_validate_key(cache_key) for cache_key in cache_keys]
    try:
        client = cache._cache.get_client(keys[0], write=True)
        counts: Any = client.eval(_COUNTER_SCRIPT, len(keys), *keys, str(timeout))
        return [int(count) for count in counts]
    except (RedisConnectionError, RedisTimeoutError):
        # Redis away: the limit fails open, as ResilientRedisCache does for every other cache call.
        log.warning("Redis unreachable, rate-limit attempt not counted")
        return [1] * len(keys)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
