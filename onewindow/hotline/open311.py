"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) over the 12345 tickets, so existing Open311
clients work: services (the dispatch catalogue), requests create / list / get. JSON only (``.xml`` answers an
Open311 error). Errors are the spec's list of ``{"code", "description"}`` with the HTTP status; nothing here
answers a 500 on bad input, and nothing reveals a caller (name, phone, e-mail are never returned; identifiers
typed into a description are masked). Every call counts against the public look-up rate limit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.ratelimit import client_address, rate_limit_hit
from onewindow.hotline.models import Channel, DispatchCategory, Open311Client, Ticket, TicketStatus
from onewindow.hotline.selectors import (
    categories_active,
    category_get,
    open311_requests,
    public_text,
    ticket_answer,
    ticket_public,
)
from onewindow.hotline.services import ticket_create

JURISDICTION = "12345"


def _error(status: int, description: str) -> JsonResponse:
    return JsonResponse(
        [{"code": status, "description": description}],
        status=status,
        safe=False,
        json_dumps_params={"ensure_ascii": False},
    )


def _ok(data: Any) -> JsonResponse:
    return JsonResponse(data, safe=False, json_dumps_params={"ensure_ascii": False})


def open311_endpoint(view: Any) -> Any:
    """Format check, rate limit and DomainError → the Open311 error shape, around every endpoint."""

    def wrapped(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
        try:
            rate_limit_hit(scope="public_lookup", key=client_address(request))
        except DomainError as refused:
            response = _error(429, refused.message)
            response["Retry-After"] = str(refused.retry_after or 60)
            return response
        if fmt != "json":
            return _error(400, "仅支持 JSON 格式（.json）。")
        try:
            return view(request, **kwargs)
        except DomainError as error:
            detail = "；".join(f"{p.field}: {p.message}" for p in error.problems)
            return _error(error.status, f"{error.message}{(' ' + detail) if detail else ''}")

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return csrf_exempt(wrapped)


def _service(category: DispatchCategory) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(category.keyword_list()),
        "group": category.group,
    }


@open311_endpoint
def services(request: HttpRequest) -> HttpResponse:
    """GET Service List: the dispatch catalogue."""
    if request.method != "GET":
        return _error(405, "仅支持 GET。")
    return _ok([_service(category) for category in categories_active()])


@open311_endpoint
def service_definition(request: HttpRequest, code: str) -> HttpResponse:
    """GET Service Definition: no extra attributes are asked for (metadata is false for every service)."""
    category = category_get(code=code)
    return _ok({"service_code": category.code, "attributes": []})


def _expected(ticket: Ticket) -> str | None:
    if ticket.due_on is None or not ticket.is_open():
        return None
    return dt.datetime.combine(ticket.due_on, dt.time(23, 59, 59), tzinfo=clock.now().tzinfo).isoformat()


def _status_notes(ticket: Ticket) -> str:
    names = (ticket.caller_name,)
    answer = ticket_answer(ticket)
    if answer and ticket.status in (TicketStatus.RESPONDED, TicketStatus.CLOSED, TicketStatus.MERGED):
        return public_text(answer, names=names)
    notes = [event.public_note for event in ticket.events.all() if event.public_note]
    return notes[-1] if notes else ""


def request_public(ticket: Ticket) -> dict[str, Any]:
    """One request as Open311 shows it. No caller field is ever included."""
    return {
        "service_request_id": ticket.number,
        "status": ticket.open311_status(),
        "status_notes": _status_notes(ticket),
        "service_name": ticket.category.name if ticket.category else "",
        "service_code": ticket.category.code if ticket.category else "",
        "description": public_text(ticket.description, names=(ticket.caller_name,)),
        "agency_responsible": ticket.lead_department.name if ticket.lead_department else "",
        "service_notice": "",
        "requested_datetime": ticket.received_at.isoformat(),
        "updated_datetime": ticket.updated_at.isoformat(),
        "expected_datetime": _expected(ticket),
        "address": public_text(ticket.address, names=(ticket.caller_name,)),
        "address_id": "",
        "zipcode": "",
        "lat": float(ticket.lat) if ticket.lat is not None else None,
        "long": float(ticket.long) if ticket.long is not None else None,
        "media_url": "",
    }


