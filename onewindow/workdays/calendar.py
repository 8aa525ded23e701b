"""Working-day arithmetic for the legal clock (行政许可法 art. 82: time limits count working days).

Rules: Monday–Friday are working days unless listed as a holiday; a weekend day listed as an adjusted
working day (调休) is a working day. Counting starts the day after the start date, so "1 working day after
2026-09-30" is 2026-10-08 — the start date's own kind never matters. Paused intervals (特别程序) are closed
date ranges whose working days are not counted. A year with no official list is computed Mon–Fri and any
result touching it is provisional.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction

from onewindow.workdays.models import CalendarDay, CalendarYear, DayKind

Pause = tuple[dt.date, dt.date]
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class DueDate:
    """A computed date and whether any year it was counted over lacks an official holiday list."""

    date: dt.date
    provisional: bool


# A year of the calendar is shared between requests through the cache under a generation that every write
# of the calendar's services replaces (``calendar_generation_bump``); the TTL bounds what a write outside them
# (a data migration) leaves stale. Loading 2026 and 2027 twice was 6 of the busy inbox's 14 statements.
YEAR_CACHE_SECONDS = 300
_GENERATION_KEY = "workdays:calendar-generation"


def calendar_generation() -> str:
    value = cache.get(_GENERATION_KEY)
    if value is None:
        cache.add(_GENERATION_KEY, uuid.uuid4().hex[:12], timeout=None)
        value = cache.get(_GENERATION_KEY) or "0"
    return str(value)


def calendar_generation_bump() -> None:
    """Forget every cached year: now (this transaction's own reads) and again on commit (a reader in between
    may have cached the old days under the first new generation)."""

    def bump() -> None:
        cache.set(_GENERATION_KEY, uuid.uuid4().hex[:12], timeout=None)

    bump()
    transaction.on_commit(bump)


def _shareable() -> bool:
    return not connection.in_atomic_block


class WorkCalendar:
    """Loads the calendar a year at a time (from the shared cache, else two queries per year) and answers
    working-day questions."""

    def __init__(self) -> None:
        self._overrides: dict[dt.date, bool] = {}
        self._loaded: set[int] = set()
        self._official: set[int] = set()
        self._generation: str | None = None

    def _load(self, year: int) -> None:
        if year in self._loaded:
            return
        if self._generation is None:
            self._generation = calendar_generation()
        key = f"workdays:year:{self._generation}:{year}"
        cached = cache.get(key)
        if not isinstance(cached, tuple):
            overrides = {
                day.date: day.kind == DayKind.WORKDAY
                for day in CalendarDay.objects.filter(date__year=year).only("date", "kind")
            }
            cached = (overrides, CalendarYear.objects.filter(year=year).exists())
            # Only what is committed is shared: inside a transaction these rows may be its own uncommitted
            # writes (an import recomputing deadlines), which a rollback would leave in the cache.
            if _shareable():
                cache.set(key, cached, YEAR_CACHE_SECONDS)
        overrides, official = cached
        self._overrides.update(overrides)
        if official:
            self._official.add(year)
        self._loaded.add(year)

    def is_official(self, year: int) -> bool:
        self._load(year)
        return year in self._official

    def is_working_day(self, day: dt.date) -> bool:
        self._load(day.year)
        return self._overrides.get(day, day.weekday() < 5)

    def _provisional(self, start: dt.date, end: dt.date) -> bool:
        return any(not self.is_official(year) for year in range(start.year, end.year + 1))

    def add_working_days(self, start: dt.date, days: int, pauses: Sequence[Pause] = ()) -> DueDate:
        """The ``days``-th counted working day after ``start`` (``start`` itself when ``days`` is 0)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day, counted = start, 0
        while counted < days:
            day += ONE_DAY
            if self.is_working_day(day) and not _paused(day, pauses):
                counted += 1
        return DueDate(day, self._provisional(start, day))

    def working_days_between(self, start: dt.date, end: dt.date, pauses: Sequence[Pause] = ()) -> int:
        """Counted working days in (start, end]; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.working_days_between(end, start, pauses)
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_working_day(day) and not _paused(day, pauses):
                count += 1
        return count

    def days_in(self, year: int) -> Iterable[tuple[dt.date, bool]]:
        """Every date of ``year`` with whether it is a working day."""
        day = dt.date(year, 1, 1)
        while day.year == year:
            yield day, self.is_working_day(day)
            day += ONE_DAY


def _paused(day: dt.date, pauses: Sequence[Pause]) -> bool:
    return any(start <= day <= end for start, end in pauses)
