"""Appointments: the free slots of an item (public), and the signed-in person's bookings — reserve and give
the details in one call (preconfirmed, held 60 minutes), confirm, cancel, read."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from onewindow.appointments import selectors, services
from onewindow.appointments.models import Booking, Slot
from onewindow.catalogue.models import Item
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.schemas import COMMON_ERRORS, ErrorOut
from onewindow.identity.api_auth import session_only

router = Router(tags=["appointments"])
AUTH = session_only()
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, **COMMON_ERRORS}


class SlotOut(Schema):
    id: uuid.UUID
    centre_id: uuid.UUID
    centre: str
    line: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    free: int


class EntryIn(Schema):
    name: str = Field(max_length=50)
    item_code: str = Field(description="the item's implementation code", max_length=40)


class BookingIn(Schema):
    slot_id: uuid.UUID
    entries: list[EntryIn] = Field(min_length=1, max_length=5)
    answers: dict[str, str] = Field(default_factory=dict, description="triage question id → yes | no")


class EntryOut(Schema):
    name: str
    item_code: str
    item: str


class BookingOut(Schema):
    id: uuid.UUID
    code: str
    status: str = Field(
        description="reserved | preconfirmed | confirmed | checked_in | no_show | cancelled | changed | expired"
    )
    held_until: dt.datetime | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    centre: str
    entries: list[EntryOut]
    ticket: str | None


def _item(code: str) -> Item:
    item = (
        Item.objects.filter(implementation_code=code, published_version__isnull=False)
        .select_related("published_version")
        .first()
    )
    if item is None:
        raise NotFound(f"未找到实施编码为 {code} 的已发布事项。")
    return item


def _booking_body(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.pk,
        "code": booking.code,
        "status": booking.status,
        "held_until": booking.held_until,
        "starts_at": booking.slot.starts_at,
        "ends_at": booking.slot.ends_at,
        "centre": booking.slot.line.centre.name,
        "entries": [
            {
                "name": e.person_name,
                "item_code": e.item.implementation_code,
                "item": str(e.item.published_version.name if e.item.published_version else e.item),
            }
            for e in booking.entries.all()
        ],
        "ticket": booking.ticket.display_number if booking.ticket else None,
    }


@router.get(
    "/appointments/slots",
    response={200: list[SlotOut], 404: ErrorOut, **COMMON_ERRORS},
    summary="Free slots of an item",
)
def slots(
    request: HttpRequest, item_code: str, day: dt.date | None = None, centre_id: uuid.UUID | None = None
) -> Any:
    rows = selectors.bookable_slots(item=_item(item_code), day=day, centre_id=centre_id)
    return [
        {
            "id": s.pk,
            "centre_id": s.line.centre_id,
            "centre": s.line.centre.name,
            "line": s.line.name,
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "capacity": s.capacity,
            "free": s.free,  # type: ignore[attr-defined]
        }
        for s in rows
    ]


@router.get(
    "/appointments/bookings", auth=AUTH, response={200: list[BookingOut], **ERRORS}, summary="My bookings"
)
def bookings(request: HttpRequest) -> Any:
    return [_booking_body(b) for b in selectors.bookings_of_user(user=request.user)[:100]]


@router.post(
    "/appointments/bookings",
    auth=AUTH,
    response={201: BookingOut, **ERRORS},
    summary="Book: reserve and give the details (preconfirmed, held 60 minutes until confirmed)",
)
def booking_create(request: HttpRequest, payload: BookingIn) -> Any:
    slot = Slot.objects.filter(pk=payload.slot_id).first()
    if slot is None:
        raise NotFound("未找到该时段。")
    entries = [(_item(e.item_code), e.name) for e in payload.entries]
    booking = services.booking_reserve(user=request.user, slot=slot, item=entries[0][0])
    try:
        booking = services.booking_preconfirm(
            user=request.user, booking=booking, entries=entries, answers=payload.answers
        )
    except DomainError:
        services.booking_cancel(user=request.user, booking=booking)
        raise
    return Status(201, _booking_body(selectors.booking_get(user=request.user, booking_id=booking.pk)))


@router.get(
    "/appointments/bookings/{booking_id}",
    auth=AUTH,
    response={200: BookingOut, **ERRORS},
    summary="One of my bookings",
)
def booking(request: HttpRequest, booking_id: uuid.UUID) -> Any:
    return _booking_body(selectors.booking_get(user=request.user, booking_id=booking_id))


@router.post(
    "/appointments/bookings/{booking_id}/confirm",
    auth=AUTH,
    response={200: BookingOut, **ERRORS},
    summary="Confirm a preconfirmed booking",
)
def booking_confirm(request: HttpRequest, booking_id: uuid.UUID) -> Any:
    services.booking_confirm(
        user=request.user, booking=selectors.booking_get(user=request.user, booking_id=booking_id)
    )
    return _booking_body(selectors.booking_get(user=request.user, booking_id=booking_id))


@router.post(
    "/appointments/bookings/{booking_id}/cancel",
    auth=AUTH,
    response={200: BookingOut, **ERRORS},
    summary="Cancel (the places come back after 30 minutes)",
)
def booking_cancel(request: HttpRequest, booking_id: uuid.UUID) -> Any:
    services.booking_cancel(
        user=request.user, booking=selectors.booking_get(user=request.user, booking_id=booking_id)
    )
    return _booking_body(selectors.booking_get(user=request.user, booking_id=booking_id))
