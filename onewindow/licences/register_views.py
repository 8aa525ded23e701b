"""The public register of licensing decisions (行政许可决定公示): search, pages and a CSV export, no sign-in.
Every request counts against the caller's ``public_lookup`` budget, like the other public look-ups."""

from __future__ import annotations

import csv
import io

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from onewindow.core import clock
from onewindow.licences.register import (
    EXPORT_MAX_ROWS,
    decision_departments,
    decision_filter_parse,
    decision_rows,
    decisions_public,
)
from onewindow.licences.verify_views import public_lookup_limited

DECISIONS_PER_PAGE = 20
CSV_HEADERS = ["事项名称", "许可对象", "许可决定", "决定日期", "决定机关", "电子证照标识"]


def _csv(rows: list[list[str]]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADERS)
    writer.writerows(rows)
    # The byte-order mark makes spreadsheet programs read the Chinese as UTF-8.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"行政许可决定公示-{clock.today():%Y%m%d}.csv"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_safe
def decision_register(request: HttpRequest) -> HttpResponse:
    """Search the register by item, holder (companies), date range and department; page or export it."""
    if limited := public_lookup_limited(request):
        return limited
    filters, problems = decision_filter_parse(request.GET)
    context = {
        "filters": filters,
        "problems": problems,
        "departments": list(decision_departments().only("id", "name")),
    }
    if problems:
        return render(request, "licences/decisions.html", context, status=400)
    cases = decisions_public(filters)
    if request.GET.get("format") == "csv":
        return _csv(
            [
                [
                    row.item_name,
                    row.holder,
                    "准予许可" if row.approved else "不予许可",
                    row.decided_on.isoformat(),
                    row.department,
                    "；".join(row.licence_identifiers),
                ]
                for row in decision_rows(cases[:EXPORT_MAX_ROWS])
            ]
        )
    page = Paginator(cases, DECISIONS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    context |= {"page": page, "rows": list(decision_rows(page)), "query": query.urlencode()}
    return render(request, "licences/decisions.html", context)
