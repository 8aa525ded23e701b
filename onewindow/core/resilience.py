"""Answers that stay sane when things fail: the database away, an oversized body, a route that does not exist.

- While the database is unreachable every request answers **503 with Retry-After** — JSON
  ``{"code": "service_unavailable", "message": …}`` under ``/api/`` and ``/healthz``, a small Chinese page
  elsewhere — never an HTML 500. The page is rendered without a request context, so no session or user
  look-up touches the database again. Broken connections are closed at once; Django's ``CONN_HEALTH_CHECKS``
  opens a fresh one on the next request, so the site recovers with no restart.
- Every ``/api/`` answer is JSON with a stable ``code``: Django's and gunicorn-style HTML error pages (unknown
  route 404, 405, 413 for a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, 500) are replaced by
  ``{"code", "message"}``.

A database failure can surface in a view, in a middleware (the session saved on the way out, the user looked
up on the way in) or in a template; Django turns each into a 500 response inside the middleware chain, so the
failure is noticed through ``got_request_exception`` (sent while the exception is being handled) and the 500
is replaced on the way out by the outermost of our middleware.
"""

from __future__ import annotations

import logging
import random
import sys
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connection, connections
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation

log = logging.getLogger(__name__)

SERVICE_UNAVAILABLE = "service_unavailable"
# Stable codes for the API's error statuses that Django (not a service) produces.
API_ERROR_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求有误，请检查后重试。"),
    401: ("unauthenticated", "请先登录。"),
    403: ("forbidden", "您没有执行此操作的权限。"),
    404: ("not_found", "请求的接口或记录不存在。"),
    405: ("method_not_allowed", "该接口不支持此请求方法。"),
    413: ("payload_too_large", "请求体过大，请缩小后重试。"),
    429: ("rate_limited", "请求过于频繁，请稍后重试。"),
    500: ("server_error", "服务器内部错误，请稍后重试；如持续出现请联系平台运维。"),
    502: ("bad_gateway", "上游服务暂时不可用，请稍后重试。"),
    503: (SERVICE_UNAVAILABLE, "服务暂时不可用（数据库正在恢复），请稍后重试。"),
    504: ("gateway_timeout", "上游服务响应超时，请稍后重试。"),
}
_FAILED_REQUEST_ATTRIBUTE = "_onewindow_database_unavailable"


def database_unavailable_error(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) says the database cannot be reached, rather than a bad query."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def database_connections_reset() -> None:
    """Close every connection that failed, so the next use opens a fresh one instead of reusing a dead one."""
    for wrapper in connections.all(initialized_only=True):
        try:
            if wrapper.connection is not None and not wrapper.is_usable():
                wrapper.close()
        except Exception:  # closing a broken socket may fail too; it is dropped either way
            wrapper.connection = None


def backoff_delay(attempt: int, *, base: float = 0.5, cap: float = 30.0) -> float:
    """Seconds to wait before reconnect attempt ``attempt`` (1, 2, …): exponential, capped, with full jitter so
    that every worker and scheduler that lost the same database does not knock on it at the same instant."""
    return random.uniform(0, min(cap, base * 2 ** min(attempt, 16)))  # noqa: S311 (jitter, not a secret)


def database_wait(*, stopped: threading.Event | None = None, what: str) -> None:
    """Close every connection and retry with back-off until the database answers (or ``stopped`` is set)."""
    attempt = 0
    while stopped is None or not stopped.is_set():
        attempt += 1
        connections.close_all()
        delay = backoff_delay(attempt)
        log.warning("%s: database unreachable, reconnecting in %.1f s (attempt %s)", what, delay, attempt)
        if stopped is not None:
            stopped.wait(delay)
        else:
            time.sleep(delay)
        try:
            connection.ensure_connection()
        except (OperationalError, InterfaceError) as error:
            log.debug("%s: still unreachable: %s", what, error)
            continue
        log.warning("%s: database reachable again after %s attempts", what, attempt)
        return


@receiver(got_request_exception)
def _note_database_failure(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    if request is not None and database_unavailable_error(sys.exc_info()[1]):
        setattr(request, _FAILED_REQUEST_ATTRIBUTE, True)


def _retry_after() -> str:
    return str(int(settings.ONEWINDOW_RETRY_AFTER_SECONDS))


def _json_paths(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def api_error_response(status: int) -> JsonResponse:
    """``{"code", "message"}`` with the status's stable code (see API_ERROR_CODES)."""
    code, message = API_ERROR_CODES.get(status, (f"http_{status}", "请求未能完成。"))
    return JsonResponse(
        {"code": code, "message": message},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def service_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 while the database is away: JSON for programs, a Chinese page for people."""
    if request.path == "/healthz":
        response: HttpResponse = JsonResponse(
            {
                "ok": False,
                "status": "unavailable",
                "problems": [{"component": "database", "code": "database.unreachable"}],
                "database": {"ok": False, "error": "OperationalError"},
            },
            status=503,
        )
    elif _json_paths(request):
        response = api_error_response(503)
    else:
        response = HttpResponse(_unavailable_page(request), status=503)
    response["Retry-After"] = _retry_after()
    response["Cache-Control"] = "no-store"
    return response


# The last resort if the page itself cannot be rendered (a broken static manifest, a template error).
_PLAIN_UNAVAILABLE_PAGE = (
    '<!DOCTYPE html><html lang="zh-hans"><meta charset="utf-8"><title>服务暂时不可用</title>'
    "<h1>服务暂时不可用</h1><p>平台暂时无法连接数据库，您已提交的申请不会丢失。请稍后重试；"
    "如问题持续，请拨打政务服务便民热线 12345。</p></html>"
)


def _unavailable_page(request: HttpRequest) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    try:
        with translation.override(chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE):
            # No request: the context processors (user, messages, CSRF) would read the session table.
            return render_to_string(
                "core/unavailable.html",
                {"site_name": settings.ONEWINDOW_SITE_NAME, "retry_after": _retry_after()},
            )
    except Exception:
        log.exception("the 503 page could not be rendered; answering the plain one")
        return _PLAIN_UNAVAILABLE_PAGE


def _json_body(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def _is_multipart(request: HttpRequest) -> bool:
    return request.META.get("CONTENT_TYPE", "").startswith("multipart/")


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class ResilienceMiddleware:
    """Outermost of our middleware (after SecurityMiddleware and WhiteNoise): 503 while the database is away,
    JSON errors under /api/."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if (
            request.path.startswith("/api/")
            and limit is not None
            and not _is_multipart(request)
            and _declared_length(request) > limit
        ):
            # Refused before a byte is read. Multipart bodies (uploads) are limited per file by the services.
            return api_error_response(413)
        response = self.get_response(request)
        if getattr(request, _FAILED_REQUEST_ATTRIBUTE, False):
            log.warning("database unavailable: %s %s answered 503", request.method, request.path)
            database_connections_reset()
            return service_unavailable_response(request)
        if request.path.startswith("/api/") and response.status_code >= 400 and not _json_body(response):
            replacement = api_error_response(response.status_code)
            for header in ("Allow", "Retry-After"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig | TooManyFieldsSent) and request.path.startswith("/api/"):
            return api_error_response(413)
        return None
