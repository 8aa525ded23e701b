"""Workflow fixtures: an item of department A whose cases run a joint review by departments A and B
(承办 → 联合审查 A ∥ B → 批准), staff for every step, and a helper that accepts a case (starting its process)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from onewindow.cases.tests.factories import case_in_state, case_item
from onewindow.core import clock
from onewindow.organisations.models import Role
from onewindow.workflow import services
from onewindow.workflow.bpmn import StepSpec
from onewindow.workflow.models import ProcessInstance
from tests.factories import MembershipFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture(autouse=True)
def at(monkeypatch):
    """Pin the platform clock to a local date (10:00 in Shanghai): ``at("2026-09-29")``."""

    def set_now(day: str, hour: int = 10) -> dt.datetime:
        moment = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=SHANGHAI)
        monkeypatch.setattr(clock, "now", lambda: moment)
        monkeypatch.setattr(clock, "today", lambda: moment.date())
        return moment

    set_now("2026-09-29")
    return set_now


def staff(username, department, role):
    return MembershipFactory(
        user=UserFactory(username=username, is_staff=True), department=department, role=role
    ).user


@pytest.fixture
def item(department_a):
    return case_item(department=department_a, name="食品经营许可")


@pytest.fixture
def reviewer_a(department_a):
    return staff("reviewer_a", department_a, Role.REVIEWER)


@pytest.fixture
def reviewer_a2(department_a):
    return staff("reviewer_a2", department_a, Role.REVIEWER)


@pytest.fixture
def reviewer_b(department_b):
    return staff("reviewer_b", department_b, Role.REVIEWER)


@pytest.fixture
def approver_a(department_a):
    return staff("approver_a", department_a, Role.APPROVER)


@pytest.fixture
def head_a(department_a):
    return staff("head_a", department_a, Role.DEPARTMENT_ADMIN)


def joint_steps(department_a, department_b):
    return [
        StepSpec(name="承办", role=Role.WINDOW_CLERK, limit_days=2),
        StepSpec(
            name="联合审查",
            role=Role.REVIEWER,
            limit_days=5,
            departments=(department_a.credit_code, department_b.credit_code),
        ),
        StepSpec(name="批准", role=Role.APPROVER, limit_days=1),
    ]


@pytest.fixture
def definition(platform_admin, department_a, department_b, item):
    defined = services.process_definition_generate(
        actor=platform_admin,
        key="food-licence",
        name="食品经营许可审批",
        steps=joint_steps(department_a, department_b),
    )
    services.process_assign(actor=platform_admin, item=item, key="food-licence")
    return defined


@pytest.fixture
def start(definition, citizen, item, clerk_a):
    """Accept a new case of ``item`` at the window: its process starts with the acceptance."""

    def started():
        case = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
        return ProcessInstance.objects.get(case=case)

    return started


def open_tasks(instance):
    from onewindow.workflow.models import OPEN_TASK_STATUSES

    return list(
        instance.tasks.filter(status__in=OPEN_TASK_STATUSES).select_related("department").order_by("name")
    )
