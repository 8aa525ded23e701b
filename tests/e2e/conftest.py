"""Browser journeys: Debian's chromium driven by Playwright against pytest-django's live server.

Never ``playwright install``: it downloads browsers. In CI (``CI`` set) a missing browser fails the run.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.db import connection

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from such a thread unless
# told it is safe, which it is here (the loop only drives the browser). Set for the browser tests only.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 812}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


# Module scope: the sync API holds an event loop open while the browser lives; keep that to the journeys.
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


_append_only = importlib.import_module("onewindow.core.migrations.0002_audit_append_only")
_calendar_seed = importlib.import_module("onewindow.workdays.migrations.0002_seed_official_calendar")


@pytest.fixture(autouse=True)
def _audit_trail_flushable(live_server) -> Iterator[None]:
    """Let the live-server tests' teardown empty the database, which the audit table's triggers forbid.

    Requested after ``live_server``, so this teardown runs before the flush; the triggers are back in
    place before the next test starts.
    """
    _audit_triggers(enabled=True)
    # The previous journey's flush took the holiday lists the migration seeded; put them back.
    _calendar_seed.seed(django_apps, None)
    yield
    _audit_triggers(enabled=False)


def _audit_triggers(*, enabled: bool) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE core_auditentry {'ENABLE' if enabled else 'DISABLE'} TRIGGER USER")
            return
        for statement in _append_only.SQLITE_DOWN:
            cursor.execute(statement)
        if enabled:
            for statement in _append_only.SQLITE_UP:
                cursor.execute(statement)


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[..., object]]:
    """Open a page in a fresh browser context (own cookies) of the given size; a Chinese-language browser."""
    contexts = []

    def make(viewport: dict[str, int] = DESKTOP) -> object:
        context = browser.new_context(viewport=viewport, locale="zh-CN", base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def screenshot() -> Callable[[object, str], Path]:
    """Save the whole page as test-artifacts/screenshots/<name>.png."""

    def take(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
