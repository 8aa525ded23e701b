"""The browser's session cookie as API authentication, CSRF-checked on writes — but only for a request that
carries the cookie. A request without it (a department system sending a bearer token to an endpoint that takes
none) is simply not signed in: 401, instead of a CSRF verdict that would hide why it was refused."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import SessionAuth


class BrowserSessionAuth(SessionAuth):
    """The signed-in browser: its session cookie, CSRF-checked on writes."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        return super().authenticate(request, key) if key is not None else None
