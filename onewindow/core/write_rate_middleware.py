"""Per-account write rates: one account may make only so many changes a minute (drafts, uploads,
submissions, everything else it posts), so a script cannot fill the database in seconds."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from onewindow.core.errors import DomainError
from onewindow.core.ratelimit import rate_limit_hit

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SCOPE = "account_write"


class AccountWriteRateMiddleware:
    """429 with Retry-After once a signed-in account (session or API token) has used up its writes for the
    minute. Anonymous writes (sign-in, registration, public look-ups) have their own per-address limits."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in WRITE_METHODS and (account := _account_key(request)):
            try:
                rate_limit_hit(scope=SCOPE, key=account)
            except DomainError as refusal:
                return _refusal_response(request, refusal)
        return self.get_response(request)


def _account_key(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    # An API client with a bearer token is only known inside the API's authentication; its token names it.
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if authorization.lower().startswith("bearer ") and len(authorization) > 7:
        return f"token:{hashlib.sha256(authorization[7:].strip().encode()).hexdigest()[:32]}"
    return None


def _refusal_response(request: HttpRequest, refusal: DomainError) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(refusal.as_dict(), status=429, json_dumps_params={"ensure_ascii": False})
    else:
        page = render_to_string("errors/429.html", {"message": refusal.message}, request=request)
        response = HttpResponse(page, status=429)
    response["Retry-After"] = str(refusal.retry_after or 60)
    return response
