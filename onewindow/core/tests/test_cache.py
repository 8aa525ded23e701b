"""The Redis cache while Redis is away: requests go on as with an empty cache; while it is there, one client
serves every call."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import caches
from django.test import override_settings

from onewindow.core.cache import ResilientRedisCache
from onewindow.core.ratelimit import rate_limit_hit

UNREACHABLE = {
    "default": {
        "BACKEND": "onewindow.core.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/7",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.fixture
def unreachable_cache():
    with override_settings(CACHES=UNREACHABLE):
        yield caches["default"]


def test_reads_answer_as_an_empty_cache(unreachable_cache):
    assert unreachable_cache.get("key", "fallback") == "fallback"
    assert unreachable_cache.get_many(["a", "b"]) == {}
    assert unreachable_cache.has_key("key") is False


def test_writes_are_dropped_without_an_error(unreachable_cache):
    unreachable_cache.set("key", 1)
    unreachable_cache.set_many({"a": 1})
    unreachable_cache.delete_many(["a"])
    assert unreachable_cache.add("key", 1) is False
    assert unreachable_cache.delete("key") is False


def test_a_counter_that_cannot_be_read_counts_as_the_first(unreachable_cache):
    assert unreachable_cache.incr("counter") == 1


def test_rate_limits_fail_open_while_redis_is_away(unreachable_cache, settings):
    settings.ONEWINDOW_RATE_LIMITS = {**settings.ONEWINDOW_RATE_LIMITS, "login": (1, 60)}
    started = time.monotonic()
    for _ in range(3):
        rate_limit_hit(scope="login", key="203.0.113.9")
    assert time.monotonic() - started < 10


def test_one_redis_client_serves_every_call_and_thread(redis_url):
    """Django made a new redis.Redis per call (a copy of ~160 callbacks each); one per pool serves all."""
    cache = ResilientRedisCache(redis_url, {"KEY_PREFIX": "client-reuse-test"})
    seen = []
    worker = threading.Thread(target=lambda: seen.append((cache._cache.get_client(), cache.add("k", 2))))
    worker.start()
    worker.join()
    ((client, added),) = seen
    assert client is cache._cache.get_client(write=True) and added
    assert cache.get("k") == 2 and cache.get_many(["k"]) == {"k": 2}
    cache.delete("k")
