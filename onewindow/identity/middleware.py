"""Per request: which company or person a signed-in agent acts for, checked against a live authorisation."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from onewindow.core.context import acting_for
from onewindow.identity.selectors import principal_for_request


class ActingForMiddleware:
    """Sets ``request.principal`` (lazily) (the person, and the company they act for if any) and labels the audit
    trail with the company. An authorisation that expired or was revoked drops back to acting for oneself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        principal = SimpleLazyObject(lambda: principal_for_request(request))
        request.principal = principal  # type: ignore[attr-defined]
        token = acting_for.set(lambda: principal.acting_label)
        try:
            return self.get_response(request)
        finally:
            acting_for.reset(token)
