"""Signed-in browsers: listed at sign-in, touched at most once a minute, ended by their own user only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client, RequestFactory

from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.identity import selectors
from onewindow.identity.models import UserSession
from onewindow.identity.services import sessions
from onewindow.identity.session_middleware import SessionActivityMiddleware
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PHONE = "13900000001"
CHROME_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
SAFARI_IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile Safari/604.1"


def _signed_in_browser(user_agent: str = CHROME_WINDOWS, address: str = "203.0.113.7") -> Client:
    browser = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    response = browser.post(LOGIN, {"method": "password", "username": PHONE, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return browser


def _key(browser: Client) -> str:
    return browser.session.session_key


def test_a_sign_in_lists_the_browser_with_address_agent_and_method(citizen):
    browser = _signed_in_browser()
    record = UserSession.objects.get()
    assert (record.user, record.session_key, record.ip, record.method) == (
        citizen,
        _key(browser),
        "203.0.113.7",
        "password",
    )
    assert record.user_agent == CHROME_WINDOWS


def test_ending_a_session_signs_that_browser_out(citizen):
    elsewhere = _signed_in_browser(SAFARI_IPHONE)
    record = UserSession.objects.get(session_key=_key(elsewhere))
    sessions.session_end(user=citizen, session_id=record.pk)
    assert not Session.objects.filter(session_key=record.session_key).exists()
    assert elsewhere.get("/accounts/sessions/").status_code == 302  # back to the sign-in page
    record.refresh_from_db()
    assert record.ended_at is not None
    assert AuditEntry.objects.filter(action="session.end", actor=citizen).exists()


def test_someone_elses_session_is_not_found(citizen, another_citizen):
    _signed_in_browser()
    record = UserSession.objects.get()
    with pytest.raises(DomainError) as refused:
        sessions.session_end(user=another_citizen, session_id=record.pk)
    assert refused.value.status == 404
    assert Session.objects.filter(session_key=record.session_key).exists()


def test_a_malformed_session_id_is_not_found(citizen):
    with pytest.raises(DomainError) as refused:
        sessions.session_end(user=citizen, session_id="not-a-uuid")
    assert refused.value.status == 404


def test_ending_the_others_keeps_this_browser(citizen):
    here, phone, laptop = _signed_in_browser(), _signed_in_browser(SAFARI_IPHONE), _signed_in_browser()
    assert sessions.sessions_end_others(user=citizen, keep_session_key=_key(here)) == 2
    assert Session.objects.filter(session_key=_key(here)).exists()
    assert not Session.objects.filter(session_key__in=[_key(phone), _key(laptop)]).exists()


def test_the_list_shows_live_sessions_and_marks_this_browser(citizen):
    here, other = _signed_in_browser(), _signed_in_browser(SAFARI_IPHONE, "198.51.100.3")
    other.post("/accounts/logout/")
    _signed_in_browser(SAFARI_IPHONE, "198.51.100.4")
    rows = selectors.session_rows(user=citizen, current_key=_key(here))
    assert {row.ip for row in rows} == {"203.0.113.7", "198.51.100.4"}
    assert [row.is_current for row in rows if row.ip == "203.0.113.7"] == [True]
    assert {row.device for row in rows} == {"Chrome · Windows", "Safari · iPhone"}


def test_an_expired_django_session_is_not_listed(citizen):
    browser = _signed_in_browser()
    Session.objects.filter(session_key=_key(browser)).update(
        expire_date=Session.objects.get().expire_date - timedelta(days=2)
    )
    assert selectors.session_rows(user=citizen, current_key="") == []


def test_signing_out_marks_the_session_ended(citizen):
    browser = _signed_in_browser()
    browser.post("/accounts/logout/")
    assert UserSession.objects.get().ended_at is not None


def test_activity_is_written_at_most_once_a_minute(citizen, monkeypatch):
    browser = _signed_in_browser()
    record = UserSession.objects.get()
    request = RequestFactory().get("/")
    request.user = citizen
    request.session = browser.session
    middleware = SessionActivityMiddleware(lambda r: None)  # type: ignore[arg-type,return-value]
    middleware(request)
    record.refresh_from_db()
    first_seen = record.last_seen_at
    clock_now = sessions.time.time() + 61
    monkeypatch.setattr(sessions.time, "time", lambda: clock_now)
    middleware(request)
    record.refresh_from_db()
    assert record.last_seen_at > first_seen
    later_seen = record.last_seen_at
    middleware(request)
    record.refresh_from_db()
    assert record.last_seen_at == later_seen


def test_no_plaintext_phone_in_the_sessions_tables(citizen):
    _signed_in_browser()
    with connection.cursor() as cursor:
        for table in ("identity_usersession", "django_session", "identity_smschallenge"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed table names)
            assert PHONE not in repr(cursor.fetchall())


def test_a_forwarded_address_that_is_not_an_ip_falls_back_to_the_peer_address(citizen, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="not-an-address", REMOTE_ADDR="10.0.0.7")
    request.session = Client().session
    assert sessions.session_record(request=request, user=citizen, method="password").ip == "10.0.0.7"
