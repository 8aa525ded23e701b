"""Queue tickets, public: a hall's lines and screen board, a ticket's state and estimated wait, and taking a
ticket (a phone in the hall). Ticket and window numbers only — never a name."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from onewindow.core.errors import NotFound
from onewindow.core.ratelimit import client_address, rate_limit_hit
from onewindow.core.schemas import COMMON_ERRORS, ErrorOut
from onewindow.halls.selectors import centre_get
from onewindow.queueing import selectors, services
from onewindow.queueing.models import Ticket, TicketSource

router = Router(tags=["queue"])


class LineOut(Schema):
    id: uuid.UUID
    prefix: str
    name: str
    waiting: int


class BoardRowOut(Schema):
    number: str
    window: str


class BoardOut(Schema):
    calling: list[BoardRowOut]
    serving: list[BoardRowOut]
    lines: list[LineOut]


class TicketOut(Schema):
    id: uuid.UUID
    number: str = Field(description="prefix and number, e.g. A007")
    status: str = Field(description="waiting | called | serving | done | missed | cancelled")
    priority: str = Field(description="'' | elderly | disabled")
    window: str | None = Field(description="the window calling or serving it")
    position: int | None = Field(description="1 = next to be called (waiting tickets only)")
    estimated_wait_minutes: int | None


class TicketIn(Schema):
    line_id: uuid.UUID
    priority: str = ""


def _ticket_body(ticket: Ticket) -> dict[str, Any]:
    estimate = selectors.ticket_wait_estimate(ticket=ticket)
    return {
        "id": ticket.pk,
        "number": ticket.display_number,
        "status": ticket.status,
        "priority": ticket.priority,
        "window": ticket.window.number if ticket.window else None,
        "position": estimate.position if estimate else None,
        "estimated_wait_minutes": estimate.minutes if estimate else None,
    }


@router.get(
    "/queue/centres/{centre_id}/board",
    response={200: BoardOut, 404: ErrorOut, **COMMON_ERRORS},
    summary="A hall's screen board",
)
def board(request: HttpRequest, centre_id: uuid.UUID) -> Any:
    centre = centre_get(centre_id=centre_id)
    data = selectors.hall_board(centre=centre)
    ids = {line.prefix: line.pk for line in selectors.centre_lines(centre=centre)}
    return {
        "calling": [{"number": r.number, "window": r.window} for r in data["calling"]],
        "serving": [{"number": r.number, "window": r.window} for r in data["serving"]],
        "lines": [line | {"id": ids[line["prefix"]]} for line in data["lines"]],
    }


@router.post(
    "/queue/centres/{centre_id}/tickets",
    response={201: TicketOut, 404: ErrorOut, 409: ErrorOut, **COMMON_ERRORS},
    summary="Take a ticket",
)
def ticket_take(request: HttpRequest, centre_id: uuid.UUID, payload: TicketIn) -> Any:
    centre = centre_get(centre_id=centre_id)
    line = selectors.centre_lines(centre=centre).filter(pk=payload.line_id).first()
    if line is None:
        raise NotFound("未找到该队列。")
    rate_limit_hit(scope="queue_ticket", key=client_address(request))
    ticket = services.ticket_issue(line=line, source=TicketSource.PHONE, priority=payload.priority)
    return Status(201, _ticket_body(ticket))


@router.get(
    "/queue/tickets/{ticket_id}",
    response={200: TicketOut, 404: ErrorOut, **COMMON_ERRORS},
    summary="A ticket and its estimated wait",
)
def ticket(request: HttpRequest, ticket_id: uuid.UUID) -> Any:
    return _ticket_body(selectors.ticket_get(ticket_id=ticket_id))


class WindowStatisticsOut(Schema):
    window_id: uuid.UUID
    window_number: str
    served: int
    missed: int
    average_wait_minutes: float | None
    average_handling_minutes: float | None


@router.get(
    "/queue/centres/{centre_id}/statistics",
    response={200: list[WindowStatisticsOut], 404: ErrorOut, **COMMON_ERRORS},
    summary="Per-window statistics over a period (served, missed, average wait and handling)",
)
def statistics(request: HttpRequest, centre_id: uuid.UUID, day_from: dt.date, day_to: dt.date) -> Any:
    centre = centre_get(centre_id=centre_id)
    return [vars(row) for row in selectors.window_statistics(centre=centre, day_from=day_from, day_to=day_to)]
