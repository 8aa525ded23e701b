"""Request-wide concerns: the client address for the audit trail, and security headers Django lacks."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from onewindow.core.context import client_ip
from onewindow.core.ratelimit import client_ip_address

# Everything is served from our own origin: no CDN, no inline script except htmx's configuration.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    """Sets the client address for audit records and adds CSP and Permissions-Policy headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_null_character(request):
            # PostgreSQL cannot store NUL in text; refuse it at the door instead of failing deep in a query.
            return JsonResponse(
                {"code": "null_character", "message": "请求中含有不允许的空字符（\\0），请检查输入。"},
                status=400,
                json_dumps_params={"ensure_ascii": False},
            )
        token = client_ip.set(client_ip_address(request))
        try:
            response = self.get_response(request)
        finally:
            client_ip.reset(token)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


def _has_null_character(request: HttpRequest) -> bool:
    if "\x00" in request.path or b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    if request.content_type == "application/json":
        return b"\\u0000" in request.body or b"\x00" in request.body
    return False


class LanguageMiddleware:
    """Chinese unless the person chose otherwise with the language switch (the cookie ``set_language`` sets).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a clerk on an English-language
    machine would see English; a government platform speaks Chinese by default.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response
