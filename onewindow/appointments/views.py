"""The applicant's appointment pages: choose an item, a hall and a time; say who comes for what and answer the
item's triage questions; confirm; change, cancel, download the calendar file, and take a ticket on arrival."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from onewindow.appointments import selectors, services
from onewindow.appointments.ics import booking_ics
from onewindow.appointments.models import Slot
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.view_helpers import refusals_as_http

MAX_PEOPLE = 3


@login_required
def booking_list(request: HttpRequest) -> HttpResponse:
    """我的预约."""
    return render(
        request,
        "appointments/list.html",
        {"bookings": list(selectors.bookings_of_user(user=request.user)[:50])},
    )


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@never_cache
@login_required
def booking_new(request: HttpRequest) -> HttpResponse:
    """Choose the item and a free slot; choosing reserves the place for 30 minutes."""
    items = list(selectors.bookable_items())
    item = next(
        (i for i in items if str(i.pk) == (request.POST.get("item") or request.GET.get("item"))), None
    )
    change = None
    if request.GET.get("change"):
        with refusals_as_http():
            change = selectors.booking_get(user=request.user, booking_id=request.GET["change"])
        item = change.entries.all()[0].item
    day = _day(request.GET.get("day"))
    context: dict[str, Any] = {"items": items, "item": item, "day": day, "change": change}
    context["first_day"], context["last_day"] = selectors.booking_window()
    context["block_until"] = selectors.no_show_block_until(user=request.user)
    status = 200
    if request.method == "POST" and item is not None:
        slot = (
            Slot.objects.filter(pk=request.POST.get("slot", "")).first()
            if _is_uuid(request.POST.get("slot"))
            else None
        )
        if slot is None:
            context["error"], status = _("Choose a time."), 400
        else:
            try:
                if change is not None:
                    moved = services.booking_change(user=request.user, booking=change, slot=slot)
                    messages.success(
                        request,
                        _("Your booking was moved. The new booking code is %(code)s.") % {"code": moved.code},
                    )
                    return redirect("appointments:booking", booking_id=moved.pk)
                booking = services.booking_reserve(user=request.user, slot=slot, item=item)
            except DomainError as error:
                context["error"], status = error.message, error.status
            else:
                return redirect("appointments:details", booking_id=booking.pk)
    if item is not None:
        context["slots"] = selectors.bookable_slots(item=item, day=day)
    return render(request, "appointments/new.html", context, status=status)


def _is_uuid(value: str | None) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@never_cache
@login_required
def booking_details(request: HttpRequest, booking_id: uuid.UUID) -> HttpResponse:
    """Who comes and for what (up to three people, each for one of the line's items) and the triage answers."""
    with refusals_as_http():
        booking = selectors.booking_get(user=request.user, booking_id=booking_id)
    first = booking.entries.all()[0]
    items = [i for i in selectors.bookable_items() if services.slot_serves(booking.slot, i)]
    context: dict[str, Any] = {"booking": booking, "items": items, "first": first, "rows": range(MAX_PEOPLE)}
    chosen_items = [first.item]
    status = 200
    if request.method == "POST":
        by_id = {str(i.pk): i for i in items}
        entries = []
        for row in range(MAX_PEOPLE):
            name = request.POST.get(f"name_{row}", "").strip()
            item = by_id.get(request.POST.get(f"item_{row}", ""))
            if name and item:
                entries.append((item, name))
        chosen_items = [item for item, _name in entries] or chosen_items
        answers = {key[7:]: str(value) for key, value in request.POST.items() if key.startswith("answer_")}
        try:
            services.booking_preconfirm(user=request.user, booking=booking, entries=entries, answers=answers)
        except DomainError as error:
            context["error"], status = error.message, error.status
        else:
            return redirect("appointments:booking", booking_id=booking.pk)
    context["questions"] = selectors.triage_questions(
        items=list({i.pk: i for i in [*chosen_items, first.item]}.values())
    )
    return render(request, "appointments/details.html", context, status=status)


@never_cache
@login_required
def booking_detail(request: HttpRequest, booking_id: uuid.UUID) -> HttpResponse:
    """The booking: status, time and place, what to bring; confirm, change, cancel, calendar file, check in."""
    with refusals_as_http():
        booking = selectors.booking_get(user=request.user, booking_id=booking_id)
    is_today = timezone.localdate(booking.slot.starts_at) == clock.today()
    return render(request, "appointments/detail.html", {"booking": booking, "is_today": is_today})


@require_POST
@login_required
def booking_act(request: HttpRequest, booking_id: uuid.UUID, action: str) -> HttpResponse:
    """Confirm, cancel or check in."""
    with refusals_as_http():
        booking = selectors.booking_get(user=request.user, booking_id=booking_id)
        try:
            if action == "confirm":
                services.booking_confirm(user=request.user, booking=booking)
                messages.success(
                    request, _("Your booking is confirmed. We will remind you by SMS the day before.")
                )
            elif action == "cancel":
                services.booking_cancel(user=request.user, booking=booking)
                messages.success(request, _("Your booking was cancelled."))
            elif action == "check-in":
                booking = services.booking_check_in(
                    actor=request.user, booking=booking, priority=request.POST.get("priority", "")
                )
                assert booking.ticket is not None
                return redirect("queueing:ticket", ticket_id=booking.ticket.pk)
            else:
                return redirect("appointments:booking", booking_id=booking.pk)
        except DomainError as error:
            if error.status in (403, 404):
                raise
            messages.error(request, error.message)
    return redirect("appointments:booking", booking_id=booking.pk)


@login_required
def booking_calendar(request: HttpRequest, booking_id: uuid.UUID) -> HttpResponse:
    """The booking as an .ics file."""
    with refusals_as_http():
        booking = selectors.booking_get(user=request.user, booking_id=booking_id)
    response = HttpResponse(booking_ics(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="booking-{booking.code}.ics"'
    return response
