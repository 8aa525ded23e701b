"""Fixtures of the core tests."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def redis_url() -> str:
    """The test Redis: the caller's own database when given (parallel runs on one machine must not clear each
    other's). Without Redis the test is skipped on a developer's machine and fails in CI."""
    redis = pytest.importorskip("redis")
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/2"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"no Redis at {url}: CI needs it")
        pytest.skip(f"no Redis at {url}")
    return url
