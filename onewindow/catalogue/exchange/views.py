"""The catalogue exchange page (/workbench/catalogue/exchange/): download items as .xlsx, upload a workbook
and follow its import as it runs in the background."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from onewindow.catalogue.exchange.forms import ExportForm, ImportForm
from onewindow.catalogue.exchange.jobs import import_job_create
from onewindow.catalogue.exchange.spreadsheet import XLSX_TYPE, catalogue_workbook, export_versions
from onewindow.catalogue.models import ImportJob
from onewindow.catalogue.selectors import CatalogueAccess
from onewindow.catalogue.staff_views import catalogue_staff_required
from onewindow.core import clock

RECENT_JOBS = 10


def _page(
    request: HttpRequest, access: CatalogueAccess, *, import_form: ImportForm | None = None, status: int = 200
) -> HttpResponse:
    jobs = (
        ImportJob.objects.all()
        if access.is_platform_admin
        else ImportJob.objects.filter(created_by_id=request.user.pk)
    )
    return render(
        request,
        "catalogue/exchange/home.html",
        {
            "catalogue_access": access,
            "is_platform_admin": access.is_platform_admin,
            "export_form": ExportForm(departments=access.departments),
            "import_form": import_form or ImportForm(may_publish=access.is_platform_admin),
            "jobs": jobs.select_related("created_by")[:RECENT_JOBS],
        },
        status=status,
    )


@require_GET
@catalogue_staff_required
def exchange_home(request: HttpRequest, access: CatalogueAccess) -> HttpResponse:
    """The export and import forms, and the latest imports."""
    return _page(request, access)


@require_GET
@catalogue_staff_required
def export_xlsx(request: HttpRequest, access: CatalogueAccess) -> HttpResponse:
    """The workbook of the items the caller administers (platform administrators: every item)."""
    form = ExportForm(request.GET, departments=access.departments)
    if not form.is_valid():
        return _page(request, access, status=400)
    department = form.cleaned_data["department"]
    departments = access.departments.filter(pk=department.pk) if department else access.departments
    versions = export_versions(departments=departments, latest=form.cleaned_data["latest"])
    response = HttpResponse(catalogue_workbook(versions), content_type=XLSX_TYPE)
    filename = f"catalogue-{clock.today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@require_POST
@catalogue_staff_required
def import_upload(request: HttpRequest, access: CatalogueAccess) -> HttpResponse:
    """Store the workbook as an import job, queue it and show its progress."""
    form = ImportForm(request.POST, request.FILES, may_publish=access.is_platform_admin)
    if not form.is_valid():
        return _page(request, access, import_form=form, status=400)
    job = import_job_create(
        actor=request.user, upload=form.cleaned_data["file"], publish=form.cleaned_data.get("publish", False)
    )
    return redirect("catalogue_exchange:job", job_id=job.pk)


def _job(request: HttpRequest, access: CatalogueAccess, job_id: str) -> ImportJob:
    jobs = (
        ImportJob.objects.all()
        if access.is_platform_admin
        else ImportJob.objects.filter(created_by_id=request.user.pk)
    )
    job = jobs.filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job


@require_GET
@catalogue_staff_required
def job_detail(request: HttpRequest, access: CatalogueAccess, job_id: str) -> HttpResponse:
    """One import: its progress bar while it runs (the page reloads itself without JavaScript), then its outcome."""
    job = _job(request, access, job_id)
    return render(
        request,
        "catalogue/exchange/job.html",
        {"job": job, "catalogue_access": access, "is_platform_admin": access.is_platform_admin},
    )


@require_GET
@catalogue_staff_required
def job_progress(request: HttpRequest, access: CatalogueAccess, job_id: str) -> HttpResponse:
    """The progress fragment htmx swaps in every second until the import has finished."""
    return render(request, "catalogue/exchange/_job_progress.html", {"job": _job(request, access, job_id)})