def _datetime(value: str, name: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise DomainError(
            "open311.bad_date", f"{name} 应为 W3C 日期时间格式，例如 2026-10-09T10:00:00+08:00。"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.now().tzinfo)


def _coordinate(value: str, name: str, limit: int) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise DomainError("open311.bad_coordinate", f"{name} 应为数字。") from None
    if not number.is_finite() or abs(number) > limit:
        raise DomainError("open311.bad_coordinate", f"{name} 超出范围。")
    return number.quantize(Decimal("0.000001"))


def _client(api_key: str) -> Open311Client:
    if not api_key:
        raise DomainError("open311.api_key", "提交诉求需要 api_key。", status=401)
    client = Open311Client.objects.filter(
        key_hash=hashlib.sha256(api_key.encode()).hexdigest(), is_active=True
    ).first()
    if client is None:
        raise DomainError("open311.api_key", "api_key 无效或已停用。", status=403)
    return client


def _create(request: HttpRequest) -> HttpResponse:
    data = request.POST
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise DomainError("open311.bad_body", "请求体不是有效的 JSON。") from None
        if not isinstance(body, dict):
            raise DomainError("open311.bad_body", "请求体应为对象。")
        data = {k: str(v) for k, v in body.items() if v is not None}  # type: ignore[assignment]
    client = _client(data.get("api_key", ""))
    if not data.get("service_code"):
        raise DomainError("open311.service_code", "缺少 service_code。")
    category = category_get(code=data.get("service_code", ""))
    lat, long = _coordinate(data.get("lat", ""), "lat", 90), _coordinate(data.get("long", ""), "long", 180)
    address = data.get("address_string", "").strip()
    if (lat is None or long is None) and not address:
        raise DomainError("open311.location", "请提供位置：lat 与 long，或 address_string。")
    name = f"{data.get('last_name', '')}{data.get('first_name', '')}".strip()
    ticket = ticket_create(
        actor=None,
        channel=Channel.OPEN311,
        description=data.get("description", ""),
        category=category,
        address=address,
        lat=lat,
        long=long,
        caller_name=name[:50],
        caller_phone=data.get("phone", ""),
        open311_client=client,
    )
    notice = "诉求已受理，12345 将在 1 个工作日内派单，承办单位按派单目录时限答复。"
    return _ok([{"service_request_id": ticket.number, "service_notice": notice, "account_id": None}])


@open311_endpoint
def requests(request: HttpRequest) -> HttpResponse:
    """GET Service Requests (at most 90 days, 1,000 requests) / POST Service Request (api_key)."""
    if request.method == "POST":
        return _create(request)
    if request.method != "GET":
        return _error(405, "仅支持 GET 或 POST。")
    ids = [i.strip() for i in request.GET.get("service_request_id", "").split(",") if i.strip()]
    status = request.GET.get("status", "")
    if status and status not in ("open", "closed"):
        raise DomainError("open311.status", "status 应为 open 或 closed。")
    start = _datetime(request.GET.get("start_date", ""), "start_date")
    end = _datetime(request.GET.get("end_date", ""), "end_date")
    if start and end and end < start:
        raise DomainError("open311.date_range", "end_date 不能早于 start_date。")
    tickets = open311_requests(
        ids=ids, service_code=request.GET.get("service_code", ""), start=start, end=end, status=status
    )
    return _ok([request_public(ticket) for ticket in tickets])


@open311_endpoint
def request_detail(request: HttpRequest, number: str) -> HttpResponse:
    """GET Service Request: a list of one, as the spec has it."""
    ticket = ticket_public(number=number)
    return _ok([request_public(ticket)])
