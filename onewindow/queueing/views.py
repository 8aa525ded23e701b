"""Queue pages: the kiosk (or phone) page that issues a ticket, the ticket's own page with its estimated wait,
and the hall screen (ticket and window numbers only, refreshed by htmx polling)."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from onewindow.core.errors import DomainError
from onewindow.core.ratelimit import client_address, rate_limit_hit
from onewindow.core.view_helpers import refusals_as_http
from onewindow.halls.selectors import centre_get
from onewindow.identity.models import Person
from onewindow.queueing import selectors, services
from onewindow.queueing.models import Priority, TicketSource


@never_cache
def ticket_take(request: HttpRequest, centre_id: uuid.UUID) -> HttpResponse:
    """Take a ticket for a line of the hall (at the kiosk, or on a phone in the hall), with priority for older
    people and people with a disability."""
    with refusals_as_http():
        centre = centre_get(centre_id=centre_id)
    lines = list(selectors.centre_lines(centre=centre))
    context = {"centre": centre, "lines": lines, "priorities": Priority.choices[1:]}
    if request.method == "POST":
        line = next((line for line in lines if str(line.pk) == request.POST.get("line")), None)
        if line is None:
            context["error"] = "请选择要办理的业务类型。"
            return render(request, "queueing/take.html", context, status=400)
        person = Person.objects.filter(user=request.user).first() if request.user.is_authenticated else None
        source = TicketSource.KIOSK if request.POST.get("source") == "kiosk" else TicketSource.PHONE
        try:
            rate_limit_hit(scope="queue_ticket", key=client_address(request))
            ticket = services.ticket_issue(
                line=line,
                source=source,
                priority=request.POST.get("priority", ""),
                person=person,
                actor=request.user if request.user.is_authenticated else None,
            )
        except DomainError as error:
            context["error"] = error.message
            return render(request, "queueing/take.html", context, status=error.status)
        return redirect("queueing:ticket", ticket_id=ticket.pk)
    return render(request, "queueing/take.html", context)


@never_cache
def ticket_detail(request: HttpRequest, ticket_id: uuid.UUID) -> HttpResponse:
    """The ticket: its number, where it stands and the estimated wait; the window once called."""
    with refusals_as_http():
        ticket = selectors.ticket_get(ticket_id=ticket_id)
    context = {"ticket": ticket, "estimate": selectors.ticket_wait_estimate(ticket=ticket)}
    template = "queueing/_ticket_status.html" if request.headers.get("HX-Request") else "queueing/ticket.html"
    return render(request, template, context)


@never_cache
def hall_screen(request: HttpRequest, centre_id: uuid.UUID) -> HttpResponse:
    """The hall's big screen; the board inside refreshes itself every few seconds."""
    with refusals_as_http():
        centre = centre_get(centre_id=centre_id)
    return render(
        request, "queueing/screen.html", {"centre": centre, "board": selectors.hall_board(centre=centre)}
    )


@never_cache
def hall_board(request: HttpRequest, centre_id: uuid.UUID) -> HttpResponse:
    """The board alone, for the screen's polling."""
    with refusals_as_http():
        centre = centre_get(centre_id=centre_id)
    return render(
        request, "queueing/_board.html", {"centre": centre, "board": selectors.hall_board(centre=centre)}
    )
