"""Who may enter which part of the site, checked once at the door rather than in every view."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

STAFF_AREA = "/workbench/"


class StaffAreaMiddleware:
    """The workbench is for staff: a signed-in citizen gets the 403 page, not a half-working workbench.

    Anonymous visitors pass on to the views, which send them to the sign-in page. Each workbench view still
    checks the person's role in the department it acts for.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            request.path.startswith(STAFF_AREA)
            and user is not None
            and user.is_authenticated
            and not user.is_staff
        ):
            raise PermissionDenied
        return self.get_response(request)
