"""The measures rollups' one writer: ``rollups_refresh`` recomputes the daily rollups of the days whose cases,
materials, ratings or rectifications changed since the previous refresh (all days on the first run or with
``full``), and replaces the backlog snapshot. The scheduler runs it (``tasks.analytics_rollup_job``) and so
does ``onewindow analytics_rollup [--full]``.

A day is always recomputed whole from the source tables (delete its rows, write them again), so a refresh is
idempotent and a day touched twice is simply counted again. Refreshes are serialised by an advisory lock on
PostgreSQL (SQLite's single writer serialises them anyway), so two runs at once cannot interleave deletes
and inserts."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from onewindow.analytics.models import ROLLUP_COUNTS, BacklogSnapshot, DailyRollup, RollupRun
from onewindow.cases.models import OPEN_STATUSES, Case, CaseMaterial, TrustLevel
from onewindow.core import clock
from onewindow.core.services import audit_record
from onewindow.ratings.models import BAD_LEVELS, Rating, Rectification
from onewindow.workdays.calendar import WorkCalendar

# Rows saved just before a refresh started may commit just after it read the changes; looking back this far
# past the previous refresh's start catches them (recomputing a day twice costs nothing but time).
WATERMARK_OVERLAP = dt.timedelta(minutes=10)
_LOCK_KEY = 0x0A11_0115  # "analytics, issue 15": any constant no other advisory lock uses
_BATCH = 2000

Key = tuple[dt.date, Any, Any]  # (local day, department id, item id)


def rollups_refresh(*, full: bool = False) -> RollupRun:
    """Recompute the rollups of the changed days (every day when ``full`` or on the first run) and the backlog
    snapshot; return the run, recorded with one audit entry."""
    # Compared with the rows' ``updated_at`` (auto_now: Django's clock), so taken from the same clock.
    started = timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        previous = RollupRun.objects.order_by("-started_at").first()
        full = full or previous is None
        days = None if full else _changed_days(since=previous.started_at - WATERMARK_OVERLAP)  # type: ignore[union-attr]
        counts = _day_counts(days)
        if days is None:
            DailyRollup.objects.all().delete()
        else:
            for chunk in _chunks(sorted(days), 500):
                DailyRollup.objects.filter(day__in=chunk).delete()
        DailyRollup.objects.bulk_create(
            (
                DailyRollup(day=day, department_id=department, item_id=item, **values)
                for (day, department, item), values in counts.items()
            ),
            batch_size=_BATCH,
        )
        _backlog_snapshot()
        run = RollupRun.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            full=full,
            days=len({key[0] for key in counts}) if days is None else len(days),
            rows=len(counts),
        )
        audit_record(
            actor=None,
            action="analytics.rollup_refresh",
            target=run,
            changes={"full": full, "days": run.days, "rows": run.rows},
        )
    return run


def _changed_days(*, since: dt.datetime) -> set[dt.date]:
    """The local days whose figures may have changed: those of the cases, materials, ratings and
    rectifications saved since ``since``, plus today and yesterday (what changes most)."""
    today = clock.today()
    days = {today, today - dt.timedelta(days=1)}
    cases = Case.objects.filter(updated_at__gte=since, bundle__isnull=True)
    days |= _days_of(cases, "submitted_at") | _days_of(cases, "concluded_at")
    days |= _days_of(CaseMaterial.objects.filter(updated_at__gte=since), "case__submitted_at")
    days |= _days_of(Rating.objects.filter(updated_at__gte=since), "rated_at")
    days |= _days_of(Rectification.objects.filter(updated_at__gte=since), "rating__rated_at")
    return days


def _days_of(queryset: QuerySet[Any], field: str) -> set[dt.date]:
    return set(
        queryset.filter(**{f"{field}__isnull": False})
        .annotate(local_day=TruncDate(field))
        .values_list("local_day", flat=True)
        .order_by()
        .distinct()
    )


def _within(field: str, days: set[dt.date] | None) -> Q:
    """``field`` on one of ``days`` (local dates), as index-friendly [since, until) ranges of consecutive
    days; every non-null value when ``days`` is None."""
    if days is None:
        return Q(**{f"{field}__isnull": False})
    zone = timezone.get_current_timezone()
    condition = Q(pk__in=[])
    for first, last in _runs(sorted(days)):
        since = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
        until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        condition |= Q(**{f"{field}__gte": since, f"{field}__lt": until})
    return condition


def _runs(days: list[dt.date]) -> Iterable[tuple[dt.date, dt.date]]:
    """Consecutive days merged: [1, 2, 3, 7] → (1, 3), (7, 7)."""
    start = end = days[0] if days else None
    for day in days[1:]:
        if day == end + dt.timedelta(days=1):  # type: ignore[operator]
            end = day
            continue
        yield start, end  # type: ignore[misc]
        start = end = day
    if start is not None:
        yield start, end  # type: ignore[misc]


def _day_counts(days: set[dt.date] | None) -> dict[Key, Counter[str]]:
    """Every count of the rollups per (day, department, item) for ``days`` (all days when None), each from
    one grouped query on its source table — the same conditions as the live ``figures`` functions."""
    result: dict[Key, Counter[str]] = defaultdict(Counter)

    def add(rows: Iterable[Any], day: str, department: str, item: str) -> None:
        for row in rows:
            key = (row.pop(day), row.pop(department), row.pop(item))
            result[key].update({name: value or 0 for name, value in row.items()})

    cases = Case.objects.filter(bundle__isnull=True)
    received = cases.filter(_within("submitted_at", days)).annotate(on=TruncDate("submitted_at"))
    add(
        received.values("on", "department_id", "item_id").annotate(received=Count("pk")).order_by(),
        "on",
        "department_id",
        "item_id",
    )
    materials = CaseMaterial.objects.filter(case__in=received.values("pk")).annotate(
        on=TruncDate("case__submitted_at")
    )
    add(
        materials.values("on", "case__department_id", "case__item_id")
        .annotate(materials=Count("pk"), materials_a=Count("pk", filter=Q(trust_level=TrustLevel.A)))
        .order_by(),
        "on",
        "case__department_id",
        "case__item_id",
    )
    concluded = cases.filter(_within("concluded_at", days)).annotate(on=TruncDate("concluded_at"))
    add(
        concluded.values("on", "department_id", "item_id")
        .annotate(
            concluded=Count("pk"),
            concluded_with_due=Count("pk", filter=Q(deadline__isnull=False)),
            on_time=Count("pk", filter=Q(on__lte=F("deadline__due_on"))),
            visits=Sum("item_version__onsite_visits"),
        )
        .order_by(),
        "on",
        "department_id",
        "item_id",
    )
    _add_working_days(result, concluded.filter(accepted_at__isnull=False))
    bad = Q(level__in=BAD_LEVELS)
    ratings = Rating.objects.filter(_within("rated_at", days), excluded=False).annotate(
        on=TruncDate("rated_at")
    )
    add(
        ratings.values("on", "department_id", "item_id")
        .annotate(
            ratings=Count("pk"),
            good=Count("pk", filter=~bad),
            bad=Count("pk", filter=bad),
            bad_fixed=Count("pk", filter=bad & Q(rectification__in_time=True)),
        )
        .order_by(),
        "on",
        "department_id",
        "item_id",
    )
    return {key: Counter({name: counts[name] for name in ROLLUP_COUNTS}) for key, counts in result.items()}


def _add_working_days(result: dict[Key, Counter[str]], concluded: QuerySet[Case]) -> None:
    """Working days from acceptance to conclusion: the database counts the cases per (accepted on, concluded
    on) pair and the official calendar counts each distinct pair's working days once (as
    ``figures.working_day_counts``)."""
    rows = (
        concluded.annotate(accepted_on=TruncDate("accepted_at"))
        .values("on", "department_id", "item_id", "accepted_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    calendar = WorkCalendar()
    between: dict[tuple[dt.date, dt.date], int] = {}
    for row in rows:
        pair = (row["accepted_on"], row["on"])
        if pair not in between:
            between[pair] = max(calendar.working_days_between(*pair), 0)
        counts = result[(row["on"], row["department_id"], row["item_id"])]
        counts["timed"] += row["n"]
        counts["working_days"] += between[pair] * row["n"]


def _backlog_snapshot() -> None:
    """The open cases now, and those past their due date, per (department, item): replaced whole."""
    open_now = Case.objects.filter(bundle__isnull=True, status__in=OPEN_STATUSES)
    rows = (
        open_now.values("department_id", "item_id")
        .annotate(
            backlog=Count("pk"),
            overdue_backlog=Count("pk", filter=Q(deadline__due_on__lt=clock.today())),
        )
        .order_by()
    )
    BacklogSnapshot.objects.all().delete()
    BacklogSnapshot.objects.bulk_create((BacklogSnapshot(**row) for row in rows), batch_size=_BATCH)


def _chunks(values: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
