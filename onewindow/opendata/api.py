"""The data portal's API: the published datasets and their rows (small cells null). A dataset not approved
by a confidentiality review answers 404, as if it did not exist."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from onewindow.core.schemas import COMMON_ERRORS, ErrorOut
from onewindow.opendata import selectors
from onewindow.opendata.models import Dataset
from onewindow.opendata.tables import dataset_table

router = Router(tags=["opendata"])


class DatasetOut(Schema):
    slug: str
    title: str
    description: str
    kind: str = Field(
        description="catalogue | negative_list | intermediary | monthly_volumes | case_outcomes"
    )
    publisher: str
    update_frequency: str = Field(description="EU frequency authority code, e.g. MONTHLY")
    published_at: dt.datetime | None
    reviewed_on: dt.date = Field(description="date of the approving confidentiality review 保密审查")


class ColumnOut(Schema):
    key: str
    label: str


class DatasetDataOut(DatasetOut):
    columns: list[ColumnOut]
    suppression_threshold: int | None = Field(
        description="counts under this number, and the cells that would reveal them, are null"
    )
    rows: list[dict[str, Any]]


def _body(dataset: Dataset) -> dict[str, Any]:
    return {
        "slug": dataset.slug,
        "title": dataset.title,
        "description": dataset.description,
        "kind": dataset.kind,
        "publisher": dataset.publisher.name,
        "update_frequency": dataset.update_frequency,
        "published_at": dataset.published_at,
        "reviewed_on": dataset.reviews.all()[0].reviewed_on,
    }


@router.get("/opendata/datasets", response={200: list[DatasetOut], **COMMON_ERRORS})
def datasets(request: HttpRequest) -> list[dict[str, Any]]:
    """The published datasets of the data portal."""
    return [_body(d) for d in selectors.datasets_published().prefetch_related("reviews")]


@router.get(
    "/opendata/datasets/{slug}",
    response={200: DatasetDataOut, 404: ErrorOut, **COMMON_ERRORS},
)
def dataset(request: HttpRequest, slug: str) -> dict[str, Any]:
    """One published dataset with its rows."""
    found = selectors.dataset_published_get(slug=slug)
    table = dataset_table(dataset=found)
    return _body(found) | {
        "columns": [{"key": key, "label": label} for key, label in table.columns],
        "suppression_threshold": table.threshold,
        "rows": table.rows,
    }
