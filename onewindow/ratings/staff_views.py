"""Workbench pages of the bad-rating loop: the department's work items (call-back, fix, appeal) and the
supervisor's appeals to review and escalated items."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from onewindow.core.errors import DomainError
from onewindow.core.view_helpers import refusals_as_http
from onewindow.ratings import selectors, services
from onewindow.ratings.access import staff_may_call_back, staff_supervises
from onewindow.ratings.models import (
    OFFLINE_INDICATORS,
    ONLINE_INDICATORS,
    Level,
    Outcome,
    RectificationStatus,
)

PAGE_SIZE = 50


def _indicators(rating: Any) -> list[tuple[str, str]]:
    """The rating's indicators as (label, level) for the page."""
    labels = {**OFFLINE_INDICATORS, **ONLINE_INDICATORS}
    levels = dict(Level.choices)
    return [
        (str(labels.get(key, key)), str(levels.get(value, value))) for key, value in rating.indicators.items()
    ]


@require_safe
@login_required
def rectification_list(request: HttpRequest) -> HttpResponse:
    """The bad ratings of the staff member's departments, oldest deadline first."""
    status = request.GET.get("status", "open")
    if status not in {"open", "", *RectificationStatus.values}:
        status = "open"
    rows = selectors.rectifications_of_departments(user=request.user, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "ratings/staff/list.html",
        {"page": page, "status": status, "statuses": RectificationStatus.choices},
    )


@require_safe
@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    """Appeals waiting for review and escalated (overdue) rectifications of the departments supervised."""
    appeals = Paginator(selectors.rectifications_supervised(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    escalated = selectors.rectifications_supervised(user=request.user, what="escalated")[:PAGE_SIZE]
    return render(request, "ratings/staff/supervision.html", {"appeals": appeals, "escalated": escalated})


@require_safe
@login_required
def rectification_detail(request: HttpRequest, rectification_id: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        rectification = selectors.rectification_staff_get(
            user=request.user, rectification_id=rectification_id
        )
    department = rectification.department
    return render(
        request,
        "ratings/staff/detail.html",
        {
            "r": rectification,
            "rating": rectification.rating,
            "may_act": staff_may_call_back(user=request.user, department=department),
            "may_review": staff_supervises(user=request.user, department=department),
            "outcomes": Outcome.choices,
            "contact": None,
            "indicators": _indicators(rectification.rating),
        },
    )


def _act(request: HttpRequest, rectification_id: uuid.UUID, action: str) -> HttpResponse:
    with refusals_as_http():
        rectification = selectors.rectification_staff_get(
            user=request.user, rectification_id=rectification_id
        )
        post = request.POST
        try:
            if action == "contact":
                contact = services.rater_contact_view(rectification=rectification, actor=request.user)
                return render(
                    request,
                    "ratings/staff/detail.html",
                    {
                        "r": rectification,
                        "rating": rectification.rating,
                        "may_act": True,
                        "may_review": staff_supervises(
                            user=request.user, department=rectification.department
                        ),
                        "outcomes": Outcome.choices,
                        "contact": contact,
                        "indicators": _indicators(rectification.rating),
                    },
                )
            if action == "callback":
                services.rectification_callback_record(
                    rectification=rectification,
                    actor=request.user,
                    reached=post.get("reached") == "yes",
                    result=post.get("result", ""),
                )
                messages.success(request, _("The call-back was recorded."))
            elif action == "resolve":
                services.rectification_resolve(
                    rectification=rectification,
                    actor=request.user,
                    outcome=post.get("outcome", ""),
                    note=post.get("note", ""),
                )
                messages.success(request, _("The outcome was recorded; the rater is asked to judge the fix."))
            elif action == "appeal":
                services.rectification_appeal(
                    rectification=rectification, actor=request.user, reason=post.get("reason", "")
                )
                messages.success(request, _("The appeal was sent to the supervisor."))
            else:
                services.rectification_review(
                    rectification=rectification,
                    actor=request.user,
                    upheld=post.get("upheld") == "yes",
                    reason=post.get("reason", ""),
                )
                messages.success(request, _("The review was recorded."))
        except DomainError as refused:
            if refused.status in (403, 404):
                raise
            messages.error(request, refused.message)
    return redirect("ratings_staff:detail", rectification_id)


@require_POST
@login_required
def rectification_contact(request: HttpRequest, rectification_id: uuid.UUID) -> HttpResponse:
    """Show the rater's name and phone for the call-back (audited)."""
    return _act(request, rectification_id, "contact")


@require_POST
@login_required
def rectification_callback(request: HttpRequest, rectification_id: uuid.UUID) -> HttpResponse:
    return _act(request, rectification_id, "callback")


@require_POST
@login_required
def rectification_resolve(request: HttpRequest, rectification_id: uuid.UUID) -> HttpResponse:
    return _act(request, rectification_id, "resolve")


@require_POST
@login_required
def rectification_appeal(request: HttpRequest, rectification_id: uuid.UUID) -> HttpResponse:
    return _act(request, rectification_id, "appeal")


@require_POST
@login_required
def rectification_review(request: HttpRequest, rectification_id: uuid.UUID) -> HttpResponse:
    return _act(request, rectification_id, "review")
