"""Appointment reads: which places of a slot are taken (the ZMS holds), the bookable slots of an item, a
person's bookings (another person's is a 404) and the hall staff's view (another hall's is a 403)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from onewindow.appointments.models import (
    HELD_STATUSES,
    KEPT_STATUSES,
    RELEASED_LATE_STATUSES,
    Booking,
    BookingEntry,
    BookingStatus,
    Slot,
    TriageQuestion,
)
from onewindow.catalogue.models import Item
from onewindow.core import clock
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.halls.selectors import centres_of_staff
from onewindow.organisations.selectors import staff_is_platform_admin
from onewindow.queueing.models import QueueLine

CANCELLED_HOLD = dt.timedelta(minutes=30)  # ZMS: a cancelled place comes back only after 30 minutes


def taking_place(*, now: dt.datetime, prefix: str = "") -> Q:
    """Bookings that hold their places at ``now``: kept ones, held ones within their hold, and cancelled or
    moved ones within 30 minutes of their end (against slot trading)."""
    p = prefix
    return (
        Q(**{f"{p}status__in": KEPT_STATUSES})
        | Q(**{f"{p}status__in": HELD_STATUSES, f"{p}held_until__gt": now})
        | Q(**{f"{p}status__in": RELEASED_LATE_STATUSES, f"{p}ended_at__gt": now - CANCELLED_HOLD})
    )


def slot_places_taken(*, slot: Slot, now: dt.datetime | None = None) -> int:
    return (
        BookingEntry.objects.filter(booking__slot=slot)
        .filter(taking_place(now=now or clock.now(), prefix="booking__"))
        .count()
    )


def booking_window(*, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """Bookable from tomorrow to 60 days ahead (ZMS)."""
    today = today or clock.today()
    return (
        today + dt.timedelta(days=settings.ONEWINDOW_APPOINTMENT_MIN_DAYS_AHEAD),
        today + dt.timedelta(days=settings.ONEWINDOW_APPOINTMENT_MAX_DAYS_AHEAD),
    )


def slots_for_item(*, item: Item, centre_id: Any = None) -> QuerySet[Slot]:
    """The item's slots in the booking window: its own, and its lines' general ones."""
    first, last = booking_window()
    slots = Slot.objects.filter(
        Q(item=item) | Q(item__isnull=True, line__windows__items=item, line__windows__is_active=True),
        starts_at__date__gte=first,
        starts_at__date__lte=last,
        line__centre__is_active=True,
    )
    if centre_id:
        slots = slots.filter(line__centre_id=centre_id)
    return slots.distinct()


def bookable_slots(
    *, item: Item, day: dt.date | None = None, centre_id: Any = None, limit: int = 60
) -> list[Slot]:
    """The item's slots with a free place (``free`` set on each), on ``day`` or the first days that have any."""
    slots = slots_for_item(item=item, centre_id=centre_id)
    if day is not None:
        slots = slots.filter(starts_at__date=day)
    now = clock.now()
    rows = list(
        Slot.objects.filter(pk__in=slots.values("pk"))
        .select_related("line__centre")
        .annotate(taken=Count("bookings__entries", filter=taking_place(now=now, prefix="bookings__")))
        .order_by("starts_at", "line__centre__name")[: limit * 2]
    )
    free: list[Slot] = [slot for slot in rows if slot.capacity > slot.taken]
    for slot in free:
        slot.free = slot.capacity - slot.taken  # type: ignore[attr-defined]
    return free[:limit]


def bookable_items() -> QuerySet[Item]:
    """Published items served at a window with an appointment line."""
    return (
        Item.objects.filter(
            published_version__isnull=False,
            hall_windows__queue_lines__isnull=False,
            hall_windows__is_active=True,
        )
        .select_related("published_version", "department")
        .distinct()
        .order_by("published_version__name")
    )


def triage_questions(*, items: list[Item]) -> list[TriageQuestion]:
    return list(
        TriageQuestion.objects.filter(item__in=items)
        .select_related("item__published_version")
        .order_by("item", "position")
    )


def _with_relations(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    return bookings.select_related(
        "slot__line__centre", "slot__item__published_version", "ticket__line", "person"
    ).prefetch_related(
        Prefetch("entries", queryset=BookingEntry.objects.select_related("item__published_version"))
    )


def bookings_of_user(*, user: Any) -> QuerySet[Booking]:
    """The person's bookings, newest first."""
    return _with_relations(Booking.objects.filter(user=user)).order_by("-slot__starts_at")


def _pk(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotFound("未找到该预约。") from None


def booking_get(*, user: Any, booking_id: Any) -> Booking:
    """One of the person's bookings; anyone else's is not found."""
    booking = _with_relations(Booking.objects.filter(pk=_pk(booking_id), user=user)).first()
    if booking is None:
        raise NotFound("未找到该预约。")
    return booking


def booking_staff_get(*, user: Any, booking_id: Any) -> Booking:
    """A booking for the staff of its hall (running department, comprehensive window) or the platform."""
    booking = _with_relations(Booking.objects.filter(pk=_pk(booking_id))).first()
    if booking is None:
        raise NotFound("未找到该预约。")
    centre = booking.slot.line.centre
    if (
        not staff_is_platform_admin(user=user)
        and not centres_of_staff(user=user).filter(pk=centre.pk).exists()
    ):
        raise PermissionDenied(f"只有{centre.name}的工作人员可以查看该预约。")
    return booking


def bookings_of_centres(*, user: Any, day: dt.date) -> QuerySet[Booking]:
    """The day's kept bookings at the halls the staff member works in (all for the platform)."""
    bookings = Booking.objects.filter(slot__starts_at__date=day, status__in=KEPT_STATUSES)
    if not staff_is_platform_admin(user=user):
        bookings = bookings.filter(slot__line__centre__in=centres_of_staff(user=user))
    return _with_relations(bookings).order_by("slot__starts_at", "code")


def no_show_block_until(*, user: Any, today: dt.date | None = None) -> dt.date | None:
    """The day until which the person may not book: ``ONEWINDOW_APPOINTMENT_NO_SHOW_LIMIT`` no-shows within
    ``..._NO_SHOW_WINDOW_DAYS`` block booking for ``..._NO_SHOW_BLOCK_DAYS`` from the last one."""
    today = today or clock.today()
    since = today - dt.timedelta(days=settings.ONEWINDOW_APPOINTMENT_NO_SHOW_WINDOW_DAYS)
    starts = list(
        Booking.objects.filter(user=user, status=BookingStatus.NO_SHOW, slot__starts_at__date__gte=since)
        .order_by("-slot__starts_at")
        .values_list("slot__starts_at", flat=True)
    )
    if len(starts) < settings.ONEWINDOW_APPOINTMENT_NO_SHOW_LIMIT:
        return None
    until = timezone.localdate(starts[0]) + dt.timedelta(
        days=settings.ONEWINDOW_APPOINTMENT_NO_SHOW_BLOCK_DAYS
    )
    return until if until >= today else None


def lines_of_staff(*, user: Any) -> QuerySet[QueueLine]:
    """The queue lines of the halls the staff member works in (all for the platform), with their slots ahead."""
    lines = QueueLine.objects.filter(centre__is_active=True)
    if not staff_is_platform_admin(user=user):
        lines = lines.filter(centre__in=centres_of_staff(user=user))
    return (
        lines.select_related("centre")
        .annotate(slots_ahead=Count("slots", filter=Q(slots__starts_at__gte=clock.now())))
        .order_by("centre__name", "prefix")
    )
