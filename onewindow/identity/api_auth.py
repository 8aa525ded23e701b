"""How API callers prove who they are: the browser's session cookie (with CSRF on writes), or a bearer
access token issued by the platform's OpenID Connect provider to an app or department system.

A token may do only what its scopes allow: a token without the scope an endpoint needs gets 403
``insufficient_scope``; a missing, expired or revoked token, or one of a deactivated account, gets 401.
Tokens are accepted only in the ``Authorization`` header, never in the query string (RFC 9700 §4.3.2).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth
from oauth2_provider.oauth2_backends import get_oauthlib_core

from onewindow.core.errors import DomainError


class AccessTokenAuth(HttpBearer):
    """``Authorization: Bearer <access token>`` from the OIDC provider, holding every scope in ``scopes``."""

    def __init__(self, scopes: tuple[str, ...]) -> None:
        super().__init__()
        self.scopes = scopes

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
        # The provider checks the token, not the account: a deactivated account's tokens must stop too.
        if not valid or not oauth_request.user.is_active:
            return None
        access_token = oauth_request.access_token
        if not access_token.allow_scopes(list(self.scopes)):
            raise DomainError(
                code="insufficient_scope",
                message=f"访问令牌没有所需的授权范围：{'、'.join(self.scopes)}。",
                status=403,
            )
        request.user = oauth_request.user
        request.access_token = access_token  # type: ignore[attr-defined]
        return oauth_request.user


def session_or_token(*scopes: str) -> list[Any]:
    """``auth=`` for an endpoint: a signed-in browser, or a bearer token with these scopes."""
    return [SessionAuth(), AccessTokenAuth(scopes)]


def session_only() -> list[Any]:
    """``auth=`` for what only the person may do in their own signed-in browser (CSRF-checked on writes)."""
    return [SessionAuth()]
