"""Public working-day look-ups: anyone may ask when a deadline falls."""

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from onewindow.core.errors import DomainError
from onewindow.core.schemas import COMMON_ERRORS
from onewindow.workdays.calendar import WorkCalendar
from onewindow.workdays.selectors import calendar_day_get, calendar_days_of_year

router = Router(tags=["working days"])

MIN_DATE, MAX_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _in_range(*days: dt.date) -> None:
    for day in days:
        if not MIN_DATE <= day <= MAX_DATE:
            raise DomainError(code="date.out_of_range", message="日期须在 2000-01-01 至 2100-12-31 之间。")


class DayOut(Schema):
    date: dt.date
    working_day: bool
    name: str = Field("", description="holiday or make-up day name, empty for an ordinary day")
    kind: str = Field("", description="holiday, workday (调休上班) or empty")
    provisional: bool = Field(description="true when the year has no official holiday list yet")


class AddIn(Schema):
    start: dt.date
    days: int = Field(ge=0, le=3650, description="working days to add; counting starts the day after start")


class AddOut(Schema):
    start: dt.date
    days: int
    due_on: dt.date
    provisional: bool


class BetweenIn(Schema):
    start: dt.date
    end: dt.date


class BetweenOut(Schema):
    start: dt.date
    end: dt.date
    working_days: int = Field(description="working days in (start, end]; negative if end is before start")
    provisional: bool


class YearOut(Schema):
    year: int
    official: bool
    days: list[DayOut]


@router.get("/add", response={200: AddOut, **COMMON_ERRORS}, summary="The N-th working day after a date")
def workdays_add(request: HttpRequest, query: Query[AddIn]) -> AddOut:
    _in_range(query.start)
    due = WorkCalendar().add_working_days(query.start, query.days)
    _in_range(due.date)
    return AddOut(start=query.start, days=query.days, due_on=due.date, provisional=due.provisional)


@router.get("/between", response={200: BetweenOut, **COMMON_ERRORS}, summary="Working days between two dates")
def workdays_between(request: HttpRequest, query: Query[BetweenIn]) -> BetweenOut:
    _in_range(query.start, query.end)
    if abs((query.end - query.start).days) > 3660:
        raise DomainError(code="date.span_too_long", message="两个日期相隔不能超过 10 年。")
    calendar = WorkCalendar()
    first, last = sorted((query.start, query.end))
    return BetweenOut(
        start=query.start,
        end=query.end,
        working_days=calendar.working_days_between(query.start, query.end),
        provisional=any(not calendar.is_official(y) for y in range(first.year, last.year + 1)),
    )


@router.get(
    "/year/{year}", response={200: YearOut, **COMMON_ERRORS}, summary="A year's holidays and make-up days"
)
def workdays_year(request: HttpRequest, year: int) -> YearOut:
    _in_range(dt.date(year, 1, 1) if 1 <= year <= 9999 else dt.date.min)
    official = WorkCalendar().is_official(year)
    return YearOut(
        year=year,
        official=official,
        days=[
            DayOut(
                date=d.date,
                working_day=d.kind == "workday",
                name=d.name,
                kind=d.kind,
                provisional=not official,
            )
            for d in calendar_days_of_year(year)
        ],
    )


@router.get("/day/{day}", response={200: DayOut, **COMMON_ERRORS}, summary="Whether a date is a working day")
def workdays_day(request: HttpRequest, day: dt.date) -> DayOut:
    _in_range(day)
    calendar = WorkCalendar()
    listed = calendar_day_get(day)
    return DayOut(
        date=day,
        working_day=calendar.is_working_day(day),
        name=listed.name if listed else "",
        kind=listed.kind if listed else "",
        provisional=not calendar.is_official(day.year),
    )
