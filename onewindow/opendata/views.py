"""The data portal: the published datasets, a dataset's page with its table and review, CSV / JSON downloads
and the DCAT-AP catalogue; and the reviewers' pages (保密审查) on the workbench."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from onewindow.core.errors import DomainError
from onewindow.core.view_helpers import refusals_as_http
from onewindow.opendata import selectors, services
from onewindow.opendata.dcat import JSON_LD, TURTLE, catalogue_dcat_export
from onewindow.opendata.forms import ReviewForm
from onewindow.opendata.models import Dataset
from onewindow.opendata.tables import SUPPRESSED, Table, dataset_table

PAGE_SIZE = 20


def paginate(request: HttpRequest, rows: Any) -> Page[Any]:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _shown(table: Table) -> list[list[Any]]:
    """Rows as cells in column order, a suppressed count shown as "<5"."""
    mark = SUPPRESSED.format(threshold=table.threshold)
    rows = []
    for row in table.rows:
        rows.append(
            [mark if table.threshold and row[key] is None else row[key] for key, _label in table.columns]
        )
    return rows


def home(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.datasets_published())
    return render(request, "opendata/home.html", {"page": page})


def dataset(request: HttpRequest, slug: str) -> HttpResponse:
    with refusals_as_http():
        found = selectors.dataset_published_get(slug=slug)
    table = dataset_table(dataset=found)
    return render(
        request,
        "opendata/dataset.html",
        {"dataset": found, "table": table, "rows": _shown(table), "review": found.reviews.all()[0]},
    )


def _csv(table: Table, found: Dataset) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([label for _key, label in table.columns])
    writer.writerows(_shown(table))
    # A BOM so that spreadsheet programs open the Chinese text as UTF-8.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{found.slug}.csv"'
    return response


def download_csv(request: HttpRequest, slug: str) -> HttpResponse:
    with refusals_as_http():
        found = selectors.dataset_published_get(slug=slug)
    return _csv(dataset_table(dataset=found), found)


def download_json(request: HttpRequest, slug: str) -> HttpResponse:
    with refusals_as_http():
        found = selectors.dataset_published_get(slug=slug)
    table = dataset_table(dataset=found)
    body = {
        "dataset": found.slug,
        "title": found.title,
        "columns": [{"key": key, "label": label} for key, label in table.columns],
        "suppression_threshold": table.threshold,
        "rows": table.rows,
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{found.slug}.json"'
    return response


def catalog_ttl(request: HttpRequest) -> HttpResponse:
    return HttpResponse(catalogue_dcat_export(TURTLE), content_type=f"{TURTLE}; charset=utf-8")


def catalog_jsonld(request: HttpRequest) -> HttpResponse:
    return HttpResponse(catalogue_dcat_export(JSON_LD), content_type=f"{JSON_LD}; charset=utf-8")


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    with refusals_as_http():
        datasets = selectors.staff_datasets(user=request.user)
    return render(request, "opendata/staff/list.html", {"page": paginate(request, datasets)})


@login_required
def staff_review(request: HttpRequest, slug: str) -> HttpResponse:
    with refusals_as_http():
        found = selectors.staff_dataset_get(user=request.user, slug=slug)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with refusals_as_http():
                services.dataset_review_record(actor=request.user, dataset=found, **form.cleaned_data)
        except DomainError as error:
            for problem in error.problems or []:
                form.add_error(problem.field if problem.field in form.fields else None, problem.message)
            if not error.problems:
                form.add_error(None, error.message)
        else:
            messages.success(request, _("The confidentiality review has been recorded."))
            return redirect("opendata_staff:review", slug=found.slug)
    table = dataset_table(dataset=found)
    return render(
        request,
        "opendata/staff/review.html",
        {"dataset": found, "form": form, "table": table, "rows": _shown(table)[:20]},
    )
