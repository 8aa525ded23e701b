"""prompt=none (OpenID Connect Core §3.1.2.1), which discovery advertises: a silent sign-in answers with a code
when the browser is signed in, and with an error sent back to the system when it is not — never a page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.test import Client

from onewindow.identity.tests.oidc_flow import REDIRECT_URI, department_system, pkce_pair


def _authorize(client: Client, application, **extra):
    _verifier, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile",
        "state": "s1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "prompt": "none",
        **extra,
    }
    response = client.get("/o/authorize/", params)
    assert response.status_code == 302, response.content
    location = urlsplit(response["Location"])
    return f"{location.scheme}://{location.netloc}{location.path}", parse_qs(location.query)


def test_prompt_none_gives_a_code_to_a_signed_in_browser(client, citizen, platform_admin):
    application, _ = department_system(platform_admin)
    client.force_login(citizen)

    target, answer = _authorize(client, application)

    assert target == REDIRECT_URI
    assert answer["code"] and answer["state"] == ["s1"]


def test_prompt_none_without_a_session_answers_login_required(platform_admin):
    application, _ = department_system(platform_admin)

    target, answer = _authorize(Client(), application)

    assert target == REDIRECT_URI
    assert answer["error"] == ["login_required"] and answer["state"] == ["s1"]


def test_prompt_none_for_a_system_needing_consent_answers_consent_required(client, citizen, platform_admin):
    application, _ = department_system(platform_admin, skip_authorization=False)
    client.force_login(citizen)

    _target, answer = _authorize(client, application)

    assert answer["error"] == ["consent_required"]


def test_prompt_none_with_another_prompt_is_an_invalid_request(client, citizen, platform_admin):
    application, _ = department_system(platform_admin)
    client.force_login(citizen)

    _target, answer = _authorize(client, application, prompt="none login")

    assert answer["error"] == ["invalid_request"]
