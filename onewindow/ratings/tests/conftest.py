"""Ratings fixtures: a case of department A brought to an end state through the cases services, and the
department's head (a call-back role)."""

from __future__ import annotations

import pytest

from onewindow.cases import services as case_services
from onewindow.cases.models import ConclusionCode
from onewindow.cases.tests.factories import case_in_state, case_item
from onewindow.organisations.models import Role
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def item(department_a):
    return case_item(department=department_a, name="食品经营许可")


@pytest.fixture
def approver_a(department_a):
    return MembershipFactory(
        user=UserFactory(username="approver_a", is_staff=True), department=department_a, role=Role.APPROVER
    ).user


@pytest.fixture
def head_a(department_a):
    return MembershipFactory(
        user=UserFactory(username="head_a", is_staff=True, email="head@example.org"),
        department=department_a,
        role=Role.HEAD,
    ).user


@pytest.fixture
def concluded_case(citizen, item, clerk_a, approver_a, at):
    case = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
    case_services.case_process_start(case=case, actor=clerk_a)
    case.refresh_from_db()
    return case_services.case_conclude(
        case=case, actor=approver_a, code=ConclusionCode.APPROVED, result="许可证"
    )


@pytest.fixture
def refused_case(citizen, item, clerk_a, at):
    case = case_in_state("submitted", user=citizen, item=item)
    return case_services.case_refuse(case=case, clerk=clerk_a, reason="不属于本机关职权范围")
