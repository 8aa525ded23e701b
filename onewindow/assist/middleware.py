"""Automatic sign-out on self-service machines: a kiosk session left idle ends on the server (the browser's
own timer, static/assist/kiosk.js, clears the screen and the client state at the same moment)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from onewindow.identity.services.sessions import session_mark_ended

KIOSK_SESSION_KEY = "kiosk_last_active"


def kiosk_session_start(request: HttpRequest) -> None:
    """Mark the (just signed-in) session as a kiosk one, subject to the idle sign-out."""
    request.session[KIOSK_SESSION_KEY] = time.time()


def kiosk_session_end(request: HttpRequest) -> None:
    """End the kiosk session: the signed-in browsers list notes it, and the whole session is flushed."""
    session_mark_ended(session_key=request.session.session_key)
    logout(request)


class KioskIdleMiddleware:
    """After the session and authentication middleware: end a kiosk session idle for longer than
    ``ONEWINDOW_KIOSK_IDLE_SECONDS`` and send the machine back to the kiosk's start page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        last = request.session.get(KIOSK_SESSION_KEY)
        if last is not None:
            if time.time() - float(last) > settings.ONEWINDOW_KIOSK_IDLE_SECONDS:
                kiosk_session_end(request)
                return HttpResponseRedirect(reverse("kiosk:home") + "?ended=idle")
            request.session[KIOSK_SESSION_KEY] = time.time()
        return self.get_response(request)
