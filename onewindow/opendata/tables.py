"""The rows of each dataset, computed from the domain apps when asked for. The two statistics are count
tables passed through small-cell suppression (``suppression.py``); the lists are public records already."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.cases.models import Case, CaseStatus
from onewindow.catalogue import selectors as catalogue_selectors
from onewindow.catalogue.models import IntermediaryService, Item, NegativeListEntry
from onewindow.core import clock
from onewindow.opendata.models import Dataset, DatasetKind
from onewindow.opendata.suppression import TOTAL, suppress
from onewindow.organisations.models import Department

# How a suppressed cell reads in the CSV and on the page (null in JSON).
SUPPRESSED = "<{threshold}"
MONTHS = 12


@dataclass
class Table:
    """Columns as (key, label) and rows as dicts; ``suppressed`` counts the hidden cells."""

    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)
    suppressed: int = 0
    threshold: int | None = None


def min_cell() -> int:
    return int(settings.ONEWINDOW_OPENDATA_MIN_CELL)


def _months(today: dt.date) -> list[dt.date]:
    """The last ``MONTHS`` whole months before this one, oldest first."""
    first = today.replace(day=1)
    months = []
    for _i in range(MONTHS):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        months.append(first)
    return sorted(months)


def _filed_cases() -> QuerySet[Case]:
    """Cases a department handles: drafts never reached anyone, and a life event's parent case only groups its
    items' cases (counting it would count them twice)."""
    return Case.objects.exclude(status=CaseStatus.DRAFT).exclude(bundle__isnull=False, parent__isnull=True)


def _catalogue() -> Table:
    table = Table(
        columns=[
            ("implementation_code", _("Implementation code")),
            ("name", _("Item")),
            ("department", _("Department")),
            ("item_type", _("Item type")),
            ("statutory_days", _("Statutory limit (working days)")),
            ("promised_days", _("Promised limit (working days)")),
        ]
    )
    items = catalogue_selectors.items_published().select_related("department", "published_version")
    for item in items.order_by("implementation_code"):
        version = item.published_version
        assert version is not None  # items_published() has a published version
        table.rows.append(
            {
                "implementation_code": item.implementation_code,
                "name": version.name,
                "department": item.department.name,
                "item_type": version.get_item_type_display(),
                "statutory_days": version.statutory_days,
                "promised_days": version.promised_days,
            }
        )
    return table


def _negative_list() -> Table:
    table = Table(
        columns=[
            ("code", _("Code")),
            ("category", _("Category")),
            ("title", _("Title")),
            ("measures", _("Measures")),
            ("legal_basis", _("Legal basis")),
        ]
    )
    for entry in NegativeListEntry.objects.order_by("code"):
        table.rows.append(
            {
                "code": entry.code,
                "category": entry.get_category_display(),
                "title": entry.title,
                "measures": entry.measures,
                "legal_basis": entry.legal_basis,
            }
        )
    return table


def _intermediary() -> Table:
    table = Table(
        columns=[
            ("code", _("Code")),
            ("name", _("Intermediary service")),
            ("department", _("Department")),
            ("time_limit_days", _("Time limit (working days)")),
            ("fee_basis", _("Fee basis")),
            ("legal_basis", _("Legal basis")),
        ]
    )
    for service in IntermediaryService.objects.select_related("department").order_by("code"):
        table.rows.append(
            {
                "code": service.code,
                "name": service.name,
                "department": service.department.name if service.department_id else "",
                "time_limit_days": service.time_limit_days,
                "fee_basis": service.fee_basis,
                "legal_basis": service.legal_basis,
            }
        )
    return table


def _suppressed_rows(
    *,
    row_keys: list[Any],
    row_columns: list[tuple[str, str]],
    row_values: dict[Any, dict[str, Any]],
    columns: list[tuple[Any, str, str]],
    counts: dict[tuple[Any, Any], int],
) -> Table:
    """A count table (rows × columns, plus totals) as published rows, small cells suppressed."""
    threshold = min_cell()
    result = suppress(rows=row_keys, columns=[c[0] for c in columns], counts=counts, threshold=threshold)
    table = Table(
        columns=[*row_columns, *[(c[1], c[2]) for c in columns], ("total", _("Total"))],
        suppressed=len(result.primary) + len(result.secondary),
        threshold=threshold,
    )
    for key in [*row_keys, TOTAL]:
        row = dict(row_values[key])
        for column_key, name, _label in columns:
            row[name] = result.value(key, column_key)
        row["total"] = result.value(key, TOTAL)
        table.rows.append(row)
    return table


