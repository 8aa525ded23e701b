"""Keeps "last active" in the signed-in browsers list current (at most one write per browser a minute)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from onewindow.identity.services.sessions import session_touch


class SessionActivityMiddleware:
    """After ``AuthenticationMiddleware``: touch the signed-in browser's ``UserSession``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session_touch(request=request)
        return self.get_response(request)
