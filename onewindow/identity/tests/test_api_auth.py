"""API authentication: bearer access tokens from the platform's provider, limited by their scopes; the
browser's session cookie with CSRF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone
from ninja.security import SessionAuth
from oauth2_provider.models import AccessToken

from onewindow.core.errors import DomainError
from onewindow.identity.api_auth import AccessTokenAuth, BrowserSessionAuth, session_or_token
from onewindow.identity.tests.oidc_flow import department_system

RAW_TOKEN = "a-test-access-token-0123456789"


@pytest.fixture
def token(citizen, platform_admin) -> AccessToken:
    application, _ = department_system(platform_admin)
    return AccessToken.objects.create(
        user=citizen,
        application=application,
        token=RAW_TOKEN,
        scope="openid profile cases",
        expires=timezone.now() + timedelta(hours=1),
    )


def _authenticate(scopes: tuple[str, ...], raw: str = RAW_TOKEN):
    request = RequestFactory().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    return request, AccessTokenAuth(scopes)(request)


def test_a_token_with_the_scope_authenticates_its_user(token, citizen):
    request, user = _authenticate(("cases",))

    assert user == citizen
    assert request.user == citizen
    assert request.access_token == token


def test_a_token_without_the_scope_is_refused_with_403(token):
    with pytest.raises(DomainError) as refused:
        _authenticate(("cases", "licences"))

    assert (refused.value.status, refused.value.code) == (403, "insufficient_scope")
    assert "licences" in refused.value.message


def test_an_expired_token_authenticates_nobody(token):
    token.expires = timezone.now() - timedelta(seconds=1)
    token.save()

    assert _authenticate(("cases",))[1] is None


def test_a_revoked_token_authenticates_nobody(token):
    token.revoke()

    assert _authenticate(("cases",))[1] is None


def test_an_unknown_token_authenticates_nobody(token):
    assert _authenticate(("cases",), raw="not-a-token")[1] is None


def test_a_token_of_a_deactivated_account_authenticates_nobody(token, citizen):
    citizen.is_active = False
    citizen.save()

    assert _authenticate(("cases",))[1] is None


def test_a_token_in_the_query_string_is_not_accepted(token):
    request = RequestFactory().get("/api/v1/me", {"access_token": RAW_TOKEN}, HTTP_AUTHORIZATION="Bearer ")

    assert AccessTokenAuth(("cases",))(request) is None


def test_endpoints_try_the_bearer_token_before_the_csrf_checked_session_cookie():
    bearer, session = session_or_token("cases")

    assert isinstance(session, SessionAuth)
    assert session.csrf
    assert isinstance(bearer, AccessTokenAuth)
    assert bearer.scopes == ("cases",)


def _token_with(citizen, platform_admin, scope: str) -> AccessToken:
    application, _ = department_system(platform_admin)
    return AccessToken.objects.create(
        user=citizen,
        application=application,
        token=RAW_TOKEN,
        scope=scope,
        expires=timezone.now() + timedelta(hours=1),
    )


@pytest.mark.parametrize(
    ("scope", "method", "allowed"),
    [
        ("tasks:read", "get", True),
        ("tasks:read", "post", False),
        ("tasks:write", "post", True),
        ("tasks", "post", True),
        ("tasks", "get", True),
        ("cases:read", "post", False),
    ],
)
def test_split_families_need_the_read_scope_to_read_and_the_write_scope_to_write(
    citizen, platform_admin, scope, method, allowed
):
    _token_with(citizen, platform_admin, f"openid {scope}")
    request = getattr(RequestFactory(), method)("/api/v1/tasks", HTTP_AUTHORIZATION=f"Bearer {RAW_TOKEN}")

    if allowed:
        assert AccessTokenAuth(("tasks",))(request) == citizen
    else:
        with pytest.raises(DomainError) as refused:
            AccessTokenAuth(("tasks",))(request)
        assert refused.value.code == "insufficient_scope"
        assert 'error="insufficient_scope"' in refused.value.www_authenticate  # type: ignore[attr-defined]


def test_a_request_without_the_session_cookie_is_not_csrf_checked():
    request = RequestFactory().post("/api/v1/cases")

    assert BrowserSessionAuth()(request) is None
