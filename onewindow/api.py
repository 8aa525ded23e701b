"""The JSON API under /api/v1/: one NinjaAPI, each app contributes a router from its own api.py.

Every error has the same shape — ``{"code": "...", "message": "...", "problems": [...]}`` — with a stable
``code`` for programs and a Chinese ``message`` for people. Cookie-authenticated writes need the CSRF token.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, renderers
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.throttling import BaseThrottle

from onewindow.appointments.api import router as appointments_router
from onewindow.cases.api import router as cases_router
from onewindow.catalogue.api import router as catalogue_router
from onewindow.catalogue.exchange.api import router as exchange_router
from onewindow.core.errors import DomainError
from onewindow.core.ratelimit import client_address, rate_limit_hit
from onewindow.core.unicode_text import text_repair
from onewindow.halls.api import router as halls_router
from onewindow.identity.api import router as identity_router
from onewindow.identity.api_auth import InsufficientScope, www_authenticate_for
from onewindow.licences.api import router as licences_router
from onewindow.licences.holder_api import router as licence_holders_router
from onewindow.opendata.api import router as opendata_router
from onewindow.organisations.api import router as organisations_router
from onewindow.payments.api import router as payments_router
from onewindow.queueing.api import router as queueing_router
from onewindow.ratings.api import router as ratings_router
from onewindow.sharing.api import router as sharing_router
from onewindow.supervision.api import router as supervision_router
from onewindow.webhooks.api import router as webhooks_router
from onewindow.workdays.api import router as workdays_router
from onewindow.workflow.api import router as workflow_router


class PublicLookupThrottle(BaseThrottle):
    """Public look-ups share one per-address budget (settings.ONEWINDOW_RATE_LIMITS["public_lookup"])."""

    retry_after: int | None = None

    def allow_request(self, request: HttpRequest) -> bool:
        try:
            rate_limit_hit(scope="public_lookup", key=client_address(request))
        except DomainError as refused:
            self.retry_after = refused.retry_after
            return False
        return True

    def wait(self) -> float | None:
        return self.retry_after


class JSONRenderer(renderers.JSONRenderer):
    """UTF-8 JSON: Chinese messages readable as they are, not as \\u escapes. A lone surrogate stored before
    input was checked is answered as U+FFFD instead of failing to encode."""

    json_dumps_params = {"ensure_ascii": False}

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        return text_repair(super().render(request, data, response_status=response_status))


api = NinjaAPI(
    renderer=JSONRenderer(),
    title="onewindow API",
    version="1",
    description="一网通办 政务服务平台 API. Errors: `{code, message, problems}`; see docs/api.md.",
    urls_namespace="api",
    throttle=[PublicLookupThrottle()],
)
api.add_router("/workdays", workdays_router)
api.add_router("/catalog", exchange_router)
api.add_router("/", organisations_router)
api.add_router("/", catalogue_router)
api.add_router("/", identity_router)
api.add_router("/", cases_router)
api.add_router("/", halls_router)
api.add_router("/", queueing_router)
api.add_router("/", appointments_router)
api.add_router("/", licences_router)
api.add_router("/", licence_holders_router)
api.add_router("/", sharing_router)
api.add_router("/", ratings_router)
api.add_router("/", workflow_router)
api.add_router("/", webhooks_router)
api.add_router("/", payments_router)
api.add_router("/", opendata_router)
api.add_router("/", supervision_router)


def _error(
    request: HttpRequest, status: int, body: dict[str, object], retry_after: float | None = None
) -> HttpResponse:
    response = api.create_response(request, body, status=status)
    if status == 429 or retry_after:
        response["Retry-After"] = str(int(retry_after or 60))
    return response


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    response = _error(request, exc.status, exc.as_dict(), retry_after=exc.retry_after)
    if isinstance(exc, InsufficientScope):
        response["WWW-Authenticate"] = exc.www_authenticate
    return response


# Pydantic's error types, said in Chinese; {placeholders} come from the error's context.
VALIDATION_MESSAGES = {
    "missing": "此项必填。",
    "greater_than_equal": "不能小于 {ge}。",
    "greater_than": "须大于 {gt}。",
    "less_than_equal": "不能大于 {le}。",
    "less_than": "须小于 {lt}。",
    "string_too_short": "至少 {min_length} 个字符。",
    "string_too_long": "不能超过 {max_length} 个字符。",
    "int_parsing": "应为整数。",
    "int_type": "应为整数。",
    "int_from_float": "应为整数。",
    "date_parsing": "日期格式应为 YYYY-MM-DD。",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD。",
    "date_type": "日期格式应为 YYYY-MM-DD。",
    "uuid_parsing": "应为有效的 UUID。",
    "uuid_type": "应为有效的 UUID。",
    "enum": "取值应为：{expected}。",
    "literal_error": "取值应为：{expected}。",
    "string_type": "应为文本。",
    "bool_parsing": "应为 true 或 false。",
    "json_invalid": "请求体不是有效的 JSON。",
}


def validation_message(error: dict[str, Any]) -> str:
    template = VALIDATION_MESSAGES.get(error.get("type", ""), "取值无效。")
    try:
        return template.format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        return "取值无效。"


def _field_name(location: tuple[Any, ...] | list[Any]) -> str:
    """``("query", "start")`` → ``start``; ``("body", "payload", "name")`` → ``name``."""
    parts = list(location[1:])
    if location[:1] in (("body",), ["body"]) and len(parts) > 1:
        parts = parts[1:]
    return ".".join(str(part) for part in parts) or "body"


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [
        {
            "field": _field_name(error.get("loc", ())),
            "code": error.get("type", "invalid"),
            "message": validation_message(error),
        }
        for error in exc.errors
    ]
    return _error(
        request,
        422,
        {"code": "invalid_input", "message": "请求参数有误，请检查后重试。", "problems": problems},
    )


@api.exception_handler(Throttled)
def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    wait = int(exc.wait or 60)
    return _error(
        request,
        429,
        {"code": "rate_limited", "message": f"查询过于频繁，请在 {wait} 秒后重试。"},
        retry_after=wait,
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, {"code": "unauthenticated", "message": "请先登录。"})
    response["WWW-Authenticate"] = www_authenticate_for(request)
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 403 and "CSRF" in str(exc):
        return _error(
            request,
            403,
            {"code": "csrf_failed", "message": "安全校验失败：请刷新页面后重试（缺少 CSRF 令牌）。"},
        )
    return _error(request, exc.status_code, {"code": f"http_{exc.status_code}", "message": str(exc)})
