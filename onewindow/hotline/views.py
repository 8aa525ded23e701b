"""Citizen pages of the 12345 hotline: file a request (web and phone browsers), my requests, a request's
progress and the satisfaction answer, and the public hot-topic statistics."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.view_helpers import refusals_as_http
from onewindow.hotline import selectors, services
from onewindow.hotline.forms import CallBackForm, CitizenTicketForm
from onewindow.hotline.models import Channel

PAGE_SIZE = 20


def _channel(request: HttpRequest) -> str:
    agent = request.META.get("HTTP_USER_AGENT", "")
    return Channel.MOBILE if "Mobile" in agent or "Android" in agent else Channel.WEB


def _problems(form: object, error: DomainError) -> None:
    for problem in error.problems:
        if problem.field in form.fields:  # type: ignore[attr-defined]
            form.add_error(problem.field, problem.message)  # type: ignore[attr-defined]
    if not error.problems:
        form.add_error(None, error.message)  # type: ignore[attr-defined]


def home(request: HttpRequest) -> HttpResponse:
    """12345 online: what it is for, how to file, and the month's hot topics."""
    return render(request, "hotline/home.html", {"topics": selectors.hot_topics(days=30, limit=5)})


@login_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    form = CitizenTicketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                actor=request.user,
                caller=request.user,
                channel=_channel(request),
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                region=data["region"],
                address=data["address"],
                caller_phone=data["caller_phone"],
            )
        except DomainError as error:
            _problems(form, error)
        else:
            messages.success(
                request, _("Your request has been received. Number: %(number)s") % {"number": ticket.number}
            )
            return redirect("hotline:ticket", pk=ticket.pk)
    return render(request, "hotline/ticket_new.html", {"form": form})


@login_required
def my_tickets(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.tickets_of_citizen(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "hotline/my_tickets.html", {"page": page})


@login_required
def ticket_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        ticket = selectors.ticket_get_for_citizen(user=request.user, pk=pk)
    events = [e for e in selectors.ticket_events(ticket=ticket) if e.public_note]
    return render(
        request,
        "hotline/ticket_detail.html",
        {
            "ticket": ticket,
            "events": events,
            "answer": selectors.ticket_answer(ticket),
            "form": CallBackForm(),
        },
    )


@login_required
@require_POST
def ticket_rate(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        ticket = selectors.ticket_get_for_citizen(user=request.user, pk=pk)
    form = CallBackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose how satisfied you are."))
    else:
        try:
            services.ticket_call_back(
                ticket=ticket,
                actor=request.user,
                satisfaction=form.cleaned_data["satisfaction"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Thank you for your answer."))
        except DomainError as error:
            messages.error(request, error.message)
    return redirect("hotline:ticket", pk=ticket.pk)


def statistics(request: HttpRequest) -> HttpResponse:
    """Public: hot topics and the month's figures (counts only, never a caller)."""
    today = clock.today()
    try:
        year = int(request.GET.get("year", today.year))
        month = int(request.GET.get("month", today.month))
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise ValueError
    except ValueError:
        year, month = today.year, today.month
    return render(
        request,
        "hotline/statistics.html",
        {
            "topics": selectors.hot_topics(days=30),
            "figures": selectors.hotline_month_figures(year=year, month=month),
            "months": range(1, 13),
        },
    )
