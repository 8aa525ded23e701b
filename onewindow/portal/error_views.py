"""The site's own error pages (403, 404, 405, 500, CSRF failure) in Chinese, in the portal's layout.

``/api/`` answers are JSON and belong to the API's own error handling: for those paths these handlers hand
over to Django's defaults, which the API layer turns into its JSON errors.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.views import csrf, defaults
from django.views.decorators.csrf import requires_csrf_token

from onewindow.core.access import STAFF_AREA

logger = logging.getLogger(__name__)

# Shown when even the 500 page cannot be drawn (a broken template, static files not collected): plain HTML
# with nothing that could fail.
_BARE_500 = (
    '<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>系统繁忙</title></head>'
    "<body><main><h1>系统繁忙，请稍后再试</h1><p>服务器处理您的请求时出错，我们已记录此问题。"
    '请稍后刷新页面重试；如需帮助，请拨打政务服务便民热线 12345。</p><p><a href="/">返回首页</a></p>'
    "</main></body></html>"
)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _in_staff_area(request: HttpRequest) -> bool:
    """Staff refused a workbench page stay in the workbench's layout, with their menu to go on from."""
    user = getattr(request, "user", None)
    return request.path.startswith(STAFF_AREA) and bool(user and user.is_authenticated and user.is_staff)


@requires_csrf_token
def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: signed in, but this page is not for this account. The refusal's own message, when a service gave
    one (always Chinese or translated), says why."""
    if _is_api(request):
        return defaults.permission_denied(request, exception or Exception())
    template = "errors/403_staff.html" if _in_staff_area(request) else "errors/403.html"
    reason = str(exception) if isinstance(exception, PermissionDenied) and exception.args else ""
    return HttpResponse(loader.render_to_string(template, {"reason": reason}, request=request), status=403)


@requires_csrf_token
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: no such page, or a record this person may not see (never saying which)."""
    if _is_api(request):
        return defaults.page_not_found(request, exception or Exception())
    return HttpResponse(loader.render_to_string("errors/404.html", {}, request=request), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: drawn without the request's context (no session, no user): the database may be what failed."""
    if _is_api(request):
        return defaults.server_error(request)
    content: str
    try:
        content = loader.render_to_string("errors/500.html", {"site_name": settings.ONEWINDOW_SITE_NAME})
    except Exception:
        logger.exception("the 500 page could not be drawn")
        content = _BARE_500
    return HttpResponseServerError(content)


@requires_csrf_token
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The form's security token was missing or stale (an old tab, cookies blocked): say how to go on."""
    if _is_api(request):
        return csrf.csrf_failure(request, reason)
    return HttpResponse(loader.render_to_string("errors/csrf.html", {}, request=request), status=403)


class MethodNotAllowedPageMiddleware:
    """405 as a page: Django has no handler for it, and ``require_POST`` answers an empty body — a blank
    screen for whoever opens a form's action from a bookmark or the history. Staff in the workbench get it in
    the workbench's layout, as with a refusal. The API keeps its JSON 405 (core.resilience)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.content or _is_api(request):
            return response
        template = "errors/405_staff.html" if _in_staff_area(request) else "errors/405.html"
        page = HttpResponse(loader.render_to_string(template, {}, request=request), status=405)
        page["Allow"] = response.get("Allow", "")
        return page
