"""The workbench pages for registered department systems: platform administrators only."""

from __future__ import annotations

import pytest
from django.urls import reverse
from oauth2_provider.models import Application

from onewindow.identity.oidc.services import oidc_client_is_active
from onewindow.identity.tests.oidc_flow import REDIRECT_URI, department_system


@pytest.mark.parametrize("name", ["client_list", "client_register"])
def test_a_clerk_may_not_see_the_pages(client_as, clerk_a, name):
    assert client_as(clerk_a).get(reverse(f"oidc:{name}")).status_code == 403


def test_a_clerk_may_not_disable_a_system(client_as, clerk_a, platform_admin):
    application, _ = department_system(platform_admin)

    response = client_as(clerk_a).post(reverse("oidc:client_disable", args=[application.pk]))

    assert response.status_code == 403
    application.refresh_from_db()
    assert oidc_client_is_active(application)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("oidc:client_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login"))


def test_the_list_shows_the_systems_and_the_discovery_address(client_as, platform_admin):
    application, secret = department_system(platform_admin)

    response = client_as(platform_admin).get(reverse("oidc:client_list"))

    assert response.status_code == 200
    page = response.content.decode()
    assert application.name in page
    assert application.client_id in page
    assert "http://testserver/.well-known/openid-configuration" in page
    assert secret not in page


def test_registering_shows_the_secret_once(client_as, platform_admin):
    browser = client_as(platform_admin)

    response = browser.post(
        reverse("oidc:client_register"),
        {
            "name": "市卫健委 执业注册系统",
            "redirect_uris": f"{REDIRECT_URI}\nhttps://dept.example.cn/cb",
            "post_logout_redirect_uris": "",
            "skip_authorization": "on",
        },
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    application = Application.objects.get(name="市卫健委 执业注册系统")
    assert application.redirect_uris.split() == [REDIRECT_URI, "https://dept.example.cn/cb"]
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert secret not in browser.get(reverse("oidc:client_list")).content.decode()


def test_a_bad_registration_says_what_is_wrong_and_registers_nothing(client_as, platform_admin):
    response = client_as(platform_admin).post(
        reverse("oidc:client_register"), {"name": "部门系统", "redirect_uris": "ftp://example.cn/cb"}
    )

    assert response.status_code == 400
    assert "ftp://example.cn/cb" in response.context["form"].errors["redirect_uris"][0]
    assert not Application.objects.exists()


def test_rotating_asks_first_then_shows_the_new_secret(client_as, platform_admin):
    application, old_secret = department_system(platform_admin)
    browser = client_as(platform_admin)
    url = reverse("oidc:client_secret_rotate", args=[application.pk])

    assert browser.get(url).status_code == 200
    response = browser.post(url)

    assert response.status_code == 200
    assert response.context["secret"] not in {old_secret, ""}
    assert response["Cache-Control"] == "no-store"


def test_disabling_asks_first_then_marks_the_system_disabled(client_as, platform_admin):
    application, _ = department_system(platform_admin)
    browser = client_as(platform_admin)
    url = reverse("oidc:client_disable", args=[application.pk])

    assert browser.get(url).status_code == 200
    response = browser.post(url, follow=True)

    application.refresh_from_db()
    assert not oidc_client_is_active(application)
    assert response.redirect_chain[-1][0] == reverse("oidc:client_list")
    assert application.name in response.content.decode()


def test_an_unknown_system_is_not_found(client_as, platform_admin):
    response = client_as(platform_admin).get(reverse("oidc:client_disable", args=[999999]))

    assert response.status_code == 404
