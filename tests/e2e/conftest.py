"""Browser journeys: Debian's chromium driven by Playwright against pytest-django's live server.

Never ``playwright install``: it downloads browsers. In CI (``CI`` set) a missing browser fails the run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver

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


@pytest.fixture(autouse=True)
def _flushable(live_server_flushable) -> None:
    """Every journey runs on a live server whose teardown empties the database (root conftest)."""


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[..., object]]:
    """Open a page in a fresh browser context (own cookies) of the given size; a Chinese-language browser."""
    # The URLconf (and the API's schemas behind it) is imported once, as a server worker does at boot
    # (onewindow/wsgi.py), so a journey run alone does not spend its first page's timeout on imports.
    get_resolver().url_patterns  # noqa: B018
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


def signed_in_page(new_page, live_server, user, viewport=None):
    """A browser page already signed in as ``user`` (the session cookie of a forced login)."""
    client = Client()
    client.force_login(user)
    page = new_page(viewport) if viewport else new_page()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page
