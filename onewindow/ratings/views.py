"""Citizen and public pages of 好差评: rating a case or a window visit, the rater's own ratings and re-rating
of the fix, and the monthly public report with its CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.view_helpers import refusals_as_http
from onewindow.halls.models import ServiceCentre
from onewindow.hotline.selectors import hotline_month_figures
from onewindow.ratings import selectors, services
from onewindow.ratings.forms import indicator_rows, rating_fields
from onewindow.ratings.models import Channel, Level, Outcome, RectificationStatus, Rerate
from onewindow.ratings.services.ratings import CASE_CHANNELS, WINDOW_CHANNELS

PAGE_SIZE = 50


def _via(request: HttpRequest, allowed: frozenset[str], default: str) -> str:
    via = request.GET.get("via") or request.POST.get("via") or default
    return via if via in allowed else default


def _form_context(*, online: bool, post: Any = None, error: DomainError | None = None) -> dict[str, Any]:
    return {
        "levels": Level.choices,
        "indicators": indicator_rows(online=online, post=post),
        "chosen_level": (post.get("level") if post is not None else "") or "",
        "comment": (post.get("comment") if post is not None else "") or "",
        "error": error,
        "problems": {p.field: p.message for p in error.problems} if error else {},
    }


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def rate_case(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Rate the handling of one's own ended case; the QR on the notices lands here (``?via=qr``)."""
    with refusals_as_http():
        case = selectors.rateable_case_get(user=request.user, case_id=case_id)
    channel = _via(request, CASE_CHANNELS, Channel.WEB)
    existing = selectors.rating_of_handling(case=case)
    error: DomainError | None = None
    if request.method == "POST" and existing is None:
        try:
            with refusals_as_http():
                services.rating_submit(
                    case=case,
                    rater=request.user,
                    channel=channel,
                    **rating_fields(request.POST, online=not case.walk_in),
                )
        except DomainError as refused:
            error = refused
        else:
            messages.success(request, _("Thank you. Your rating was recorded."))
            return redirect("ratings:mine")
    return render(
        request,
        "ratings/rate_case.html",
        {
            "case": case,
            "existing": existing,
            "rateable": services.case_rateable(case),
            "via": channel,
            **_form_context(online=not case.walk_in, post=request.POST if error else None, error=error),
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def rate_window(request: HttpRequest, centre_id: uuid.UUID, window_code: str) -> HttpResponse:
    """Rate a visit to a window without a case: the QR on the counter, the hall tablet or a kiosk."""
    centre = get_object_or_404(ServiceCentre.objects.select_related("window_department"), pk=centre_id)
    channel = _via(request, WINDOW_CHANNELS, Channel.QR)
    error: DomainError | None = None
    if request.method == "POST":
        try:
            with refusals_as_http():
                services.rating_window_submit(
                    centre=centre,
                    window_code=window_code,
                    rater=request.user,
                    channel=channel,
                    **rating_fields(request.POST, online=False),
                )
        except DomainError as refused:
            error = refused
        else:
            return render(
                request, "ratings/thanks.html", {"centre": centre, "window_code": window_code, "via": channel}
            )
    return render(
        request,
        "ratings/rate_window.html",
        {
            "centre": centre,
            "window_code": window_code[:20],
            "via": channel,
            **_form_context(online=False, post=request.POST if error else None, error=error),
        },
        status=400 if error else 200,
    )


@require_safe
@login_required
def my_ratings(request: HttpRequest) -> HttpResponse:
    """The ratings one gave, the department's answer to a bad one, and the re-rating of the fix."""
    page = Paginator(selectors.my_ratings(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "ratings/mine.html",
        {"page": page, "rerates": Rerate.choices, "resolved": RectificationStatus.RESOLVED},
    )


@require_POST
@login_required
def rerate(request: HttpRequest, rectification_id: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        rectification = selectors.my_rectification_get(user=request.user, rectification_id=rectification_id)
        try:
            services.rectification_rerate(
                rectification=rectification, rater=request.user, rerate=request.POST.get("rerate", "")
            )
        except DomainError as refused:
            if refused.status in (403, 404):
                raise
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Thank you. Your judgement of the fix was recorded."))
    return redirect("ratings:mine")


# --- the public report ---------------------------------------------------------------------------------


def _month(request: HttpRequest) -> dt.date:
    raw = request.GET.get("month", "")
    if not raw:
        return clock.today().replace(day=1)
    try:
        return dt.date.fromisoformat(f"{raw}-01")
    except ValueError:
        raise Http404 from None


@require_safe
def report(request: HttpRequest) -> HttpResponse:
    """The month's public statistics (Guangdong's monthly release): by channel and level, 好评率, the bad
    ratings linked to their cases' public tracking, 差评整改率 per department and item."""
    month = _month(request)
    figures = selectors.report_month(month=month)
    bad = Paginator(selectors.bad_ratings_public(month=month), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "ratings/report.html",
        {
            "month": month,
            "report": figures,
            "bad": bad,
            "months": selectors.report_months(),
            "level_labels": Level.choices,
            "outcomes": dict(Outcome.choices),
            # The monthly release puts the 12345 figures beside the ratings (Guangdong's 效能监督 release).
            "hotline": hotline_month_figures(year=month.year, month=month.month),
        },
    )


@require_safe
def report_export(request: HttpRequest) -> HttpResponse:
    """The same figures as CSV (UTF-8 with BOM so spreadsheet programs read the Chinese)."""
    month = _month(request)
    figures = selectors.report_month(month=month)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    level_names = [str(label) for _value, label in Level.choices]
    writer.writerow([_("Ratings by channel and level"), f"{month:%Y-%m}"])
    writer.writerow([_("Channel"), *level_names, _("Total"), _("Positive rate (%)")])
    for row in figures.by_channel:
        writer.writerow([row["label"], *row["counts"], row["total"], row["good_rate"]])
    overall = figures.overall
    writer.writerow(
        [_("All channels"), *[row["count"] for row in figures.levels], overall.total, overall.good_rate]
    )
    writer.writerow([])
    header = [
        _("Number of ratings"),
        _("Positive rate (%)"),
        _("Bad ratings"),
        _("Fixed in time"),
        _("Rectification rate (%)"),
    ]
    writer.writerow([_("Department"), *header])
    for row in figures.departments:
        f = row["figures"]
        writer.writerow([row["name"], f.total, f.good_rate, f.bad, f.rectified, f.rectify_rate])
    writer.writerow([])
    writer.writerow([_("Item code"), _("Item"), _("Department"), *header])
    for row in figures.items:
        f = row["figures"]
        writer.writerow(
            [
                row["code"],
                row["name"],
                row["department"],
                f.total,
                f.good_rate,
                f.bad,
                f.rectified,
                f.rectify_rate,
            ]
        )
    writer.writerow([])
    hotline = hotline_month_figures(year=month.year, month=month.month)
    writer.writerow([_("12345 hotline in %(year)s-%(month)s") % {"year": month.year, "month": month.month}])
    for label, key in (
        (_("Requests received"), "received"),
        (_("Response rate"), "response_rate"),
        (_("On-time rate"), "on_time_rate"),
        (_("Satisfaction"), "satisfaction_rate"),
        (_("Duplicates merged"), "merged"),
        (_("Escalated"), "escalated"),
    ):
        writer.writerow([label, "" if hotline[key] is None else hotline[key]])
    writer.writerow([])
    writer.writerow(
        [
            _("Bad ratings"),
            _("Case number"),
            _("Item"),
            _("Department"),
            _("Channel"),
            _("Level"),
            _("Rectification"),
        ]
    )
    for rating in selectors.bad_ratings_public(month=month).iterator(chunk_size=2000):
        rectification = getattr(rating, "rectification", None)
        writer.writerow(
            [
                f"{rating.rated_at:%Y-%m-%d}",
                rating.case.number if rating.case and rating.case.number else "",
                rating.item.published_version.name
                if rating.item and rating.item.published_version
                else _("Window service"),
                rating.department.name,
                rating.get_channel_display(),
                rating.get_level_display(),
                rectification.get_status_display() if rectification else "",
            ]
        )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''ratings-{month:%Y-%m}.csv"
    return response
