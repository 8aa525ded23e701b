"""The measures dashboard's reads: the figures of a scope and period, and the drill-down region → department
→ item → case. Scoped by the reader (``scope.analytics_scope``): a region, department or item outside it is
refused, one that does not exist is not found."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncMonth

from onewindow.analytics.figures import Counts, Figure, Period, figures, rolled_up_counts
from onewindow.analytics.models import DailyRollup, RollupRun
from onewindow.analytics.scope import REFUSED, Scope, analytics_scope, region_subtree_ids
from onewindow.cases.models import Case
from onewindow.catalogue.models import Item
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.organisations.models import Department, Region


@dataclass(frozen=True)
class Row:
    """One line of the drill-down table."""

    label: str
    kind: str  # "region", "department", "item"
    target: uuid.UUID
    figures: list[Figure]


@dataclass
class Dashboard:
    period: Period
    refreshed_at: dt.datetime | None  # the figures are as of this rollup refresh (None: never refreshed)
    level: str  # what the rows are: "region", "department", "item" or "case"
    totals: list[Figure]
    rows: list[Row] = field(default_factory=list)
    trail: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # breadcrumb: label, query
    cases: QuerySet[Case] | None = None
    region: Region | None = None
    department: Department | None = None
    item: Item | None = None


def _scoped_departments(scope: Scope) -> QuerySet[Department]:
    departments = Department.objects.all()
    if scope.department_ids is not None:
        departments = departments.filter(pk__in=scope.department_ids)
    return departments


def _get(model: type[Any], pk: str | uuid.UUID | None) -> Any:
    if not pk:
        return None
    try:
        return model.objects.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound("未找到要查看的地区、部门或事项。") from None


def _ancestors(region: Region) -> list[Region]:
    chain: list[Region] = []
    current: Region | None = region
    while current is not None:
        chain.append(current)
        current = current.parent
    return list(reversed(chain))


def dashboard(
    *,
    user: Any,
    period: Period,
    region_id: str | None = None,
    department_id: str | None = None,
    item_id: str | None = None,
) -> Dashboard:
    """The figures for the reader's scope narrowed to a region, a department or an item, with the rows one
    level down."""
    scope = analytics_scope(user=user)
    item = _get(Item, item_id)
    department = item.department if item else _get(Department, department_id)
    region = _get(Region, region_id)
    departments = _scoped_departments(scope)
    if department is not None:
        if not scope.allows(department.pk):
            raise PermissionDenied(REFUSED)
        departments = departments.filter(pk=department.pk)
        region = department.region
    elif region is not None:
        subtree = region_subtree_ids({region.pk})
        if scope.root_region_ids and not (set(scope.root_region_ids) & set(r.pk for r in _ancestors(region))):
            raise PermissionDenied(REFUSED)
        departments = departments.filter(region_id__in=subtree)
    department_ids = departments.values("pk")
    items = Item.objects.filter(department_id__in=department_ids)
    # A life event's parent case is never handled by a department: only the item cases count.
    cases = Case.objects.filter(department_id__in=department_ids, bundle__isnull=True)
    if item is not None:
        items = items.filter(pk=item.pk)
        cases = cases.filter(item=item)

    # One set of grouped queries: the rows one level down, and the totals as the sum of their counts.
    key = None if item is not None else ("item_id" if department is not None else "department_id")
    grouped = rolled_up_counts(items=items, department_ids=department_ids, item=item, period=period, key=key)
    totals: Counts = Counter()
    for counts in grouped.values():
        totals.update(counts)
    result = Dashboard(
        period=period, refreshed_at=rollups_refreshed_at(), level="region", totals=figures(totals)
    )
    result.region, result.department, result.item = region, department, item
    result.trail = _trail(scope, region, department, item)
    if item is not None:
        result.level = "case"
        result.cases = (
            cases.filter(submitted_at__gte=period.since, submitted_at__lt=period.until)
            .select_related("deadline", "item_version")
            .order_by("-submitted_at")
        )
    elif department is not None:
        result.level = "item"
        result.rows = _item_rows(items=items, counts=grouped)
    else:
        result.rows = _region_rows(scope, region, departments, by_department=grouped)
        result.level = "region"
    return result


def _trail(
    scope: Scope, region: Region | None, department: Department | None, item: Item | None
) -> list[tuple[str, dict[str, str]]]:
    trail: list[tuple[str, dict[str, str]]] = []
    if region is not None:
        for ancestor in _ancestors(region):
            if scope.root_region_ids and not trail and ancestor.pk not in scope.root_region_ids:
                continue
            trail.append((ancestor.name, {"region": str(ancestor.pk)}))
    if department is not None:
        trail.append((department.short_name or department.name, {"department": str(department.pk)}))
    if item is not None:
        trail.append((_item_name(item), {"item": str(item.pk)}))
    return trail


def _item_name(item: Item) -> str:
    return item.published_version.name if item.published_version else item.implementation_code


def _item_rows(*, items: QuerySet[Item], counts: dict[Any, Counts]) -> list[Row]:
    rows = []
    for item in items.filter(published_version__isnull=False).select_related("published_version"):
        rows.append(Row(_item_name(item), "item", item.pk, figures(counts.get(item.pk, Counter()))))
    return sorted(rows, key=lambda r: r.label)


def _region_rows(
    scope: Scope,
    region: Region | None,
    departments: QuerySet[Department],
    *,
    by_department: dict[Any, Counts],
) -> list[Row]:
    """Below a region: its child regions (their departments' counts summed) and the departments seated in the
    region itself. At the top: the reader's root regions (or the top of the division tree)."""
    seated = {d.pk: d for d in departments.select_related("region")}
    parents = dict(Region.objects.values_list("pk", "parent_id"))
    if region is None:
        tops = set(scope.root_region_ids) or {pk for pk, parent in parents.items() if parent is None}
        children = tops
    else:
        children = {pk for pk, parent in parents.items() if parent == region.pk}
    grouped: dict[uuid.UUID, Counts] = defaultdict(Counter)
    own: list[Department] = []
    for department in seated.values():
        counts = by_department.get(department.pk, Counter())
        current: uuid.UUID | None = department.region_id
        if region is not None and current == region.pk:
            own.append(department)
            continue
        while current is not None and current not in children:
            current = parents.get(current)
        if current is not None:
            grouped[current].update(counts)
    names = dict(Region.objects.filter(pk__in=grouped.keys()).values_list("pk", "name"))
    rows = [Row(names[pk], "region", pk, figures(counts)) for pk, counts in grouped.items()]
    rows.sort(key=lambda r: r.label)
    rows += sorted(
        (
            Row(d.short_name or d.name, "department", d.pk, figures(by_department.get(d.pk, Counter())))
            for d in own
        ),
        key=lambda r: r.label,
    )
    return rows


def rollups_refreshed_at() -> dt.datetime | None:
    """When the figures were last computed (the latest rollup refresh), to state on the page."""
    return RollupRun.objects.order_by("-started_at").values_list("finished_at", flat=True).first()


def monthly_volumes(
    *, user: Any, period: Period, department_id: str | None = None
) -> list[tuple[str, int, int]]:
    """Cases received and concluded per month of the period in the reader's scope (the trend chart), summed
    from the daily rollups."""
    scope = analytics_scope(user=user)
    rollups = DailyRollup.objects.filter(day__gte=period.start, day__lte=period.end)
    if scope.department_ids is not None:
        rollups = rollups.filter(department_id__in=scope.department_ids)
    if department_id:
        rollups = rollups.filter(department_id=department_id)
    rows = (
        rollups.annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(received=Sum("received"), concluded=Sum("concluded"))
        .order_by("month")
    )
    return [
        (row["month"].strftime("%Y-%m"), row["received"], row["concluded"])
        for row in rows
        if row["received"] or row["concluded"]
    ]
