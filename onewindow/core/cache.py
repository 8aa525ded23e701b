"""The shared cache on Redis, degrading to "no cache" while Redis is unreachable (a restart, a failover)
instead of failing the request.

What lives in it can be lost: cached sessions are also in the database (``cached_db``), and rate-limit
counters start again from zero. While Redis is away the limits are not enforced (they fail open, as
django-redis's ``IGNORE_EXCEPTIONS`` does); account lockouts, which count in the database, still apply.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
T = TypeVar("T")
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
_LOG_EVERY_SECONDS = 10.0


class _ClientReusingRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one ``redis.Redis`` per connection pool. Django makes a new one for every cache
    call, and each copies redis-py's ~160 response callbacks into a new dict: a busy staff page makes a dozen
    calls, about 1,000 dict insertions (issue #18's profile). A ``redis.Redis`` is safe to share between
    threads (the pool hands out the connections) and across a fork (the pool checks its process id)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class ResilientRedisCache(RedisCache):
    """Django's Redis cache; every operation that cannot reach Redis answers as an empty cache would."""

    _last_warning = 0.0

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ClientReusingRedisCacheClient

    def _degraded(self, operation: Callable[[], T], fallback: T) -> T:
        try:
            return operation()
        except _UNREACHABLE as error:
            now = time.monotonic()
            if now - ResilientRedisCache._last_warning > _LOG_EVERY_SECONDS:
                ResilientRedisCache._last_warning = now
                logger.warning("Redis unreachable, working without the cache: %s", error)
            return fallback

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._degraded(
            lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False
        )

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._degraded(lambda: super(ResilientRedisCache, self).get(key, default, version), default)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> None:
        self._degraded(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._degraded(lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._degraded(lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._degraded(lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._degraded(lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        # A counter that cannot be read counts this attempt as the first (rate limits fail open).
        return self._degraded(lambda: super(ResilientRedisCache, self).incr(key, delta, version), delta)

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        return self._degraded(lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), [])

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._degraded(lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)

    def clear(self) -> None:
        self._degraded(lambda: super(ResilientRedisCache, self).clear(), None)
