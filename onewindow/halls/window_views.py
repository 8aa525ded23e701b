"""The workbench pages of a centre's hall: weekly opening hours, windows (comprehensive or a stationed
department's) with the items each serves, and who is on duty at each window on a day (排班)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.view_helpers import refusals_as_http
from onewindow.halls import selectors, services
from onewindow.halls.models import OpeningPeriod, StationedItem, WindowKind

WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
_PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–—~]\s*(\d{1,2}):(\d{2})\s*$")


def _may_manage(user: Any, centre: Any) -> bool:
    try:
        services.centre_manage_check(user=user, centre=centre)
    except DomainError:
        return False
    return True


def _hours_text(periods: list[OpeningPeriod], weekday: int) -> str:
    return ", ".join(f"{p.opens:%H:%M}-{p.closes:%H:%M}" for p in periods if p.weekday == weekday)


@login_required
def hall_page(request: HttpRequest, centre_id: uuid.UUID) -> HttpResponse:
    """Opening hours, windows and the day's duty roster of one centre."""
    with refusals_as_http():
        centre = selectors.centre_staff_get(user=request.user, centre_id=centre_id)
    try:
        day = dt.date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else clock.today()
    except ValueError:
        day = clock.today()
    periods = list(centre.opening_periods.all())
    windows = list(selectors.centre_windows(centre=centre))
    duties = list(selectors.window_duties(centre=centre, day=day))
    manage = _may_manage(request.user, centre)
    return render(
        request,
        "halls/staff/hall.html",
        {
            "centre": centre,
            "manage": manage,
            "day": day,
            "hours": [(i, name, _hours_text(periods, i)) for i, name in enumerate(WEEKDAYS)],
            "windows": [
                {
                    "window": w,
                    "duties": [d for d in duties if d.window_id == w.pk],
                    "candidates": list(selectors.window_duty_candidates(window=w)) if manage else [],
                }
                for w in windows
            ],
            "stationed": list(
                StationedItem.objects.filter(stationing__centre=centre)
                .select_related("item__published_version", "stationing__department")
                .order_by("item__published_version__name")
            ),
            "departments": [s.department for s in centre.stationings.all()],
            "kinds": WindowKind.choices,
        },
    )


def _back(centre_id: Any, day: str = "") -> HttpResponse:
    response = redirect("halls_staff:hall", centre_id=centre_id)
    if day:
        response["Location"] += f"?day={day}"
    return response


@require_POST
@login_required
def hours_save(request: HttpRequest, centre_id: uuid.UUID) -> HttpResponse:
    """Save the weekly hours: per weekday, periods like ``09:00-12:00, 13:30-17:00`` (blank: closed)."""
    with refusals_as_http():
        centre = selectors.centre_staff_get(user=request.user, centre_id=centre_id)
        periods = []
        for weekday in range(7):
            for part in filter(None, (p.strip() for p in request.POST.get(f"day_{weekday}", "").split(","))):
                match = _PERIOD.match(part)
                if match is None:
                    messages.error(request, _("Write each period as 09:00-12:00, separated by commas."))
                    return _back(centre.pk)
                h1, m1, h2, m2 = (int(g) for g in match.groups())
                if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
                    messages.error(request, _("Write each period as 09:00-12:00, separated by commas."))
                    return _back(centre.pk)
                periods.append((weekday, dt.time(h1, m1), dt.time(h2, m2)))
        try:
            services.opening_periods_set(actor=request.user, centre=centre, periods=periods)
        except DomainError as error:
            if error.status == 403:
                raise
            messages.error(request, error.message)
            return _back(centre.pk)
    messages.success(request, _("The opening hours were saved."))
    return _back(centre.pk)


@require_POST
@login_required
def window_add(request: HttpRequest, centre_id: uuid.UUID) -> HttpResponse:
    """Open a window with the items it serves."""
    with refusals_as_http():
        centre = selectors.centre_staff_get(user=request.user, centre_id=centre_id)
        wanted = set(request.POST.getlist("items"))
        stationed = StationedItem.objects.filter(stationing__centre=centre).select_related("item")
        items = [row.item for row in stationed if str(row.item_id) in wanted]
        department = next(
            (
                s.department
                for s in centre.stationings.all()
                if str(s.department_id) == request.POST.get("department")
            ),
            None,
        )
        try:
            services.window_create(
                actor=request.user,
                centre=centre,
                number=request.POST.get("number", ""),
                label=request.POST.get("label", ""),
                kind=request.POST.get("kind", ""),
                department=department,
                items=items,
            )
        except DomainError as error:
            if error.status == 403:
                raise
            messages.error(request, error.message)
            return _back(centre.pk)
    messages.success(request, _("The window was opened."))
    return _back(centre.pk)


@require_POST
@login_required
def duty_add(request: HttpRequest, centre_id: uuid.UUID, window_id: uuid.UUID) -> HttpResponse:
    """Put a staff member on duty at a window on a day."""
    with refusals_as_http():
        centre = selectors.centre_staff_get(user=request.user, centre_id=centre_id)
        window = selectors.window_get(centre=centre, window_id=window_id)
        wanted = request.POST.get("user", "")
        user = next((u for u in selectors.window_duty_candidates(window=window) if str(u.pk) == wanted), None)
        try:
            day = dt.date.fromisoformat(request.POST.get("day", ""))
        except ValueError:
            day = None
        if user is None or day is None:
            messages.error(request, _("Choose a staff member and a day."))
            return _back(centre.pk)
        services.window_duty_set(actor=request.user, window=window, user=user, day=day)
    messages.success(request, _("The duty roster was saved."))
    return _back(centre.pk, day.isoformat())


@require_POST
@login_required
def duty_remove(request: HttpRequest, centre_id: uuid.UUID, duty_id: uuid.UUID) -> HttpResponse:
    """Take a staff member off a window's duty."""
    with refusals_as_http():
        centre = selectors.centre_staff_get(user=request.user, centre_id=centre_id)
        duty = next((d for d in selectors.window_duties_all(centre=centre) if d.pk == duty_id), None)
        if duty is not None:
            services.window_duty_remove(actor=request.user, duty=duty)
    messages.success(request, _("The duty roster was saved."))
    return _back(centre.pk, duty.day.isoformat() if duty else "")
