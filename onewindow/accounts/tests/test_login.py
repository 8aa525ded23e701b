"""Staff sign-in: a clear refusal, a rate limit per address and per user name, the workbench behind it."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.core.models import AuditEntry
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture
def logins_limited_to_three(settings):
    # A window of days, so the test never straddles two windows.
    settings.ONEWINDOW_RATE_LIMITS = {**settings.ONEWINDOW_RATE_LIMITS, "login": (3, 10**6)}


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_login_page_is_shown(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()


def test_the_right_password_signs_a_clerk_in_and_opens_the_workbench(client, clerk_a):
    response = client.post(LOGIN, {"username": "clerk_a", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/workbench/"
    assert _signed_in(client)


def test_a_wrong_password_shows_an_error_and_signs_nobody_in(client, clerk_a):
    response = client.post(LOGIN, {"username": "clerk_a", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'role="alert"' in response.content.decode()
    assert not _signed_in(client)


def test_a_failed_attempt_is_audited_without_the_password(client, clerk_a):
    client.post(LOGIN, {"username": "clerk_a", "password": "wrong-secret"})
    entry = AuditEntry.objects.filter(action="auth.login_failed").get()
    assert entry.actor_label == "clerk_a"
    assert "wrong-secret" not in str(entry.changes)


def test_attempts_beyond_the_limit_are_refused_with_429_in_chinese(client, clerk_a, logins_limited_to_three):
    for _ in range(3):
        assert client.post(LOGIN, {"username": "clerk_a", "password": "wrong"}).status_code == 200
    response = client.post(LOGIN, {"username": "clerk_a", "password": "wrong"})
    assert response.status_code == 429
    assert "操作过于频繁" in response.content.decode()


def test_the_right_password_is_refused_too_once_the_limit_is_reached(
    client, clerk_a, logins_limited_to_three
):
    for _ in range(3):
        client.post(LOGIN, {"username": "clerk_a", "password": "wrong"})
    response = client.post(LOGIN, {"username": "clerk_a", "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert not _signed_in(client)


def test_the_limit_counts_per_user_name_across_addresses(clerk_a, logins_limited_to_three):
    for n in range(3):
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(LOGIN, {"username": "clerk_a", "password": "wrong"})
    response = Client(REMOTE_ADDR="198.51.100.99").post(LOGIN, {"username": "CLERK_A", "password": "wrong"})
    assert response.status_code == 429


def test_the_limit_on_one_user_name_does_not_lock_out_another_from_elsewhere(
    clerk_a, clerk_b, logins_limited_to_three
):
    for _ in range(4):
        Client().post(LOGIN, {"username": "clerk_a", "password": "wrong"})
    response = Client(REMOTE_ADDR="198.51.100.7").post(
        LOGIN, {"username": "clerk_b", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302


def test_the_workbench_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/workbench/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/workbench/"


def test_a_signed_in_clerk_sees_the_workbench(client_as, clerk_a):
    assert client_as(clerk_a).get("/workbench/").status_code == 200


def test_logging_out_ends_the_session(client, clerk_a):
    client.force_login(clerk_a)
    client.post("/accounts/logout/")
    assert not _signed_in(client)
