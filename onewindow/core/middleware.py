"""Request-wide concerns: the client address for the audit trail, and security headers Django lacks."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from onewindow.core.context import client_ip
from onewindow.core.ratelimit import client_address

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
        token = client_ip.set(client_address(request))
        try:
            response = self.get_response(request)
        finally:
            client_ip.reset(token)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
