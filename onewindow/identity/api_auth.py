"""How API callers prove who they are: the browser's session cookie (with CSRF on writes), or a bearer
access token issued by the platform's OpenID Connect provider to an app or department system.

CSRF protects what a browser sends by itself — the cookie. A bearer token is never sent by a browser on its
own, so a request authenticated by its ``Authorization`` header needs no CSRF token; a request that carries a
session cookie (and no bearer token) keeps the CSRF check on writes. The bearer token is therefore tried
first, and the session check runs only for a request that has a session cookie.

A token may do only what its scopes allow: a token without the scope an endpoint needs gets 403
``insufficient_scope``; a missing, expired or revoked token, or one of a deactivated account, gets 401. Both
answers carry ``WWW-Authenticate: Bearer …`` (RFC 6750 §3). Tokens are accepted only in the
``Authorization`` header, never in the query string (RFC 9700 §4.3.2).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer
from oauth2_provider.oauth2_backends import get_oauthlib_core

from onewindow.core.errors import DomainError
from onewindow.core.session_auth import BrowserSessionAuth

# Endpoint families whose scope is split into reading and writing (``cases:read`` / ``cases:write``): a
# department system that only watches cases should not be able to decide them, nor a dashboard that reads
# supervision alerts issue 督办单. The family's own name (``cases``, issued before the split) still grants both.
SPLIT_FAMILIES = frozenset({"cases", "tasks", "supervision"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REALM = "onewindow"


class InsufficientScope(DomainError):
    """403 for a valid token without the scope the endpoint needs; the header names the scope."""

    def __init__(self, needed: tuple[str, ...]) -> None:
        super().__init__(
            code="insufficient_scope",
            message=f"访问令牌没有所需的授权范围：{' 或 '.join(needed)}。请在授权时申请该范围。",
            status=403,
        )
        self.www_authenticate = (
            f'Bearer realm="{REALM}", error="insufficient_scope", scope="{" ".join(needed)}"'
        )


def scopes_accepted(family: str, method: str) -> tuple[str, ...]:
    """The scopes any one of which lets a token call an endpoint of ``family`` with ``method``."""
    if family not in SPLIT_FAMILIES:
        return (family,)
    return (f"{family}:read" if method in SAFE_METHODS else f"{family}:write", family)


def www_authenticate_for(request: HttpRequest) -> str:
    """The challenge of a 401: ``invalid_token`` when a bearer token was sent and refused (RFC 6750 §3.1)."""
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return f'Bearer realm="{REALM}", error="invalid_token", error_description="token invalid or expired"'
    return f'Bearer realm="{REALM}"'


class AccessTokenAuth(HttpBearer):
    """``Authorization: Bearer <access token>`` from the OIDC provider, holding the scope of each family in
    ``scopes`` (for ``cases`` / ``tasks``: the read or write scope, by the request's method)."""

    def __init__(self, scopes: tuple[str, ...]) -> None:
        super().__init__()
        self.scopes = scopes

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
        # The provider checks the token, not the account: a deactivated account's tokens must stop too.
        if not valid or not oauth_request.user.is_active:
            return None
        access_token = oauth_request.access_token
        for family in self.scopes:
            accepted = scopes_accepted(family, request.method or "GET")
            if not any(access_token.allow_scopes([scope]) for scope in accepted):
                raise InsufficientScope(accepted)
        request.user = oauth_request.user
        request.access_token = access_token  # type: ignore[attr-defined]
        return oauth_request.user


def session_or_token(*scopes: str) -> list[Any]:
    """``auth=`` for an endpoint: a bearer token with these scopes, or a signed-in browser."""
    return [AccessTokenAuth(scopes), BrowserSessionAuth()]


def session_only() -> list[Any]:
    """``auth=`` for what only the person may do in their own signed-in browser (CSRF-checked on writes)."""
    return [BrowserSessionAuth()]
