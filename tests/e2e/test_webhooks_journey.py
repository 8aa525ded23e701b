"""A platform administrator subscribes a department system to its department's task events on the workbench
page, takes the signing secret (shown once), watches the deliveries — one delivered, one waiting for its next
retry after the receiver answered 503 — opens one and sends it again. The interactive API documentation
renders under the site's Content-Security-Policy from the platform's own files."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from onewindow.core.plugins import plugins_reset
from onewindow.identity.tests.oidc_flow import department_system
from onewindow.webhooks import services
from onewindow.webhooks.models import DeliveryStatus, WebhookDelivery
from onewindow.webhooks.transports import Response
from tests.e2e.conftest import PHONE, signed_in_page

pytestmark = pytest.mark.browser

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "deptapi"


def _keep(path: Path) -> None:
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, DOCS_SCREENSHOTS / path.name)


class DownForSecondCase:
    """A receiver that takes the first case's events and answers 503 for the second case's."""

    def post(self, *, url, body, headers, timeout):
        return Response(503, "HTTP 503", 42) if b"0002" in body else Response(204, "", 38)


@pytest.fixture
def receiver_half_down(settings):
    settings.ONEWINDOW_PLUGINS = {
        **settings.ONEWINDOW_PLUGINS,
        "webhook_transport": f"{__name__}.DownForSecondCase",
    }
    plugins_reset()
    yield
    plugins_reset()


def _deliveries(department) -> None:
    """Two events, sent at once (the test settings run tasks immediately): the first delivered, the second
    refused by the receiver and due again."""
    for number in ("350100-20260929-0001", "350100-20260929-0002"):
        services.webhook_event_record(
            event_type="task.created",
            department_id=department.pk,
            data={
                "task": {"id": "d8a1c0de-0000-4000-8000-000000000001", "name": "承办", "status": "ready"},
                "case": {"number": number, "status": "in_process"},
                "actor": "system",
            },
        )


def test_an_administrator_subscribes_and_follows_the_deliveries(
    new_page, live_server, platform_admin, department_a, screenshot, receiver_half_down
):
    application, _secret = department_system(platform_admin, name="市市场监管局 审批业务系统")
    page = signed_in_page(new_page, live_server, platform_admin)
    page.goto("/workbench/webhooks/")
    expect(page.get_by_role("heading", name="事件订阅", level=1)).to_be_visible()

    page.locator("#id_application").select_option(label=application.name)
    page.locator("#id_department").select_option(label=department_a.name)
    page.locator("#id_url").fill("https://spjg.example.gov.cn/onewindow/hooks")
    page.get_by_label("新待办（环节开始）").check()
    page.get_by_label("环节已通过").check()
    page.get_by_role("button", name="订阅", exact=True).click()

    expect(page.get_by_role("heading", name="签名密钥")).to_be_visible()
    expect(page.get_by_text("whsec_")).to_be_visible()
    _deliveries(department_a)

    page.goto("/workbench/webhooks/")
    expect(page.get_by_text("spjg.example.gov.cn/onewindow/hooks")).to_be_visible()
    expect(page.get_by_text("HTTP 503")).to_be_visible()
    _keep(screenshot(page, "webhooks-workbench"))

    phone = signed_in_page(new_page, live_server, platform_admin, viewport=PHONE)
    phone.goto("/workbench/webhooks/")
    _keep(screenshot(phone, "webhooks-workbench-phone"))

    page.get_by_role("link", name="待投递").click()
    page.get_by_role("link", name="task.created").first.click()
    expect(page.get_by_role("heading", name="尝试次数")).to_be_visible()
    page.get_by_role("button", name="重新投递").click()
    expect(page.get_by_text("正在重新投递该事件。")).to_be_visible()
    _keep(screenshot(page, "webhooks-delivery"))
    retried = WebhookDelivery.objects.get(status=DeliveryStatus.PENDING)
    assert retried.attempt_log.count() == 2


def test_the_api_documentation_works_under_the_csp(new_page):
    page = new_page()
    refused = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    requests = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto("/api/v1/docs")

    expect(page.get_by_role("heading", name=re.compile("^onewindow API"))).to_be_visible(timeout=30_000)
    expect(page.get_by_text("/api/v1/tasks/{task_id}/claim").first).to_be_visible()
    assert not refused
    assert all(url.startswith(page.url.split("/api/")[0]) for url in requests), requests
    # The whole document is 10,000 pixels tall: keep the first screen, with the new tasks and webhooks tags.
    page.get_by_role("heading", name=re.compile("^tasks")).first.scroll_into_view_if_needed()
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_SCREENSHOTS / "api-docs-swagger.png"))
