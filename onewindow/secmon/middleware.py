"""Refused requests as security events: a burst of 403s, or of 404s on pages that show one person's records
(someone walking through case or licence numbers), is what an enumeration attempt looks like."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from onewindow.core.context import client_ip
from onewindow.secmon.models import EventKind
from onewindow.secmon.services import security_event_record

log = logging.getLogger("onewindow.security")


class RefusalMonitorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403 or (
            response.status_code == 404
            and request.path.startswith(tuple(settings.ONEWINDOW_SECMON_WATCHED_PATHS))
        ):
            user = getattr(request, "user", None)
            signed_in = bool(user and user.is_authenticated)
            ip = client_ip.get() or request.META.get("REMOTE_ADDR")
            try:
                security_event_record(
                    kind=EventKind.PERMISSION_REFUSED,
                    subject=user.get_username() if signed_in and user else f"ip:{ip}",
                    actor=user if signed_in else None,
                    ip=ip,
                    detail={
                        "status": response.status_code,
                        "method": request.method,
                        "path": request.path[:200],
                    },
                )
            except DatabaseError:
                # The refusal is answered either way; a database outage must not turn it into a 500.
                log.warning(
                    "security event not recorded: %s %s", response.status_code, request.path, exc_info=True
                )
        return response
