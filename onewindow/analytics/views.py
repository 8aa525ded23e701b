"""The measures pages: the dashboard with its drill-down and exports, the definitions, staff and hall
performance, and the regional evaluation report."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from onewindow.analytics import selectors
from onewindow.analytics.charts import bar_chart
from onewindow.analytics.evaluation import evaluation_report
from onewindow.analytics.exports import dashboard_pdf, dashboard_xlsx
from onewindow.analytics.forms import MonthForm, PeriodForm, default_period
from onewindow.analytics.measures import MEASURES
from onewindow.analytics.performance import staff_performance, window_performance
from onewindow.analytics.scope import analytics_scope, region_subtree_ids
from onewindow.catalogue.pdf import pdf_render, pdf_response
from onewindow.core.view_helpers import refusals_as_http
from onewindow.organisations.models import Region

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _board(request: HttpRequest) -> tuple[selectors.Dashboard, PeriodForm, dict[str, str]]:
    form = PeriodForm(request.GET)
    period = form.cleaned_data["period"] if form.is_valid() else default_period()
    with refusals_as_http():
        board = selectors.dashboard(
            user=request.user,
            period=period,
            region_id=request.GET.get("region"),
            department_id=request.GET.get("department"),
            item_id=request.GET.get("item"),
        )
    keep = {"start": f"{period.start:%Y-%m-%d}", "end": f"{period.end:%Y-%m-%d}"}
    return board, form, keep


def _context(request: HttpRequest) -> dict[str, Any]:
    board, form, keep = _board(request)
    where = {k: request.GET[k] for k in ("region", "department", "item") if request.GET.get(k)}
    rows = [
        {
            "row": row,
            "query": urlencode({**keep, row.kind: str(row.target)}),
        }
        for row in board.rows
    ]
    trail = [(label, urlencode({**keep, **query})) for label, query in board.trail]
    return {
        "board": board,
        "form": form,
        "rows": rows,
        "trail": trail,
        "top_query": urlencode(keep),
        "query": urlencode({**keep, **where}),
        "measures": MEASURES,
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """统计分析: the measures of the reader's scope for a period, one level of drill-down below."""
    context = _context(request)
    board = context["board"]
    if board.cases is not None:
        context["page"] = Paginator(board.cases, PAGE_SIZE).get_page(request.GET.get("page"))
    figures = {f.measure.code: f for f in board.totals}
    context["rate_chart"] = bar_chart(
        _("Rates"),
        [
            (str(figures[c].measure.name), figures[c].value, figures[c].display)
            for c in (
                "online_rate",
                "fully_online_rate",
                "immediate_share",
                "compression_ratio",
                "on_time_rate",
                "no_submission_rate",
            )
        ],
    )
    if board.rows:
        on_time = [
            (entry["row"].label, f.value, f.display)
            for entry in context["rows"]
            for f in entry["row"].figures
            if f.measure.code == "received"
        ]
        context["rows_chart"] = bar_chart(_("Cases received"), on_time)
    department = board.department.pk if board.department else None
    with refusals_as_http():
        months = selectors.monthly_volumes(user=request.user, period=board.period, department_id=department)
    context["trend_chart"] = bar_chart(_("Cases received per month"), [(m, r, str(r)) for m, r, _c in months])
    return render(request, "analytics/dashboard.html", context)


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    board, _form, _keep = _board(request)
    response = HttpResponse(dashboard_xlsx(board), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="measures.xlsx"'
    return response


@login_required
def export_pdf(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    return pdf_response(dashboard_pdf(context["board"], request=request, context=context), "统计分析.pdf")


@login_required
def definitions(request: HttpRequest) -> HttpResponse:
    """指标定义: generated from the one registry of measures."""
    with refusals_as_http():
        analytics_scope(user=request.user)
    return render(request, "analytics/definitions.html", {"measures": MEASURES})


@login_required
def performance(request: HttpRequest) -> HttpResponse:
    """工作绩效: the month's ranking of staff and the halls' windows."""
    form = MonthForm(request.GET)
    period = form.period
    with refusals_as_http():
        staff = staff_performance(user=request.user, period=period)
        windows = window_performance(user=request.user, period=period)
    return render(
        request,
        "analytics/performance.html",
        {"form": form, "period": period, "staff": staff, "windows": windows},
    )


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _report_context(request: HttpRequest) -> dict[str, Any]:
    form = MonthForm(request.GET)
    with refusals_as_http():
        scope = analytics_scope(user=request.user)
        regions = Region.objects.order_by("code")
        if scope.root_region_ids:
            regions = regions.filter(pk__in=region_subtree_ids(set(scope.root_region_ids)))
        regions = regions.filter(level__lte=3)
        wanted = _uuid(request.GET.get("region", ""))
        chosen = regions.filter(pk=wanted).first() if wanted else None
        region = chosen or regions.first()
        report = evaluation_report(user=request.user, region=region, period=form.period) if region else None
    return {
        "form": form,
        "regions": regions,
        "region": region,
        "report": report,
        "query": urlencode(
            {"region": str(region.pk) if region else "", "month": f"{form.period.start:%Y-%m}"}
        ),
    }


@login_required
def evaluation(request: HttpRequest) -> HttpResponse:
    """评估指标体系: the five dimensions of a region for a month."""
    return render(request, "analytics/evaluation.html", _report_context(request))


@login_required
def evaluation_pdf(request: HttpRequest) -> HttpResponse:
    context = _report_context(request)
    region = context["region"]
    name = f"评估报告-{region.name if region else ''}-{context['form'].period.start:%Y-%m}.pdf"
    return pdf_response(pdf_render("analytics/pdf/evaluation.html", context, request=request), name)
