"""The dashboard as an .xlsx workbook (openpyxl) and a PDF (WeasyPrint, CJK fonts), from the same selector
result as the page."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from onewindow.analytics.measures import MEASURES
from onewindow.analytics.selectors import Dashboard
from onewindow.catalogue.pdf import pdf_render


def dashboard_xlsx(board: Dashboard) -> bytes:
    """Sheet 汇总: every measure with its value, numerator, denominator and definition; sheet 明细: one line
    per drill-down row."""
    book = Workbook()
    summary = book.active
    summary.title = _("Summary")
    summary.append([_("Period"), f"{board.period.start:%Y-%m-%d} – {board.period.end:%Y-%m-%d}"])
    summary.append([_("Scope"), " › ".join(label for label, _query in board.trail) or _("All in my scope")])
    refreshed = timezone.localtime(board.refreshed_at) if board.refreshed_at else None
    summary.append([_("Figures as of"), f"{refreshed:%Y-%m-%d %H:%M}" if refreshed else "—"])
    summary.append([])
    summary.append([_("Measure"), _("Value"), _("Numerator"), _("Denominator"), _("Definition")])
    for cell in summary[5]:
        cell.font = Font(bold=True)
    for figure in board.totals:
        summary.append(
            [
                str(figure.measure.name),
                figure.display,
                figure.numerator,
                figure.denominator,
                str(figure.measure.formula),
            ]
        )
    detail = book.create_sheet(_("Breakdown"))
    detail.append([pgettext("region, department or item", "Name")] + [str(m.name) for m in MEASURES])
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for row in board.rows:
        detail.append([row.label] + [f.display for f in row.figures])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def dashboard_pdf(board: Dashboard, *, request: HttpRequest, context: dict[str, Any]) -> bytes:
    return pdf_render("analytics/pdf/dashboard.html", {"board": board, **context}, request=request)
