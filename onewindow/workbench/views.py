"""The staff workbench: the home page, and the platform administrators' import pages."""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onewindow.cases.selectors import pledge_checks_for_department
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.organisations.forms import OrganisationImportForm
from onewindow.organisations.selectors import staff_is_platform_admin, staff_memberships
from onewindow.organisations.services import SHEETS, organisations_import
from onewindow.workdays.forms import CalendarImportForm
from onewindow.workdays.selectors import calendar_warnings
from onewindow.workdays.services import calendar_import

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def platform_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in platform administrators only; anyone else signed in gets 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not staff_is_platform_admin(user=request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def problem_rows(error: DomainError) -> list[dict[str, Any]]:
    """A refusal's problems as table rows; a spreadsheet problem's field reads "sheet.column"."""
    rows = []
    for problem in error.problems:
        sheet, _, column = problem.field.rpartition(".")
        rows.append({"sheet": sheet, "column": column, "row": problem.row, "message": problem.message})
    return rows


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The staff workbench's front page: my roles, and what administrators must act on."""
    is_admin = staff_is_platform_admin(user=request.user)
    return render(
        request,
        "workbench/home.html",
        {
            "memberships": staff_memberships(user=request.user),
            "is_platform_admin": is_admin,
            "calendar_warnings": calendar_warnings() if is_admin else [],
            **_pledge_counts(request.user),
        },
    )


def _pledge_counts(user: Any) -> dict[str, int]:
    """Open post-checks of pledges (告知承诺核查) in the user's departments, and how many are overdue."""
    checks = pledge_checks_for_department(user=user)
    return {
        "open_pledge_checks": checks.count(),
        "overdue_pledge_checks": checks.filter(due_on__lt=clock.today()).count(),
    }


@platform_admin_required
def organisations_import_page(request: HttpRequest) -> HttpResponse:
    """Upload a workbook of regions, departments and staff; all rows are written or none."""
    form = OrganisationImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "sheets": SHEETS, "is_platform_admin": True}
    if request.method == "POST" and form.is_valid():
        try:
            context["report"] = organisations_import(actor=request.user, file=form.cleaned_data["file"])
        except DomainError as error:
            context.update(error=error, problems=problem_rows(error))
    status = 400 if context.get("error") or form.errors else 200
    return render(request, "workbench/organisations_import.html", context, status=status)


@require_GET
@platform_admin_required
def organisations_import_template(request: HttpRequest) -> HttpResponse:
    """The empty workbook to fill in: one sheet per kind of row, required columns first."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, (required, optional) in SHEETS.items():
        sheet = workbook.create_sheet(name)
        sheet.append([*required, *optional])
        for cell in sheet[1][: len(required)]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 22
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''organisations-template.xlsx"
    return response


@platform_admin_required
def calendar_import_page(request: HttpRequest) -> HttpResponse:
    """Upload a year's official holiday list; provisional deadlines in that year are recomputed."""
    form = CalendarImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "is_platform_admin": True}
    if request.method == "POST" and form.is_valid():
        content, name = form.cleaned_data["file"]
        try:
            context["source"], context["imported"] = calendar_import(
                actor=request.user, content=content, filename=name
            )
        except DomainError as error:
            context.update(error=error, problems=problem_rows(error))
    context["warnings"] = calendar_warnings()
    status = 400 if context.get("error") or form.errors else 200
    return render(request, "workbench/calendar_import.html", context, status=status)
