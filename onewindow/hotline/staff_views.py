"""The 12345 workbench: the office's intake and ticket list, the departments' queue, supervisors' escalated
list, and one ticket page whose forms depend on who looks (operator, lead, co-handler, office head)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.core.errors import DomainError
from onewindow.core.masking import mask_name, mask_phone
from onewindow.core.view_helpers import refusals_as_http
from onewindow.hotline import selectors, services
from onewindow.hotline.forms import (
    CallBackForm,
    DecisionForm,
    DispatchForm,
    MergeForm,
    OpinionForm,
    PhoneIntakeForm,
    ReasonForm,
    RedispatchForm,
    ResponseForm,
)
from onewindow.hotline.models import Channel, TicketStatus
from onewindow.hotline.permissions import is_office_decider, is_operator, is_supervisor, operator_check
from onewindow.hotline.views import _problems

PAGE_SIZE = 25


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Operators see every ticket (filter by status); department staff their dispatches; supervisors the
    escalated ones."""
    operator = is_operator(request.user)
    status = request.GET.get("status", "")
    with refusals_as_http():
        if request.GET.get("view") == "escalated" and (operator or is_supervisor(request.user)):
            tickets = selectors.tickets_escalated(user=request.user)
            view = "escalated"
        elif operator and request.GET.get("view") != "department":
            tickets = selectors.tickets_for_office(
                user=request.user, status=status, q=request.GET.get("q", "")[:50]
            )
            view = "office"
        else:
            tickets = selectors.tickets_for_department(user=request.user, done=request.GET.get("done") == "1")
            view = "department"
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "hotline/staff/queue.html",
        {
            "page": page,
            "view": view,
            "operator": operator,
            "supervisor": is_supervisor(request.user),
            "statuses": TicketStatus.choices,
            "status": status,
        },
    )


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """An operator takes a call: the request, the caller (kept encrypted), and a suggested category."""
    with refusals_as_http():
        operator_check(request.user)
    form = PhoneIntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                actor=request.user,
                channel=Channel.PHONE,
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                region=data["region"],
                address=data["address"],
                caller_name=data["caller_name"],
                caller_phone=data["caller_phone"],
            )
        except DomainError as error:
            _problems(form, error)
        else:
            messages.success(request, _("Ticket %(number)s created.") % {"number": ticket.number})
            return redirect("hotline_staff:ticket", pk=ticket.pk)
    return render(request, "hotline/staff/intake.html", {"form": form})


@login_required
def ticket(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        view = selectors.ticket_get_for_staff(user=request.user, pk=pk)
    t = view.ticket
    suggested = selectors.category_suggest(text=f"{t.title} {t.description}") if t.can_dispatch() else None
    pending = t.dispatches.filter(state="return_pending").select_related("department").first()
    return render(
        request,
        "hotline/staff/ticket.html",
        {
            "v": view,
            "ticket": t,
            "caller_name": t.caller_name if view.can_see_caller else mask_name(t.caller_name),
            "caller_phone": t.caller_phone if view.can_see_caller else mask_phone(t.caller_phone),
            "dispatches": t.dispatches.select_related("department"),
            "events": selectors.ticket_events(ticket=t),
            "duplicates": t.duplicates.all(),
            "pending_return": pending,
            "decider": is_office_decider(request.user),
            "dispatch_form": DispatchForm(initial={"category": suggested, "region": t.region}),
            "suggested": suggested,
            "reason_form": ReasonForm(),
            "decision_form": DecisionForm(),
            "redispatch_form": RedispatchForm(),
            "response_form": ResponseForm(),
            "opinion_form": OpinionForm(),
            "callback_form": CallBackForm(),
            "merge_form": MergeForm(),
        },
    )


def _act(
    form_class: type[forms.Form] | None, act: Callable[..., Any], success: str
) -> Callable[..., HttpResponse]:
    @login_required
    @require_POST
    def view(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
        with refusals_as_http():
            ticket = selectors.ticket_get_for_staff(user=request.user, pk=pk).ticket
        data: dict[str, Any] = {}
        if form_class is not None:
            form = form_class(request.POST)
            if not form.is_valid():
                for error in form.errors.values():
                    messages.error(request, " ".join(str(message) for message in error))
                return redirect("hotline_staff:ticket", pk=pk)
            data = form.cleaned_data
        try:
            with refusals_as_http():
                act(ticket=ticket, actor=request.user, **data)
            messages.success(request, success)
        except DomainError as error:
            messages.error(request, error.message)
            for problem in error.problems:
                messages.error(request, problem.message)
        return redirect("hotline_staff:ticket", pk=pk)

    return view


def _dispatch(*, ticket: Any, actor: Any, category: Any, region: Any, lead: Any) -> Any:
    return services.ticket_dispatch(ticket=ticket, actor=actor, category=category, region=region, lead=lead)


def _merge(*, ticket: Any, actor: Any, into: str) -> Any:
    target = selectors.ticket_public(number=into.strip())
    return services.ticket_merge(duplicate=ticket, into=target, actor=actor)


dispatch = _act(DispatchForm, _dispatch, _("Ticket dispatched."))
sign = _act(None, services.ticket_sign, _("Ticket signed for."))
return_ = _act(ReasonForm, services.ticket_return, _("Return sent to the 12345 office."))
decide = _act(DecisionForm, services.ticket_return_decide, _("Decision recorded."))
redispatch = _act(RedispatchForm, services.ticket_redispatch, _("Ticket re-dispatched."))
respond = _act(ResponseForm, services.ticket_respond, _("Response recorded."))
opinion = _act(OpinionForm, services.ticket_co_opinion, _("Opinion sent to the lead department."))
call_back = _act(CallBackForm, services.ticket_call_back, _("Call-back recorded; the ticket is closed."))
merge = _act(MergeForm, _merge, _("Duplicate merged."))
