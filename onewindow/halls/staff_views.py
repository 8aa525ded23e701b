"""The workbench pages of a service centre: its stationed departments, the items each has stationed (which
its administrators adjust), who works the comprehensive window, and the 进驻率."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.core.errors import DomainError
from onewindow.core.view_helpers import refusals_as_http
from onewindow.halls import selectors, services
from onewindow.organisations.selectors import staff_is_platform_admin


def _may_manage(user: Any, centre: Any) -> bool:
    try:
        services.centre_manage_check(user=user, centre=centre)
    except DomainError:
        return False
    return True


@login_required
def centre_list(request: HttpRequest) -> HttpResponse:
    """The centres whose comprehensive window the staff member works or administers (all for the platform)."""
    centres = (
        selectors.centres_list()
        if staff_is_platform_admin(user=request.user)
        else selectors.centres_of_staff(user=request.user)
    )
    return render(request, "halls/staff/centre_list.html", {"centres": list(centres)})


@login_required
def centre_detail(request: HttpRequest, centre_id: uuid.UUID) -> HttpResponse:
    """One centre's stationing, with the forms to adjust the stationed items for those who may."""
    with refusals_as_http():
        centre = selectors.centre_staff_get(user=request.user, centre_id=centre_id)
    manage = _may_manage(request.user, centre)
    choices = selectors.stationable_items_by_department(centre=centre) if manage else {}
    stationings = [
        {
            "stationing": stationing,
            "stationed": {row.item_id for row in stationing.items.all()},
            "items": choices.get(stationing.department_id, []),
        }
        for stationing in centre.stationings.all()
    ]
    return render(
        request,
        "halls/staff/centre_detail.html",
        {
            "centre": centre,
            "rate": selectors.centre_stationing_rate(centre=centre),
            "stationings": stationings,
            "clerks": list(selectors.centre_window_clerks(centre=centre)),
            "candidates": list(selectors.window_clerk_candidates(centre=centre)) if manage else [],
            "manage": manage,
        },
    )


@require_POST
@login_required
def stationing_items(request: HttpRequest, centre_id: uuid.UUID, stationing_id: uuid.UUID) -> HttpResponse:
    """Set the items a stationed department takes at the centre (the ticked boxes)."""
    with refusals_as_http():
        centre = selectors.centre_staff_get(user=request.user, centre_id=centre_id)
        stationing = selectors.stationing_get(centre=centre, stationing_id=stationing_id)
        wanted = set(request.POST.getlist("items"))
        items = [
            item for item in selectors.stationable_items(stationing=stationing) if str(item.pk) in wanted
        ]
        if len(items) != len(wanted):
            # An id that is not one of the department's published items: refused, nothing changed.
            messages.error(
                request, _("Some of the chosen items are not this department's; nothing was changed.")
            )
            return redirect("halls_staff:centre", centre_id=centre.pk)
        services.stationing_items_set(actor=request.user, stationing=stationing, items=items)
    messages.success(request, _("The stationed items were saved."))
    return redirect("halls_staff:centre", centre_id=centre.pk)


@require_POST
@login_required
def window_clerk_add(request: HttpRequest, centre_id: uuid.UUID) -> HttpResponse:
    """Put a staff member of the running department on the comprehensive window."""
    with refusals_as_http():
        centre = selectors.centre_staff_get(user=request.user, centre_id=centre_id)
        user = (
            selectors.window_clerk_candidates(centre=centre)
            .filter(pk=request.POST.get("user") or None)
            .first()
        )
        if user is None:
            messages.error(request, _("Choose a staff member of the department running the window."))
            return redirect("halls_staff:centre", centre_id=centre.pk)
        services.window_clerk_assign(actor=request.user, centre=centre, user=user)
    messages.success(request, _("The staff member now works the comprehensive window."))
    return redirect("halls_staff:centre", centre_id=centre.pk)


@require_POST
@login_required
def window_clerk_remove(request: HttpRequest, centre_id: uuid.UUID, clerk_id: uuid.UUID) -> HttpResponse:
    """Take a staff member off the comprehensive window."""
    with refusals_as_http():
        centre = selectors.centre_staff_get(user=request.user, centre_id=centre_id)
        clerk = selectors.centre_window_clerks(centre=centre).filter(pk=clerk_id).first()
        if clerk is not None:
            services.window_clerk_remove(actor=request.user, clerk=clerk)
    messages.success(request, _("The staff member no longer works the comprehensive window."))
    return redirect("halls_staff:centre", centre_id=centre.pk)
