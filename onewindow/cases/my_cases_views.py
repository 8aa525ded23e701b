"""The applicant's own list (我的办件), their messages, and tracking a case by its number (全程一码)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_safe

from onewindow.cases import selectors, services
from onewindow.cases.models import (
    CaseStatus,
)
from onewindow.cases.views import PAGE_SIZE, applicant_required
from onewindow.core.errors import DomainError
from onewindow.core.ratelimit import client_address

# --- 我的办件 and messages ------------------------------------------------------------------------------


@require_safe
@applicant_required
def my_cases(request: HttpRequest) -> HttpResponse:
    """我的办件: the user's cases (and, as an agent, the company's), by status, with unread messages."""
    status = request.GET.get("status", "")
    if status not in CaseStatus.values:
        status = ""
    # A life-event bundle is one row (its parent case), its items summarised under it.
    cases = selectors.cases_for_applicant(user=request.user, status=status or None, top_level=True).annotate(
        unread=Count("messages", filter=Q(messages__recipient=request.user, messages__read_at=None))
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    unread = selectors.case_messages_for(user=request.user, unread_only=True)
    return render(
        request,
        "cases/portal/my_cases.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": CaseStatus.choices,
            "company": request.principal.company,  # type: ignore[attr-defined]
            "unread_count": unread.count(),
            "latest_unread": list(unread[:3]),
        },
    )


@require_safe
@applicant_required
def case_messages(request: HttpRequest) -> HttpResponse:
    """消息: the in-site messages about the user's cases; opening the list marks them read."""
    page = Paginator(selectors.case_messages_for(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    response = render(request, "cases/portal/messages.html", {"page_obj": page})
    services.case_messages_mark_read(user=request.user)
    return response


# --- 全程一码 -------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def track(request: HttpRequest, case_number: str = "") -> HttpResponse:
    """Public tracking: case number and query password → the timeline. The password is typed, never in the
    URL (a QR code on a notice opens ``track/<number>/``). Every attempt counts against the address's limit."""
    number = (request.POST.get("case_number") or case_number or "").strip()[:50]
    context: dict[str, Any] = {"case_number": number}
    status = 200
    if request.method == "POST":
        try:
            selectors.tracking_attempt_hit(number, address=client_address(request))
            context["tracking"] = selectors.case_track(
                case_number=number, password=request.POST.get("password", "")[:50]
            )
        except DomainError as refused:
            if refused.status == 429:
                response = render(
                    request,
                    "cases/portal/track_limited.html",
                    {"retry_after": refused.retry_after},
                    status=429,
                )
                response["Retry-After"] = str(refused.retry_after or 60)
                return response
            context["error"] = refused.message
            status = 404
    response = render(request, "cases/portal/track.html", context, status=status)
    add_never_cache_headers(response)
    return response
