"""Single sign-on end to end, with a real OpenID Connect client library (Authlib's requests client, and
joserfc — Authlib's JOSE successor — for the ID token) against the live server: discovery, the
authorisation-code flow with PKCE S256, the ID token verified against the JWKS, userinfo, a second system
signing in without a second password, and RP-initiated logout ending the platform session.

The "browser" is a plain ``requests`` session holding the platform's cookies; the department systems are
Authlib sessions that never share those cookies.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from onewindow.identity.oidc.services import oidc_client_register
from tests.factories import DEFAULT_PASSWORD, person

REDIRECT_1 = "http://127.0.0.1:8101/callback"
REDIRECT_2 = "http://127.0.0.1:8102/callback"
LOGGED_OUT_1 = "http://127.0.0.1:8101/signed-out"

# Its live server empties the database after the test (TransactionTestCase); the root conftest sorts
# live-server tests last and lets the flush through the audit trail's triggers.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_server_flushable")]


def _form_fields(html: str) -> dict[str, str]:
    return {
        name: unescape(value)
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html)
    }


@pytest.fixture
def sign_in(live_server):
    """Sign a browser in on the platform's own sign-in page, with the phone number and password."""

    def run(browser: requests.Session, login_url: str, phone: str) -> requests.Response:
        page = browser.get(login_url)
        assert page.status_code == 200
        fields = _form_fields(page.text)
        identifier_field = "identifier" if 'name="identifier"' in page.text else "username"
        form = {
            "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
            "next": fields.get("next", ""),
            "method": "password",
            identifier_field: phone,
            "password": DEFAULT_PASSWORD,
        }
        answer = browser.post(page.url, data=form, headers={"Referer": page.url}, allow_redirects=False)
        assert answer.status_code == 302, "the sign-in form did not accept the citizen's phone and password"
        return browser.get(urljoin(page.url, answer.headers["Location"]), allow_redirects=False)

    return run


@pytest.fixture
def sessions(live_server) -> Iterator[list[requests.Session]]:
    """Every HTTP session the test opens, closed before the live server stops: a kept-alive connection
    would hold its server thread, and that thread's database connection, past the test."""
    opened: list[requests.Session] = []
    yield opened
    for session in opened:
        session.close()


def _client(
    sessions: list[requests.Session], app: Any, secret: str, redirect_uri: str, scope: str
) -> OAuth2Session:
    rp = OAuth2Session(
        client_id=app.client_id,
        client_secret=secret,
        scope=scope,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )
    sessions.append(rp)
    return rp


def _authorize(
    rp: OAuth2Session, browser: requests.Session, discovery: dict[str, Any]
) -> tuple[requests.Response, str, str, str]:
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, state = rp.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    return browser.get(url, allow_redirects=False), verifier, nonce, state


def _callback(response: requests.Response, redirect_uri: str) -> str:
    assert response.status_code == 302, (response.url, response.text[:3000])
    location = response.headers["Location"]
    assert location.startswith(redirect_uri), location
    return location


def test_single_sign_on_with_a_real_oidc_client(live_server, platform_admin, sign_in, sessions):
    citizen = person(7, name="王五").user
    app_1, secret_1 = oidc_client_register(
        actor=platform_admin,
        name="市市场监管局 企业登记系统",
        redirect_uris=[REDIRECT_1],
        post_logout_redirect_uris=[LOGGED_OUT_1],
    )
    app_2, secret_2 = oidc_client_register(
        actor=platform_admin, name="市卫健委 执业注册系统", redirect_uris=[REDIRECT_2]
    )

    # Discovery at the site root names the issuer the department systems must expect.
    browser = requests.Session()
    sessions.append(browser)
    discovery = browser.get(f"{live_server.url}/.well-known/openid-configuration", timeout=10).json()
    assert discovery["issuer"] == live_server.url
    assert "S256" in discovery["code_challenge_methods_supported"]
    jwks = KeySet.import_key_set(browser.get(discovery["jwks_uri"], timeout=10).json())

    # System 1: the authorisation request sends the browser to the platform's sign-in page first.
    rp_1 = _client(sessions, app_1, secret_1, REDIRECT_1, "openid profile idcard")
    response, verifier, nonce, state = _authorize(rp_1, browser, discovery)
    assert response.status_code == 302
    login_url = urljoin(live_server.url, response.headers["Location"])
    assert urlsplit(login_url).path == "/accounts/login/"
    callback = _callback(sign_in(browser, login_url, "13900000007"), REDIRECT_1)

    token = rp_1.fetch_token(
        discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier, state=state
    )

    # The ID token: signed with a key from the JWKS, for system 1, this nonce, not expired; masked ID only.
    id_token = jwt.decode(token["id_token"], jwks, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": discovery["issuer"]},
        aud={"essential": True, "value": app_1.client_id},
        exp={"essential": True},
        nonce={"essential": True, "value": nonce},
    ).validate(id_token.claims)
    claims = id_token.claims
    assert claims["name"] == "王五"
    assert claims["assurance_level"] == "L2"
    assert re.fullmatch(r"\d{4}\*{10}\d{3}[\dX]", claims["id_number_masked"])
    assert citizen.person.id_number not in token["id_token"]
    assert "phone_number_masked" not in claims  # the phone scope was not asked for

    userinfo = rp_1.get(discovery["userinfo_endpoint"]).json()
    assert userinfo["sub"] == claims["sub"] == str(citizen.pk)
    assert userinfo["id_number_masked"] == claims["id_number_masked"]

    # System 2: the same browser comes back with a code at once — no second sign-in.
    rp_2 = _client(sessions, app_2, secret_2, REDIRECT_2, "openid profile")
    response, verifier_2, _nonce, state_2 = _authorize(rp_2, browser, discovery)
    callback_2 = _callback(response, REDIRECT_2)
    token_2 = rp_2.fetch_token(
        discovery["token_endpoint"],
        authorization_response=callback_2,
        code_verifier=verifier_2,
        state=state_2,
    )
    assert jwt.decode(token_2["id_token"], jwks).claims["sub"] == claims["sub"]

    # RP-initiated logout from system 1 ends the platform session and returns to system 1.
    response = browser.get(
        discovery["end_session_endpoint"],
        params={"id_token_hint": token["id_token"], "post_logout_redirect_uri": LOGGED_OUT_1, "state": "bye"},
        allow_redirects=False,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"{LOGGED_OUT_1}?state=bye"

    # Signed out everywhere: system 2 must send the person to the sign-in page again.
    response, *_ = _authorize(rp_2, browser, discovery)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/accounts/login/"
    assert parse_qs(urlsplit(response.headers["Location"]).query)["next"][0].startswith("/o/authorize/")
