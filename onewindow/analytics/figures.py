"""The measures computed in SQL: one grouped query per population (published items, cases, materials,
concluded cases' date pairs), conditional counts and sums only — never a Python loop over cases. Every query
returns raw numerators and denominators per group key, so a region's figure is the sum of its departments'
counts, never an average of their rates. The dashboard reads the same counts from the daily rollups
(``rolled_up_counts``; ``services.rollups_refresh`` writes them); the live queries serve the evaluation report
and the independent check of the rollups."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Count, F, Q, QuerySet, Sum
from django.db.models.functions import Cast, TruncDate

from onewindow.analytics.measures import MEASURES, Measure
from onewindow.analytics.models import ROLLUP_COUNTS, BacklogSnapshot, DailyRollup
from onewindow.cases.models import OPEN_STATUSES, Case, CaseMaterial, TrustLevel
from onewindow.catalogue.models import CaseType, HandlingForm, Item
from onewindow.core import clock
from onewindow.ratings.models import BAD_LEVELS, Rating
from onewindow.workdays.calendar import WorkCalendar

Counts = Counter[str]


@dataclass(frozen=True)
class Period:
    """``[start, end]`` in local dates, as datetimes bounds ``[since, until)`` for index-friendly filters."""

    start: dt.date
    end: dt.date

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=clock.now().tzinfo)

    @property
    def until(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=clock.now().tzinfo)


@dataclass(frozen=True)
class Figure:
    measure: Measure
    value: float | None  # None: nothing to measure (an empty denominator)
    numerator: float
    denominator: float

    @property
    def display(self) -> str:
        if self.value is None:
            return "—"
        if self.measure.unit == "percent":
            return f"{self.value * 100:.1f}%"
        if self.measure.unit == "count":
            return f"{int(self.value)}"
        return f"{self.value:.2f}"


def _online_filter() -> Q:
    # handling_forms is a JSON list of codes; its text form holds each code quoted on SQLite and PostgreSQL.
    return Q(forms_text__contains=f'"{HandlingForm.ONLINE_PC.value}"') | Q(
        forms_text__contains=f'"{HandlingForm.ONLINE_MOBILE.value}"'
    )


def item_counts(*, items: QuerySet[Item], key: str | None) -> dict[Any, Counts]:
    """Published items in scope: totals for the four guide measures."""
    queryset = items.filter(published_version__isnull=False).annotate(
        forms_text=Cast("published_version__handling_forms", CharField())
    )
    return _grouped(
        queryset,
        key,
        items=Count("pk"),
        online=Count("pk", filter=_online_filter()),
        zero_visits=Count("pk", filter=Q(published_version__onsite_visits=0)),
        immediate=Count("pk", filter=Q(published_version__case_type=CaseType.IMMEDIATE)),
        promised=Sum("published_version__promised_days"),
        statutory=Sum("published_version__statutory_days"),
    )


def case_counts(*, cases: QuerySet[Case], period: Period, key: str | None) -> dict[Any, Counts]:
    """Cases in scope: received and concluded in the period, on time, visits, the backlog now."""
    received = Q(submitted_at__gte=period.since, submitted_at__lt=period.until)
    concluded = Q(concluded_at__gte=period.since, concluded_at__lt=period.until)
    open_now = Q(status__in=OPEN_STATUSES)
    today = clock.today()
    return _grouped(
        cases.filter(received | concluded | open_now).annotate(concluded_on=TruncDate("concluded_at")),
        key,
        received=Count("pk", filter=received),
        concluded=Count("pk", filter=concluded),
        concluded_with_due=Count("pk", filter=concluded & Q(deadline__isnull=False)),
        on_time=Count("pk", filter=concluded & Q(concluded_on__lte=F("deadline__due_on"))),
        visits=Sum("item_version__onsite_visits", filter=concluded),
        backlog=Count("pk", filter=open_now),
        overdue_backlog=Count("pk", filter=open_now & Q(deadline__due_on__lt=today)),
    )


def material_counts(*, cases: QuerySet[Case], period: Period, key: str | None) -> dict[Any, Counts]:
    """Materials of the cases received in the period, and those the platform obtained itself (trust A)."""
    material_key = f"case__{key}" if key else None
    received = cases.filter(submitted_at__gte=period.since, submitted_at__lt=period.until)
    return _grouped(
        CaseMaterial.objects.filter(case__in=received.values("pk")),
        material_key,
        materials=Count("pk"),
        materials_a=Count("pk", filter=Q(trust_level=TrustLevel.A)),
    )


def working_day_counts(*, cases: QuerySet[Case], period: Period, key: str | None) -> dict[Any, Counts]:
    """Working days from acceptance to conclusion: the database groups the concluded cases by (accepted on,
    concluded on) and counts them; the official calendar then counts each distinct pair's working days once."""
    rows = (
        cases.filter(concluded_at__gte=period.since, concluded_at__lt=period.until, accepted_at__isnull=False)
        .annotate(accepted_on=TruncDate("accepted_at"), concluded_on=TruncDate("concluded_at"))
        .values(*([key] if key else []), "accepted_on", "concluded_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    calendar = WorkCalendar()
    result: dict[Any, Counts] = defaultdict(Counter)
    between: dict[tuple[dt.date, dt.date], int] = {}  # the same pair recurs across departments and items
    for row in rows:
        pair = (row["accepted_on"], row["concluded_on"])
        if pair not in between:
            between[pair] = max(calendar.working_days_between(*pair), 0)
        days = between[pair]
        counts = result[row[key] if key else None]
        counts["timed"] += row["n"]
        counts["working_days"] += days * row["n"]
    return result


def _grouped(queryset: QuerySet[Any], key: str | None, **aggregates: Any) -> dict[Any, Counts]:
    """One GROUP BY query on ``key`` (or one aggregate over everything when ``key`` is None)."""
    result: dict[Any, Counts] = defaultdict(Counter)
    if key is None:
        totals = queryset.order_by().aggregate(**aggregates)
        result[None].update({name: value or 0 for name, value in totals.items()})
        return result
    for row in queryset.values(key).annotate(**aggregates).order_by():
        group = row.pop(key)
        result[group].update({name: value or 0 for name, value in row.items()})
    return result


def rating_counts(*, ratings: QuerySet[Rating], period: Period, key: str | None) -> dict[Any, Counts]:
    """Ratings given in the period (those excluded on appeal left out): good (1–3), bad (4–5), and bad ones
    whose rectification was done in time."""
    bad = Q(level__in=BAD_LEVELS)
    return _grouped(
        ratings.filter(excluded=False, rated_at__gte=period.since, rated_at__lt=period.until),
        key,
        ratings=Count("pk"),
        good=Count("pk", filter=~bad),
        bad=Count("pk", filter=bad),
        bad_fixed=Count("pk", filter=bad & Q(rectification__in_time=True)),
    )


def all_counts(
    *,
    items: QuerySet[Item],
    cases: QuerySet[Case],
    ratings: QuerySet[Rating],
    period: Period,
    key: str | None,
) -> dict[Any, Counts]:
    """Every numerator and denominator per group key (``None`` key: one group for the whole scope)."""
    merged: dict[Any, Counts] = defaultdict(Counter)
    for part in (
        item_counts(items=items, key="pk" if key == "item_id" else key),
        case_counts(cases=cases, period=period, key=key),
        material_counts(cases=cases, period=period, key=key),
        working_day_counts(cases=cases, period=period, key=key),
        rating_counts(ratings=ratings, period=period, key=key),
    ):
        for group, counts in part.items():
            merged[group].update(counts)
    return merged


def rolled_up_counts(
    *,
    items: QuerySet[Item],
    department_ids: QuerySet[Any],
    item: Item | None,
    period: Period,
    key: str | None,
) -> dict[Any, Counts]:
    """The same counts as ``all_counts`` for the dashboard, read from the rollups: the period's daily rows
    summed per group key, the backlog snapshot, and the published items (small, so still live). As fresh as
    the last ``services.rollups_refresh``."""
    rollups = DailyRollup.objects.filter(
        department_id__in=department_ids, day__gte=period.start, day__lte=period.end
    )
    backlogs = BacklogSnapshot.objects.filter(department_id__in=department_ids)
    if item is not None:
        rollups, backlogs = rollups.filter(item=item), backlogs.filter(item=item)
    merged: dict[Any, Counts] = defaultdict(Counter)
    for part in (
        item_counts(items=items, key="pk" if key == "item_id" else key),
        _grouped(rollups, key, **{name: Sum(name) for name in ROLLUP_COUNTS}),
        _grouped(backlogs, key, backlog=Sum("backlog"), overdue_backlog=Sum("overdue_backlog")),
    ):
        for group, counts in part.items():
            merged[group].update(counts)
    return merged


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def figures(counts: Counts) -> list[Figure]:
    """The registry's measures from one group's counts, in the registry's order."""
    c = counts
    values: dict[str, tuple[float | None, float, float]] = {
        "online_rate": (_ratio(c["online"], c["items"]), c["online"], c["items"]),
        "fully_online_rate": (_ratio(c["zero_visits"], c["items"]), c["zero_visits"], c["items"]),
        "immediate_share": (_ratio(c["immediate"], c["items"]), c["immediate"], c["items"]),
        "compression_ratio": (
            1 - c["promised"] / c["statutory"] if c["statutory"] else None,
            c["statutory"] - c["promised"],
            c["statutory"],
        ),
        "on_time_rate": (
            _ratio(c["on_time"], c["concluded_with_due"]),
            c["on_time"],
            c["concluded_with_due"],
        ),
        "average_working_days": (_ratio(c["working_days"], c["timed"]), c["working_days"], c["timed"]),
        "average_visits": (_ratio(c["visits"], c["concluded"]), c["visits"], c["concluded"]),
        "good_rating_rate": (_ratio(c["good"], c["ratings"]), c["good"], c["ratings"]),
        "rectification_rate": (_ratio(c["bad_fixed"], c["bad"]), c["bad_fixed"], c["bad"]),
        "no_submission_rate": (_ratio(c["materials_a"], c["materials"]), c["materials_a"], c["materials"]),
        "received": (c["received"], c["received"], 1),
        "concluded": (c["concluded"], c["concluded"], 1),
        "backlog": (c["backlog"], c["backlog"], 1),
        "overdue_backlog": (c["overdue_backlog"], c["overdue_backlog"], 1),
    }
    return [Figure(m, *values[m.code]) for m in MEASURES if m.code in values]


def figure_map(counts: Counts) -> dict[str, Figure]:
    return {f.measure.code: f for f in figures(counts)}
