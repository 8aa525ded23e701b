"""Calendar reads: working-day questions and what administrators must be warned about."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from onewindow.core import clock
from onewindow.workdays.calendar import DueDate, WorkCalendar
from onewindow.workdays.models import CalendarDay, CalendarYear, Deadline


def working_day_is(day: dt.date) -> bool:
    return WorkCalendar().is_working_day(day)


def working_days_add(
    start: dt.date, days: int, pauses: list[tuple[dt.date, dt.date]] | None = None
) -> DueDate:
    return WorkCalendar().add_working_days(start, days, pauses or ())


def working_days_between(
    start: dt.date, end: dt.date, pauses: list[tuple[dt.date, dt.date]] | None = None
) -> int:
    return WorkCalendar().working_days_between(start, end, pauses or ())


def calendar_days_of_year(year: int) -> QuerySet[CalendarDay]:
    return CalendarDay.objects.filter(date__year=year).order_by("date")


def calendar_day_get(day: dt.date) -> CalendarDay | None:
    """The listed holiday or make-up day on ``day``, if any."""
    return CalendarDay.objects.filter(date=day).first()


@dataclass(frozen=True)
class CalendarWarning:
    """A year the platform counts deadlines in without an official holiday list."""

    year: int
    provisional_deadlines: int


def calendar_warnings() -> list[CalendarWarning]:
    """This year and next, when their official list is missing: administrators must import it (the State
    Council publishes it in late autumn)."""
    this_year = clock.today().year
    official = set(
        CalendarYear.objects.filter(year__in=[this_year, this_year + 1]).values_list("year", flat=True)
    )
    return [
        CalendarWarning(
            year=year,
            provisional_deadlines=Deadline.objects.filter(provisional=True, due_on__year__gte=year).count(),
        )
        for year in (this_year, this_year + 1)
        if year not in official
    ]
