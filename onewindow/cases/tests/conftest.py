"""Case fixtures: an item of department A, an approver and a reviewer there, and a private media directory
(so a test can see that a refused upload wrote nothing); the pinned clock ``at`` is in the root conftest."""

from __future__ import annotations

import pytest

from onewindow.cases.tests.factories import case_item
from onewindow.organisations.models import Role
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def item(department_a):
    return case_item(department=department_a, name="食品经营许可")


def _staff(username, department, role):
    return MembershipFactory(
        user=UserFactory(username=username, is_staff=True), department=department, role=role
    ).user


@pytest.fixture
def approver_a(department_a):
    return _staff("approver_a", department_a, Role.APPROVER)


@pytest.fixture
def head_a(department_a):
    """The head of department A (负责人): approves extensions."""
    return _staff("head_a", department_a, Role.HEAD)


@pytest.fixture
def reviewer_a(department_a):
    return _staff("reviewer_a", department_a, Role.REVIEWER)
