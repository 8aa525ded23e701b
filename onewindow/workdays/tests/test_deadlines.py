"""Legal clocks: starting, pausing (特别程序) and resuming; the due date moves by the paused working days."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.workdays.models import Deadline, DeadlinePause
from onewindow.workdays.selectors import working_days_between
from onewindow.workdays.services import deadline_pause, deadline_resume, deadline_start
from onewindow.workdays.tasks import deadlines_refresh_paused

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


@pytest.fixture
def today(monkeypatch):
    """Pin "today": an open pause runs until today, so the due date depends on it."""

    def set_today(value: str) -> None:
        monkeypatch.setattr(clock, "today", lambda: D(value))

    set_today("2026-09-07")
    return set_today


@pytest.fixture
def deadline(today) -> Deadline:
    # Ten working days from Tuesday 1 September 2026: 2, 3, 4, 7, 8, 9, 10, 11, 14, 15.
    return deadline_start(label="食品经营许可", start_on=D("2026-09-01"), working_days=10)


def test_starting_a_clock_computes_its_due_date(deadline):
    assert (deadline.due_on, deadline.provisional) == (D("2026-09-15"), False)


def test_a_clock_over_the_national_day_holidays_skips_them(today):
    deadline = deadline_start(label="许可", start_on=D("2026-09-30"), working_days=1)
    assert deadline.due_on == D("2026-10-08")


def test_a_clock_of_negative_length_is_refused(today):
    with pytest.raises(DomainError) as caught:
        deadline_start(label="许可", start_on=D("2026-09-01"), working_days=-1)
    assert caught.value.code == "deadline.negative"
    assert not Deadline.objects.exists()


def test_resuming_moves_the_due_date_by_the_paused_working_days(deadline, supervisor):
    deadline_pause(actor=supervisor, deadline=deadline, start_on=D("2026-09-08"), reason="组织听证")
    deadline_resume(actor=supervisor, deadline=deadline, end_on=D("2026-09-10"))
    deadline.refresh_from_db()
    assert deadline.due_on == D("2026-09-18")
    assert working_days_between(D("2026-09-15"), deadline.due_on) == 3


def test_a_pause_over_a_weekend_only_costs_its_working_days(deadline, supervisor):
    deadline_pause(actor=supervisor, deadline=deadline, start_on=D("2026-09-11"), reason="现场核查")
    deadline_resume(actor=supervisor, deadline=deadline, end_on=D("2026-09-14"))  # Fri–Mon
    deadline.refresh_from_db()
    assert deadline.due_on == D("2026-09-17")


def test_an_open_pause_counts_until_today(deadline, supervisor, today):
    today("2026-09-09")
    deadline_pause(actor=supervisor, deadline=deadline, start_on=D("2026-09-08"), reason="专家评审")
    deadline.refresh_from_db()
    assert deadline.due_on == D("2026-09-17")


def test_the_periodic_refresh_moves_a_still_paused_clock_each_working_day(deadline, supervisor, today):
    deadline_pause(actor=supervisor, deadline=deadline, start_on=D("2026-09-08"), reason="检验检测")
    deadline.refresh_from_db()
    assert deadline.due_on == D("2026-09-16")
    today("2026-09-10")
    assert deadlines_refresh_paused.call() == 1
    deadline.refresh_from_db()
    assert deadline.due_on == D("2026-09-18")


def test_the_periodic_refresh_leaves_clocks_without_an_open_pause_alone(deadline, supervisor, today):
    resumed = deadline_start(label="药品经营许可", start_on=D("2026-09-01"), working_days=10)
    deadline_pause(actor=supervisor, deadline=resumed, start_on=D("2026-09-02"), reason="现场核查")
    deadline_resume(actor=supervisor, deadline=resumed, end_on=D("2026-09-03"))
    # Stale stored due dates: only a recomputation would correct them, and none is due for these clocks.
    Deadline.objects.filter(pk__in=[deadline.pk, resumed.pk]).update(due_on=D("2026-12-31"))
    today("2026-09-10")
    assert deadlines_refresh_paused.call() == 0
    assert set(Deadline.objects.values_list("due_on", flat=True)) == {D("2026-12-31")}


def test_pausing_a_paused_clock_is_a_conflict(deadline, supervisor):
    deadline_pause(actor=supervisor, deadline=deadline, start_on=D("2026-09-08"), reason="组织听证")
    with pytest.raises(DomainError) as caught:
        deadline_pause(actor=supervisor, deadline=deadline, start_on=D("2026-09-09"), reason="再次暂停")
    assert (caught.value.code, caught.value.status) == ("deadline.already_paused", 409)
    assert deadline.pauses.count() == 1


def test_a_pause_overlapping_an_earlier_one_is_a_conflict(deadline, supervisor):
    deadline_pause(actor=supervisor, deadline=deadline, start_on=D("2026-09-08"), reason="组织听证")
    deadline_resume(actor=supervisor, deadline=deadline, end_on=D("2026-09-10"))
    with pytest.raises(DomainError) as caught:
        deadline_pause(actor=supervisor, deadline=deadline, start_on=D("2026-09-10"), reason="现场核查")
    assert caught.value.status == 409


def test_a_second_pause_after_resuming_is_allowed(deadline, supervisor):
    deadline_pause(actor=supervisor, deadline=deadline, start_on=D("2026-09-08"), reason="组织听证")
    deadline_resume(actor=supervisor, deadline=deadline, end_on=D("2026-09-08"))
    deadline_pause(actor=supervisor, deadline=deadline, start_on=D("2026-09-10"), reason="现场核查")
    deadline_resume(actor=supervisor, deadline=deadline, end_on=D("2026-09-10"))
    deadline.refresh_from_db()
    assert deadline.due_on == D("2026-09-17")


def test_resuming_a_running_clock_is_refused(deadline, supervisor):
    with pytest.raises(DomainError) as caught:
        deadline_resume(actor=supervisor, deadline=deadline, end_on=D("2026-09-10"))
    assert (caught.value.code, caught.value.status) == ("deadline.not_paused", 409)


def test_resuming_before_the_pause_began_is_refused(deadline, supervisor):
    deadline_pause(actor=supervisor, deadline=deadline, start_on=D("2026-09-08"), reason="组织听证")
    with pytest.raises(DomainError) as caught:
        deadline_resume(actor=supervisor, deadline=deadline, end_on=D("2026-09-07"))
    assert caught.value.code == "deadline.resume_before_pause"
    assert DeadlinePause.objects.get().end_on is None


def test_a_pause_needs_a_reason(deadline, supervisor):
    with pytest.raises(DomainError) as caught:
        deadline_pause(actor=supervisor, deadline=deadline, start_on=D("2026-09-08"), reason="  ")
    assert caught.value.code == "deadline.reason_required"
    assert not DeadlinePause.objects.exists()


def test_a_pause_before_the_clock_started_is_refused(deadline, supervisor):
    with pytest.raises(DomainError) as caught:
        deadline_pause(actor=supervisor, deadline=deadline, start_on=D("2026-08-31"), reason="组织听证")
    assert caught.value.code == "deadline.pause_before_start"


def test_pausing_and_resuming_are_audited(deadline, supervisor):
    deadline_pause(actor=supervisor, deadline=deadline, start_on=D("2026-09-08"), reason="组织听证")
    deadline_resume(actor=supervisor, deadline=deadline, end_on=D("2026-09-10"))
    entries = AuditEntry.objects.filter(target_id=str(deadline.pk)).order_by("seq")
    assert [(e.action, e.actor_id) for e in entries] == [
        ("deadline.pause", supervisor.pk),
        ("deadline.resume", supervisor.pk),
    ]
    assert entries[0].changes == {"from": "2026-09-08", "reason": "组织听证"}
    assert entries[1].changes == {"due_on": ["2026-09-16", "2026-09-18"]}
