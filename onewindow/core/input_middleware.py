"""Refuse text that cannot be stored or shown before any view sees it.

A JSON body may spell a lone UTF-16 surrogate (``"\\ud800"``): Python decodes it, SQLite stores it, and every
page that later shows it fails to encode as UTF-8. Query strings and form posts may carry bytes that are not
UTF-8 at all, which Django silently turns into replacement characters. Both are refused with 400 here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from onewindow.core.unicode_text import SURROGATES

INVALID_TEXT_CODE = "invalid_text"
INVALID_TEXT_MESSAGE = (
    "请求中含有无法识别的字符（例如不成对的 Unicode 代理字符或非 UTF-8 编码），请检查输入后重试。"
)


class UnencodableInputMiddleware:
    """400 for a query string, form post or JSON body holding text that is not valid Unicode."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request_text_is_valid(request):
            return invalid_text_response(request)
        return self.get_response(request)


def request_text_is_valid(request: HttpRequest) -> bool:
    """False when the query string, a form-encoded body or a JSON body holds text that is not valid Unicode."""
    if not _is_utf8(unquote_to_bytes(request.META.get("QUERY_STRING", ""))):
        return False
    content_type = request.content_type or ""
    if request.method in {"GET", "HEAD", "OPTIONS"} or not (
        content_type == "application/x-www-form-urlencoded" or "json" in content_type
    ):
        return True
    try:
        body = request.body
    except RequestDataTooBig:
        return True  # refused as too large where the body is read
    if content_type == "application/x-www-form-urlencoded":
        return _is_utf8(unquote_to_bytes(body.replace(b"+", b" ")))
    if not _is_utf8(body):
        return False
    if b"\\u" not in body and b"\\U" not in body:
        return True
    try:
        parsed = json.loads(body)
    except ValueError:
        return True  # not JSON: the view answers that in its own words
    return not _holds_surrogate(parsed)


def invalid_text_response(request: HttpRequest) -> HttpResponse:
    """The refusal: JSON with a stable code for the API and JSON clients, a Chinese page for browsers."""
    if request.path.startswith("/api/") or "json" in (request.content_type or ""):
        return JsonResponse(
            {"code": INVALID_TEXT_CODE, "message": INVALID_TEXT_MESSAGE},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    return HttpResponse(render_to_string("errors/400.html", {}, request=request), status=400)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _holds_surrogate(value: object) -> bool:
    if isinstance(value, str):
        return SURROGATES.search(value) is not None
    if isinstance(value, dict):
        return any(_holds_surrogate(k) or _holds_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_surrogate(v) for v in value)
    return False
