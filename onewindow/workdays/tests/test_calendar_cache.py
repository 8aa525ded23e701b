"""The working-day calendar is shared between requests through the cache, and a change through the calendar's
services is seen at once (issue #18: loading the calendar was 6 of the busy inbox's 14 statements)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.workdays import calendar
from onewindow.workdays.calendar import WorkCalendar
from onewindow.workdays.services import calendar_day_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def outside_transactions(monkeypatch):
    """Each test runs inside a transaction, where nothing is shared: act as a request outside one does."""
    monkeypatch.setattr(calendar, "_shareable", lambda: True)


D = dt.date.fromisoformat


def test_a_second_calendar_reads_the_year_from_the_cache(outside_transactions):
    with CaptureQueriesContext(connection) as first:
        WorkCalendar().is_working_day(D("2031-03-04"))
    assert len(first) == 2
    with CaptureQueriesContext(connection) as second:
        assert WorkCalendar().is_working_day(D("2031-03-04"))
    assert len(second) == 0


def test_a_day_set_through_the_service_is_seen_at_once(outside_transactions):
    assert WorkCalendar().is_working_day(D("2031-03-04"))
    calendar_day_set(actor=None, date=D("2031-03-04"), kind="holiday", name="临时假日", source="测试")
    assert not WorkCalendar().is_working_day(D("2031-03-04"))


def test_inside_a_transaction_nothing_is_shared():
    assert connection.in_atomic_block  # the test's own transaction
    WorkCalendar().is_working_day(D("2032-03-04"))
    with CaptureQueriesContext(connection) as after:
        WorkCalendar().is_working_day(D("2032-03-04"))
    assert len(after) == 2
