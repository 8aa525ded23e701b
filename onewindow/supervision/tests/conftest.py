"""Supervision fixtures: a department-A item whose cases run one step (承办, 2 working days), accepted cases
with their open step, and helpers that set the seeded due dates the scans are checked against."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from onewindow.cases.models import Case
from onewindow.cases.tests.factories import case_in_state, case_item
from onewindow.core import clock
from onewindow.organisations.models import Role
from onewindow.workdays.models import Deadline
from onewindow.workflow import services as workflow_services
from onewindow.workflow.bpmn import StepSpec
from onewindow.workflow.models import WorkTask
from tests.factories import MembershipFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
FAR = dt.date(2026, 12, 31)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    """Everything happens on Monday 2026-11-16, 10:00 in Shanghai, unless a test moves the clock."""

    def set_now(day: str) -> dt.datetime:
        moment = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10), tzinfo=SHANGHAI)
        monkeypatch.setattr(clock, "now", lambda: moment)
        monkeypatch.setattr(clock, "today", lambda: moment.date())
        return moment

    set_now("2026-11-16")
    return set_now


@pytest.fixture
def item(department_a):
    return case_item(department=department_a, name="食品经营许可")


@pytest.fixture
def officer_a(department_a):
    return MembershipFactory(
        user=UserFactory(username="officer_a", is_staff=True), department=department_a, role=Role.REVIEWER
    ).user


@pytest.fixture
def process(platform_admin, item):
    workflow_services.process_definition_generate(
        actor=platform_admin,
        key="food-licence",
        name="食品经营许可审批",
        steps=[StepSpec(name="承办", role=Role.WINDOW_CLERK, limit_days=2)],
    )
    workflow_services.process_assign(actor=platform_admin, item=item, key="food-licence")


def set_clock(deadline: Deadline | None, *, due_on: dt.date, start_on: dt.date, working_days: int) -> None:
    assert deadline is not None
    Deadline.objects.filter(pk=deadline.pk).update(
        due_on=due_on, start_on=start_on, working_days=working_days
    )


@pytest.fixture
def accepted(process, citizen, item, clerk_a):
    """An accepted case whose own clock is due on ``due_on`` and whose open step is due far ahead."""

    def make(due_on: dt.date, *, start_on: dt.date = dt.date(2026, 10, 19), working_days: int = 20) -> Case:
        case = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
        set_clock(case.deadline, due_on=due_on, start_on=start_on, working_days=working_days)
        for task in WorkTask.objects.filter(case=case):
            set_clock(task.deadline, due_on=FAR, start_on=start_on, working_days=2)
        WorkTask.objects.filter(case=case).update(due_on=FAR)
        return Case.objects.select_related("deadline").get(pk=case.pk)

    return make


@pytest.fixture
def approver_a(department_a):
    return MembershipFactory(
        user=UserFactory(username="approver_a", is_staff=True), department=department_a, role=Role.APPROVER
    ).user