def _monthly_volumes(today: dt.date) -> Table:
    months = _months(today)
    start = months[0]
    end = (months[-1] + dt.timedelta(days=32)).replace(day=1)
    grouped = (
        _filed_cases()
        .filter(submitted_at__date__gte=start, submitted_at__date__lt=end)
        .annotate(month=TruncMonth("submitted_at"))
        .values("item_id", "month")
        .annotate(n=Count("id"))
    )
    counts: dict[tuple[Any, Any], int] = {}
    for row in grouped:
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        counts[(row["item_id"], month)] = row["n"]
    item_ids = sorted({item_id for item_id, _month in counts})
    items = Item.objects.select_related("department", "published_version").in_bulk(item_ids)
    row_keys = sorted(item_ids, key=lambda pk: items[pk].implementation_code)
    row_values: dict[Any, dict[str, Any]] = {
        pk: {
            "implementation_code": items[pk].implementation_code,
            "item": getattr(items[pk].published_version, "name", ""),
            "department": items[pk].department.name,
        }
        for pk in row_keys
    }
    row_values[TOTAL] = {"implementation_code": "", "item": _("All items"), "department": ""}
    return _suppressed_rows(
        row_keys=row_keys,
        row_columns=[
            ("implementation_code", _("Implementation code")),
            ("item", _("Item")),
            ("department", _("Department")),
        ],
        row_values=row_values,
        columns=[(m, m.strftime("%Y-%m"), m.strftime("%Y-%m")) for m in months],
        counts=counts,
    )


# The anonymised outcome of a case, by its status: no case number, applicant or date leaves the platform.
OUTCOMES = [
    (
        "open",
        gettext_lazy("In progress"),
        {
            CaseStatus.SUBMITTED,
            CaseStatus.CORRECTION_REQUESTED,
            CaseStatus.ACCEPTED,
            CaseStatus.IN_PROCESS,
            CaseStatus.SUSPENDED,
        },
    ),
    ("concluded", gettext_lazy("Concluded"), {CaseStatus.CONCLUDED, CaseStatus.DELIVERED}),
    ("not_accepted", gettext_lazy("Not accepted"), {CaseStatus.NOT_ACCEPTED}),
    ("withdrawn", gettext_lazy("Withdrawn"), {CaseStatus.WITHDRAWN}),
]


def _case_outcomes() -> Table:
    outcome_of: dict[str, str] = {status: key for key, _label, statuses in OUTCOMES for status in statuses}
    counts: dict[tuple[Any, Any], int] = {}
    for row in _filed_cases().values("department_id", "status").annotate(n=Count("id")):
        key = (row["department_id"], outcome_of[row["status"]])
        counts[key] = counts.get(key, 0) + row["n"]
    departments = Department.objects.in_bulk({pk for pk, _outcome in counts})
    row_keys = sorted(departments, key=lambda pk: departments[pk].name)
    row_values: dict[Any, dict[str, Any]] = {pk: {"department": departments[pk].name} for pk in row_keys}
    row_values[TOTAL] = {"department": _("All departments")}
    return _suppressed_rows(
        row_keys=row_keys,
        row_columns=[("department", _("Department"))],
        row_values=row_values,
        columns=[(key, key, str(label)) for key, label, _statuses in OUTCOMES],
        counts=counts,
    )


def dataset_table(*, dataset: Dataset, today: dt.date | None = None) -> Table:
    """The dataset's published rows."""
    today = today or clock.today()
    if dataset.kind == DatasetKind.CATALOGUE:
        return _catalogue()
    if dataset.kind == DatasetKind.NEGATIVE_LIST:
        return _negative_list()
    if dataset.kind == DatasetKind.INTERMEDIARY:
        return _intermediary()
    if dataset.kind == DatasetKind.MONTHLY_VOLUMES:
        return _monthly_volumes(today)
    return _case_outcomes()
