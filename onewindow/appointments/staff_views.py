"""The hall staff's appointment pages: the day's bookings, one booking with its check-in, and filing its case
at the window prefilled (the walk-in page opened with the booking's applicant and item)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.appointments import selectors, services
from onewindow.cases.walk_in_views import WALK_IN_SESSION_KEY
from onewindow.core import clock
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.view_helpers import refusals_as_http


@login_required
def booking_list(request: HttpRequest) -> HttpResponse:
    """The day's bookings at the halls the staff member works in."""
    try:
        day = dt.date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else clock.today()
    except ValueError:
        day = clock.today()
    bookings = list(selectors.bookings_of_centres(user=request.user, day=day)[:200])
    first, last = selectors.booking_window()
    return render(
        request,
        "appointments/staff/list.html",
        {
            "bookings": bookings,
            "day": day,
            "lines": list(selectors.lines_of_staff(user=request.user)),
            "first_day": first,
            "last_day": last,
        },
    )


@login_required
def booking_detail(request: HttpRequest, booking_id: uuid.UUID) -> HttpResponse:
    """One booking: who comes for what, the triage answers, its ticket; check in, file the case."""
    with refusals_as_http():
        booking = selectors.booking_staff_get(user=request.user, booking_id=booking_id)
    questions = {
        str(q.pk): q.text for q in selectors.triage_questions(items=[e.item for e in booking.entries.all()])
    }
    answers = [(questions.get(key, key), value) for key, value in booking.answers.items()]
    return render(request, "appointments/staff/detail.html", {"booking": booking, "answers": answers})


@require_POST
@login_required
def booking_check_in(request: HttpRequest, booking_id: uuid.UUID) -> HttpResponse:
    """Check the applicant in at the counter: a ticket of the booking's line."""
    with refusals_as_http():
        booking = selectors.booking_staff_get(user=request.user, booking_id=booking_id)
        try:
            booking = services.booking_check_in(
                actor=request.user, booking=booking, priority=request.POST.get("priority", "")
            )
        except DomainError as error:
            if error.status in (403, 404):
                raise
            messages.error(request, error.message)
        else:
            assert booking.ticket is not None
            messages.success(
                request, _("Ticket %(number)s issued.") % {"number": booking.ticket.display_number}
            )
    return redirect("appointments_staff:booking", booking_id=booking.pk)


@require_POST
@login_required
def booking_file_case(request: HttpRequest, booking_id: uuid.UUID) -> HttpResponse:
    """Open the walk-in filing page with the booking's applicant and an item of the booking chosen."""
    with refusals_as_http():
        booking = selectors.booking_staff_get(user=request.user, booking_id=booking_id)
    if booking.person is None:
        messages.error(
            request, _("The booking has no verified applicant: find them by ID number on the walk-in page.")
        )
        return redirect("cases_staff:walk_in")
    entry = next(
        (e for e in booking.entries.all() if str(e.item_id) == request.POST.get("item")),
        booking.entries.all()[0],
    )
    request.session[WALK_IN_SESSION_KEY] = str(booking.person.pk)
    return redirect(f"{reverse('cases_staff:walk_in')}?item={entry.item_id}")


@require_POST
@login_required
def slots_generate(request: HttpRequest, line_id: uuid.UUID) -> HttpResponse:
    """Generate a line's slots over a period from its hall's opening hours (the daily job does the same)."""
    with refusals_as_http():
        line = selectors.lines_of_staff(user=request.user).filter(pk=line_id).first()
        if line is None:
            raise NotFound("未找到该队列。")
        try:
            day_from = dt.date.fromisoformat(request.POST.get("day_from", ""))
            day_to = dt.date.fromisoformat(request.POST.get("day_to", ""))
            minutes = int(request.POST.get("minutes", "30"))
            capacity = int(request.POST.get("capacity", "1"))
        except ValueError:
            messages.error(request, _("Give the period, the slot length in minutes and the places per slot."))
            return redirect("appointments_staff:bookings")
        if not 0 <= (day_to - day_from).days <= 92:
            messages.error(request, _("Generate at most three months at a time, the end after the start."))
            return redirect("appointments_staff:bookings")
        try:
            created = services.slots_generate(
                actor=request.user,
                line=line,
                day_from=day_from,
                day_to=day_to,
                minutes=minutes,
                capacity=capacity,
            )
        except DomainError as error:
            if error.status == 403:
                raise
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(n)s slots were created.") % {"n": created})
    return redirect("appointments_staff:bookings")
