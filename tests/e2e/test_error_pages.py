"""The Chinese error pages as a visitor sees them: 404 for an unknown address, 403 for a citizen at the
workbench, 500 when a page crashes, on desktop and phone, in the portal's layout."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import include, path
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, signed_in_page
from tests.factories import person

pytestmark = pytest.mark.browser


def _crash(request):
    raise RuntimeError("a bug in a page")


urlpatterns = [path("crash/", _crash), path("", include("onewindow.urls"))]
handler500 = "onewindow.portal.error_views.server_error"


def test_an_unknown_address_shows_the_chinese_404_page(new_page, screenshot):
    page = new_page()
    response = page.goto("/no-such-page/")

    assert response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.get_by_role("link", name="返回首页")).to_be_visible()
    screenshot(page, "error-404")


def test_a_citizen_at_the_workbench_sees_the_chinese_403_page(new_page, live_server, screenshot):
    page = signed_in_page(new_page, live_server, person(150, name="张三").user, PHONE)
    response = page.goto("/workbench/")

    assert response.status == 403
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
    screenshot(page, "error-403-phone")


@override_settings(ROOT_URLCONF=__name__)
def test_a_crashing_page_shows_the_chinese_500_page(new_page, screenshot):
    page = new_page()
    response = page.goto("/crash/")

    assert response.status == 500
    expect(page.get_by_role("heading", name="服务暂时不可用")).to_be_visible()
    screenshot(page, "error-500")
