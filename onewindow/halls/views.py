"""Public service-centre pages: the centres, and each centre's stationed departments and items with its
进驻率 (public information, like the service guides)."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onewindow.core import clock
from onewindow.core.view_helpers import refusals_as_http
from onewindow.halls import selectors
from onewindow.halls.window_views import WEEKDAYS


def centre_list(request: HttpRequest) -> HttpResponse:
    """Every active service centre, by region."""
    return render(request, "halls/centre_list.html", {"centres": list(selectors.centres_list())})


def centre_detail(request: HttpRequest, centre_id: uuid.UUID) -> HttpResponse:
    """One centre: address, hours (open today or not), windows, the stationed departments and items, 进驻率."""
    with refusals_as_http():
        centre = selectors.centre_get(centre_id=centre_id)
    return render(
        request,
        "halls/centre_detail.html",
        {
            "centre": centre,
            "rate": selectors.centre_stationing_rate(centre=centre),
            "windows": list(selectors.centre_windows(centre=centre)),
            "weekly": [
                (name, [p for p in centre.opening_periods.all() if p.weekday == weekday])
                for weekday, name in enumerate(WEEKDAYS)
            ],
            "today_periods": selectors.centre_opening_periods(centre=centre, day=clock.today()),
        },
    )
