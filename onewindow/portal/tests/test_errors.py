"""The site's error pages: Chinese, in the portal's layout (a staff member refused a workbench page: the
workbench's), with a way on; the 500 page needs no database; ``/api/`` paths are left to the API's JSON errors."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import include, path, reverse

from onewindow.portal import error_views


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", _boom), path("", include("onewindow.urls"))]
handler500 = "onewindow.portal.error_views.server_error"


@pytest.mark.django_db
def test_an_unknown_page_is_the_chinese_404_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and "返回首页" in page and 'class="site-header"' in page


@pytest.mark.django_db
def test_a_refused_page_is_the_chinese_403_page(client_as, citizen):
    response = client_as(citizen).get("/workbench/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "无权访问" in page and 'class="site-header"' in page and "staff-header" not in page


@pytest.mark.django_db
def test_a_refused_workbench_page_is_the_chinese_403_page_in_the_workbench_layout_with_the_reason(
    client_as, supervisor
):
    response = client_as(supervisor).get("/workbench/cases/walk-in/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "无权访问" in page and 'class="site-header staff-header"' in page and "返回工作台首页" in page
    assert "只有已发布事项的部门的窗口人员可以代为录入申请。" in page


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
@pytest.mark.django_db
def test_a_crash_is_the_chinese_500_page():
    response = Client(raise_request_exception=False).get("/boom/")

    assert response.status_code == 500
    assert "服务暂时不可用" in response.content.decode()


def test_the_500_page_renders_without_the_database():
    # No django_db mark: any query would fail this test.
    response = error_views.server_error(RequestFactory().get("/cases/"))

    assert response.status_code == 500
    assert "服务暂时不可用" in response.content.decode()


@pytest.mark.django_db
def test_a_stale_form_token_is_the_chinese_csrf_page(citizen):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)

    response = client.post("/cases/", {})

    assert response.status_code == 403
    assert "表单已过期" in response.content.decode()


@pytest.mark.django_db
def test_api_paths_are_left_to_the_api_errors(client):
    response = client.get("/api/v1/no-such-endpoint")

    assert response.status_code == 404
    assert "页面不存在" not in response.content.decode()


@pytest.mark.django_db
def test_opening_a_form_action_directly_is_the_chinese_405_page_and_the_api_keeps_its_json(
    client_as, citizen
):
    client = client_as(citizen)
    response = client.get(reverse("identity:logout"))

    assert response.status_code == 405 and response["Allow"] == "POST, OPTIONS"
    page = response.content.decode()
    assert "此地址仅用于提交表单" in page and "返回首页" in page and 'class="site-header"' in page
    assert client.get("/api/v1/submissions").json()["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_a_staff_member_opening_a_workbench_form_action_directly_gets_the_405_page_in_the_workbench_layout(
    client_as, supervisor
):
    response = client_as(supervisor).get(reverse("supervision:alert_acknowledge", args=[uuid.uuid4()]))

    assert response.status_code == 405 and response["Allow"].startswith("POST")
    page = response.content.decode()
    assert (
        "此地址仅用于提交表单" in page
        and 'class="site-header staff-header"' in page
        and "返回工作台首页" in page
    )
