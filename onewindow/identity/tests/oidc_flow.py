"""The authorisation-code flow with PKCE through Django's test client, for tests that need real tokens
from the provider (the end-to-end test with a real OIDC client library is test_oidc_e2e.py)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.test import Client

from onewindow.identity.oidc.services import oidc_client_register

REDIRECT_URI = "http://127.0.0.1:8765/callback"
LOGOUT_URI = "http://127.0.0.1:8765/signed-out"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def department_system(admin: Any, name: str = "市市场监管局 企业登记系统", **fields: Any) -> tuple[Any, str]:
    """A registered confidential client and its plain secret."""
    return oidc_client_register(
        actor=admin, name=name, redirect_uris=[REDIRECT_URI], post_logout_redirect_uris=[LOGOUT_URI], **fields
    )


def code_flow(
    client: Client, application: Any, secret: str, *, scope: str = "openid profile"
) -> dict[str, Any]:
    """Run the flow for the user signed in on ``client``; the token endpoint's JSON answer."""
    verifier, challenge = pkce_pair()
    response = client.get(
        "/o/authorize/",
        {
            "response_type": "code",
            "client_id": application.client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": scope,
            "state": "s1",
            "nonce": "n1",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 302, response.content
    code = parse_qs(urlsplit(response["Location"]).query)["code"][0]
    token = Client().post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
            "client_id": application.client_id,
            "client_secret": secret,
        },
    )
    assert token.status_code == 200, token.content
    return token.json()
