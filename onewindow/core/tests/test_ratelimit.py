"""Rate limits hold under concurrency: of many simultaneous attempts exactly the limit gets through, with the
file cache of the quick start (a file lock) and with Redis (atomic increments)."""

from __future__ import annotations

import multiprocessing
import threading

import pytest
from django.core.cache import caches
from django.test import override_settings

from onewindow.core.errors import DomainError
from onewindow.core.ratelimit import rate_limit_hit, rate_limit_hits

LIMITS = {"login": (10, 15 * 60)}


def _attempts_let_through(count: int) -> int:
    passed: list[int] = []
    barrier = threading.Barrier(count)

    def attempt() -> None:
        barrier.wait()
        try:
            rate_limit_hit(scope="login", key="addr:203.0.113.7")
        except DomainError as refusal:
            assert refusal.status == 429 and refusal.retry_after
        else:
            passed.append(1)

    threads = [threading.Thread(target=attempt) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(passed)


def test_the_file_cache_lets_exactly_the_limit_through_forty_simultaneous_attempts(tmp_path):
    file_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    with override_settings(CACHES=file_cache, ONEWINDOW_RATE_LIMITS=LIMITS):
        assert _attempts_let_through(40) == 10


def _attempt_in_a_process(start: object, results: object) -> None:
    start.wait()  # type: ignore[attr-defined]
    try:
        rate_limit_hit(scope="login", key="addr:203.0.113.8")
    except DomainError:
        results.put(0)  # type: ignore[attr-defined]
    else:
        results.put(1)  # type: ignore[attr-defined]


def test_the_file_cache_holds_the_limit_across_processes(tmp_path):
    """gunicorn's workers are processes: the lock must hold between them, not only between threads."""
    file_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    with override_settings(CACHES=file_cache, ONEWINDOW_RATE_LIMITS=LIMITS):
        processes = [context.Process(target=_attempt_in_a_process, args=(start, results)) for _ in range(16)]
        for process in processes:
            process.start()
        start.set()
        for process in processes:
            process.join(timeout=30)
        passed = sum(results.get(timeout=5) for _ in processes)

    assert passed == 10


def test_redis_lets_exactly_the_limit_through_forty_simultaneous_attempts(redis_url):
    redis_cache = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    with override_settings(CACHES=redis_cache, ONEWINDOW_RATE_LIMITS=LIMITS):
        caches["default"].clear()
        try:
            assert _attempts_let_through(40) == 10
        finally:
            caches["default"].clear()


def test_the_attempt_after_the_limit_is_told_when_to_retry(settings):
    settings.ONEWINDOW_RATE_LIMITS = {"login": (1, 60)}
    rate_limit_hit(scope="login", key="addr:198.51.100.1")

    with pytest.raises(DomainError) as refusal:
        rate_limit_hit(scope="login", key="addr:198.51.100.1")

    assert refusal.value.status == 429 and 0 < refusal.value.retry_after <= 61


@pytest.mark.parametrize("backend", ["redis", "file", "memory"])
def test_several_keys_are_counted_together_and_any_one_used_up_refuses(backend, tmp_path, db, request):
    """Tracking counts the address and the case number in one round trip: another address on the same number
    is refused once the number's budget is used up, and the refused attempt still counts for the address."""
    location = {"redis": "", "file": str(tmp_path / "cache"), "memory": "several-keys"}[backend]
    engine = {
        "redis": "django.core.cache.backends.redis.RedisCache",
        "file": "django.core.cache.backends.filebased.FileBasedCache",
        "memory": "django.core.cache.backends.locmem.LocMemCache",
    }[backend]
    if backend == "redis":
        location = request.getfixturevalue("redis_url")
    with override_settings(
        CACHES={"default": {"BACKEND": engine, "LOCATION": location}},
        ONEWINDOW_RATE_LIMITS={"login": (2, 60)},
    ):
        caches["default"].clear()
        try:
            rate_limit_hits(scope="login", keys=("addr:a", "track:n"))
            rate_limit_hits(scope="login", keys=("addr:b", "track:n"))
            with pytest.raises(DomainError) as refusal:
                rate_limit_hits(scope="login", keys=("addr:c", "track:n"))
            assert refusal.value.status == 429
            rate_limit_hit(scope="login", key="addr:a")
            rate_limit_hit(scope="login", key="addr:c")  # 2 of 2: the refused attempt counted for the address
            with pytest.raises(DomainError):
                rate_limit_hit(scope="login", key="addr:c")
        finally:
            caches["default"].clear()
