"""Working-day arithmetic on the seeded official calendar (2004–2026) and on years without an official list."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onewindow.workdays.calendar import WorkCalendar
from onewindow.workdays.selectors import working_day_is, working_days_add, working_days_between

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    "day",
    ["2026-09-25", "2026-09-26", "2026-09-27", *(f"2026-10-0{n}" for n in range(1, 8))],
)
def test_2026_mid_autumn_and_national_day_holidays_are_rest_days(day):
    assert working_day_is(D(day)) is False


@pytest.mark.parametrize("day", ["2026-09-20", "2026-10-10"])
def test_2026_adjusted_weekend_working_days_are_working_days(day):
    assert D(day).weekday() >= 5
    assert working_day_is(D(day)) is True


def test_an_ordinary_weekend_is_a_rest_day():
    assert working_day_is(D("2026-09-19")) is False


def test_one_working_day_after_30_september_2026_is_8_october():
    assert working_days_add(D("2026-09-30"), 1).date == D("2026-10-08")


def test_counting_skips_the_holidays_and_uses_the_adjusted_saturday():
    assert working_days_add(D("2026-09-30"), 3).date == D("2026-10-10")


def test_a_start_on_a_holiday_counts_from_the_next_working_day():
    assert working_days_add(D("2026-10-03"), 1).date == D("2026-10-08")


def test_a_start_on_an_adjusted_working_day_counts_from_the_day_after():
    assert working_days_add(D("2026-10-10"), 1).date == D("2026-10-12")


def test_zero_working_days_is_the_start_date_itself_even_on_a_holiday():
    assert working_days_add(D("2026-10-03"), 0).date == D("2026-10-03")


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        WorkCalendar().add_working_days(D("2026-09-30"), -1)


def test_working_days_between_counts_the_end_but_not_the_start():
    assert working_days_between(D("2026-09-30"), D("2026-10-08")) == 1
    assert working_days_between(D("2026-09-18"), D("2026-09-21")) == 2  # Sunday 20th is a working day


def test_working_days_between_is_negative_when_the_end_is_before_the_start():
    assert working_days_between(D("2026-10-08"), D("2026-09-30")) == -1


def test_working_days_between_the_same_date_is_zero():
    assert working_days_between(D("2026-10-08"), D("2026-10-08")) == 0


def test_adding_skips_the_working_days_of_a_pause():
    pauses = [(D("2026-10-08"), D("2026-10-09"))]
    assert working_days_add(D("2026-09-30"), 1, pauses).date == D("2026-10-10")


def test_working_days_between_leaves_out_a_pause():
    pauses = [(D("2026-10-08"), D("2026-10-09"))]
    assert working_days_between(D("2026-09-30"), D("2026-10-12")) == 4
    assert working_days_between(D("2026-09-30"), D("2026-10-12"), pauses) == 2


def test_a_pause_over_holidays_only_costs_nothing():
    pauses = [(D("2026-10-01"), D("2026-10-07"))]
    assert working_days_add(D("2026-09-30"), 1, pauses).date == D("2026-10-08")


def test_results_in_an_officially_listed_year_are_not_provisional():
    assert working_days_add(D("2026-09-30"), 1).provisional is False


def test_a_year_without_an_official_list_is_computed_monday_to_friday():
    calendar = WorkCalendar()
    assert calendar.is_official(2027) is False
    assert calendar.is_working_day(D("2027-01-01")) is True  # a Friday; 元旦 is not known yet
    assert calendar.is_working_day(D("2027-01-02")) is False


def test_a_result_counted_into_an_unlisted_year_is_provisional():
    due = working_days_add(D("2026-12-30"), 3)
    assert due.date == D("2027-01-04")
    assert due.provisional is True


def test_a_span_touching_an_unlisted_year_is_provisional_even_when_it_ends_before_it():
    assert WorkCalendar().add_working_days(D("2027-03-01"), 0).provisional is True


def test_the_calendar_loads_each_year_once(django_assert_max_num_queries):
    calendar = WorkCalendar()
    with django_assert_max_num_queries(4):
        calendar.add_working_days(D("2026-12-01"), 40)
        calendar.working_days_between(D("2026-01-01"), D("2027-12-31"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2027, 12, 31)),
    days=st.integers(min_value=0, max_value=80),
)
def test_working_days_between_undoes_add_working_days(start, days):
    calendar = WorkCalendar()
    assert calendar.working_days_between(start, calendar.add_working_days(start, days).date) == days


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2026, 6, 30)),
    days=st.integers(min_value=0, max_value=40),
    pause_offset=st.integers(min_value=0, max_value=30),
    pause_length=st.integers(min_value=0, max_value=20),
)
def test_working_days_between_undoes_add_working_days_with_a_pause(start, days, pause_offset, pause_length):
    pause_start = start + dt.timedelta(days=pause_offset)
    pauses = [(pause_start, pause_start + dt.timedelta(days=pause_length))]
    calendar = WorkCalendar()
    due = calendar.add_working_days(start, days, pauses)
    assert calendar.working_days_between(start, due.date, pauses) == days


def test_the_workdays_add_command_prints_the_due_date():
    out = StringIO()
    call_command("workdays", "add", "2026-09-30", "1", stdout=out)
    assert out.getvalue().strip() == "2026-10-08"


def test_the_workdays_add_command_says_when_the_result_is_provisional():
    out = StringIO()
    call_command("workdays", "add", "2026-12-30", "3", stdout=out)
    assert out.getvalue().startswith("2027-01-04")
    assert "provisional" in out.getvalue()


def test_the_workdays_between_command_prints_the_count():
    out = StringIO()
    call_command("workdays", "between", "2026-09-30", "2026-10-08", stdout=out)
    assert out.getvalue().strip() == "1"


def test_the_workdays_is_command_names_the_kind_of_day():
    out = StringIO()
    call_command("workdays", "is", "2026-10-10", stdout=out)
    call_command("workdays", "is", "2026-10-01", stdout=out)
    assert out.getvalue().split("\n")[:2] == ["working day", "rest day"]


def test_the_workdays_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("workdays", "add", "2026-13-01", "1")


def test_the_workdays_command_refuses_negative_days():
    with pytest.raises(CommandError):
        call_command("workdays", "add", "2026-09-30", "-1")
