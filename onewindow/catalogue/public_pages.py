"""Whole public pages served from the shared cache to anonymous visitors (issue #18).

The guide, the search results and the portal home are the same for every visitor who is not signed in: the
published catalogue (versioned by the publication generation, ``public_cache``), the language, the large-text
preference. Rendering them again for each visitor was most of their cost even with their fragments cached
(the page around the fragment, ~100 ``{% url %}`` tags, the title's query, the context processors). A view
marked with ``public_page`` is stored once per (host, path and query, language, large text) and generation,
and answered from there to the next anonymous visitor in one cache round trip.

What stays per request:
- The CSRF token. Each page embeds one (the language switch form, htmx's header); it is taken out of the
  stored copy and a fresh one for this visitor is put in on the way out, with the cookie CsrfViewMiddleware
  sets for it as usual. No visitor's token is ever stored or shown to another.
- The headers of the middlewares outside this one (security, language, CSRF cookie, metrics) run as usual;
  those set inside it (CSP, Permissions-Policy, X-Frame-Options) were set on the stored response and are
  stored with it.
Never from the cache: a signed-in or session-holding visitor (a session cookie may carry messages, a kiosk
or acting-for state), a request with a bearer token, htmx's partial requests, anything but GET, and any answer
other than a plain 200 without cookies of its own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.urls import Resolver404, resolve
from django.utils import translation

from onewindow.catalogue.public_cache import GENERATION_KEY, PUBLIC_TTL_SECONDS
from onewindow.core.context_processors import LARGE_TEXT_COOKIE

# Stands where the visitor's CSRF token goes: the length of a masked token, characters a token never has.
_TOKEN_SLOT = "{{" + "~" * 60 + "}}"
_TOKEN_SLOT_BYTES = _TOKEN_SLOT.encode()
_MASKED_TOKEN = re.compile(rb"[A-Za-z0-9]{64}")
_PAGE_PREFIX = "catalogue:page:"
# A page bigger than this is rendered each time rather than stored (no page here comes close).
_MAX_STORED_BYTES = 512 * 1024
# Headers that belong to one answer, not to the stored page.
_PER_ANSWER_HEADERS = {"content-length", "date", "set-cookie"}

View = Callable[..., HttpResponseBase]


def public_page(view: View) -> View:
    """Mark a view whose answer to an anonymous visitor depends only on the published catalogue, the URL,
    the language and the large-text preference: PublicPageCacheMiddleware may then store it."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        response.public_page = True  # type: ignore[attr-defined]
        return response

    wrapped.public_page = True  # type: ignore[attr-defined]
    return wrapped


class PublicPageCacheMiddleware:
    """Placed after CsrfViewMiddleware and AuthenticationMiddleware (the CSRF cookie is read, and set on the
    way out) and before the middlewares that only matter for sessions and signed-in people."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _cacheable_request(request):
            return self.get_response(request)
        key = _page_key(request)
        found = cache.get_many([GENERATION_KEY, key])
        generation, stored = found.get(GENERATION_KEY), found.get(key)
        if generation is not None and isinstance(stored, tuple) and stored[0] == generation:
            return _from_stored(request, stored)
        response = self.get_response(request)
        if generation is not None and _storable(response):
            cache.set(key, _to_stored(request, response, generation), PUBLIC_TTL_SECONDS)
        return response


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    if "HTTP_AUTHORIZATION" in request.META or "HTTP_HX_REQUEST" in request.META:
        return False
    if "messages" in request.COOKIES:  # a flash message waiting (cookie storage) is shown once
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return getattr(match.func, "public_page", False)


def csrf_secret_of(token: str) -> str:
    """The secret a masked CSRF token carries (Django's masking: each character shifted by the mask's)."""
    mask, cipher = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    chars = CSRF_ALLOWED_CHARS
    return "".join(chars[chars.index(c) - chars.index(m)] for c, m in zip(cipher, mask, strict=True))


def _page_key(request: HttpRequest) -> str:
    parts = (
        request.get_host(),
        request.get_full_path(),
        translation.get_language(),
        request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
    )
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:32]
    return _PAGE_PREFIX + digest


def _storable(response: HttpResponse) -> bool:
    return (
        getattr(response, "public_page", False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
        and len(response.content) <= _MAX_STORED_BYTES
    )


def _to_stored(request: HttpRequest, response: HttpResponse, generation: object) -> tuple[Any, ...]:
    body = response.content
    secret = request.META.get("CSRF_COOKIE")
    if secret:
        # Every token rendered in the page unmasks to this visitor's secret; each becomes the slot.
        def slot(match: re.Match[bytes]) -> bytes:
            token = match.group().decode()
            return _TOKEN_SLOT_BYTES if csrf_secret_of(token) == secret else match.group()

        body = _MASKED_TOKEN.sub(slot, body)
    headers = [(name, value) for name, value in response.items() if name.lower() not in _PER_ANSWER_HEADERS]
    return (generation, response.status_code, headers, body)


def _from_stored(request: HttpRequest, stored: tuple[Any, ...]) -> HttpResponse:
    _generation, status, headers, body = stored
    if _TOKEN_SLOT_BYTES in body:
        # get_token also asks CsrfViewMiddleware to set the cookie, as rendering the page would have.
        body = body.replace(_TOKEN_SLOT_BYTES, get_token(request).encode())
    response = HttpResponse(body, status=status)
    for name, value in headers:
        response[name] = value
    return response
