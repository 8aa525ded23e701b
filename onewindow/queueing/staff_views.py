"""The window clerk's calling page (叫号): the windows they are on duty at today, call the next ticket, call it
again (three times, then missed), start and finish service, transfer to another window; the day's statistics."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.core import clock
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.view_helpers import refusals_as_http
from onewindow.halls.models import Window
from onewindow.halls.selectors import centre_staff_get, centre_windows, windows_on_duty
from onewindow.queueing import selectors, services
from onewindow.queueing.models import TicketStatus


def _my_window(request: HttpRequest, window_id: uuid.UUID) -> Window:
    window = windows_on_duty(user=request.user, day=clock.today()).filter(pk=window_id).first()
    if window is None:
        raise NotFound("您今天不在该窗口值班。")
    return window


@login_required
def window_list(request: HttpRequest) -> HttpResponse:
    """The windows the staff member is on duty at today."""
    return render(
        request,
        "queueing/staff/windows.html",
        {"windows": list(windows_on_duty(user=request.user, day=clock.today()))},
    )


@login_required
def window_desk(request: HttpRequest, window_id: uuid.UUID) -> HttpResponse:
    """One window's calling desk."""
    with refusals_as_http():
        window = _my_window(request, window_id)
    today = clock.today()
    return render(
        request,
        "queueing/staff/desk.html",
        {
            "window": window,
            "current": selectors.window_current_ticket(window=window),
            "waiting": list(selectors.waiting_for_window(window=window, day=today)[:20]),
            "others": [w for w in centre_windows(centre=window.centre) if w.pk != window.pk],
            "statistics": selectors.window_statistics(centre=window.centre, day_from=today, day_to=today),
            "max_calls": 3,
            "statuses": TicketStatus,
        },
    )


@require_POST
@login_required
def window_act(request: HttpRequest, window_id: uuid.UUID, action: str) -> HttpResponse:
    """Call next, call again, start, finish or transfer at the window."""
    with refusals_as_http():
        window = _my_window(request, window_id)
        current = selectors.window_current_ticket(window=window)
        try:
            if action == "call":
                ticket = services.ticket_call_next(actor=request.user, window=window)
                if ticket is None:
                    messages.info(request, _("Nobody is waiting for this window."))
                else:
                    messages.success(request, _("Calling %(number)s.") % {"number": ticket.display_number})
            elif current is None:
                messages.error(request, _("The window has no ticket called."))
            elif action == "recall":
                ticket = services.ticket_recall(actor=request.user, ticket=current, window=window)
                if ticket.status == TicketStatus.MISSED:
                    messages.info(
                        request,
                        _("%(number)s did not come after three calls: missed.")
                        % {"number": ticket.display_number},
                    )
            elif action == "start":
                services.ticket_start(actor=request.user, ticket=current, window=window)
            elif action == "finish":
                services.ticket_finish(actor=request.user, ticket=current, window=window)
            elif action == "transfer":
                wanted = request.POST.get("to_window", "")
                target = next((w for w in centre_windows(centre=window.centre) if str(w.pk) == wanted), None)
                if target is None:
                    messages.error(request, _("Choose the window to transfer to."))
                else:
                    services.ticket_transfer(
                        actor=request.user, ticket=current, window=window, to_window=target
                    )
                    messages.success(
                        request, _("Transferred to window %(number)s.") % {"number": target.number}
                    )
            else:
                raise NotFound()
        except DomainError as error:
            if error.status in (403, 404):
                raise
            messages.error(request, error.message)
    return redirect("queueing_staff:desk", window_id=window.pk)


@login_required
def centre_lines(request: HttpRequest, centre_id: uuid.UUID) -> HttpResponse:
    """A centre's queue lines (window types with their ticket prefix and number range); its administrators
    open new ones."""
    with refusals_as_http():
        centre = centre_staff_get(user=request.user, centre_id=centre_id)
        windows = list(centre_windows(centre=centre))
        if request.method == "POST":
            wanted = set(request.POST.getlist("windows"))
            try:
                services.queue_line_create(
                    actor=request.user,
                    centre=centre,
                    name=request.POST.get("name", ""),
                    prefix=request.POST.get("prefix", ""),
                    windows=[w for w in windows if str(w.pk) in wanted],
                    first_number=_number(request.POST.get("first_number"), 1),
                    last_number=_number(request.POST.get("last_number"), 999),
                )
            except DomainError as error:
                if error.status == 403:
                    raise
                messages.error(request, error.message)
            else:
                messages.success(request, _("The queue line was opened."))
            return redirect("queueing_staff:lines", centre_id=centre.pk)
    return render(
        request,
        "queueing/staff/lines.html",
        {"centre": centre, "lines": list(selectors.centre_lines(centre=centre)), "windows": windows},
    )


def _number(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return -1  # refused by the service with its message
