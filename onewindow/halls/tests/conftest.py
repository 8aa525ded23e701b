"""Halls fixtures: department A stationed at the comprehensive window of the suite's ``centre`` (run by the
approval ``bureau``, worked by ``window_clerk``: all three in the root conftest), and the bureau's admin."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.catalogue.tests.factories import published_item
from onewindow.halls import services
from onewindow.organisations.models import Role
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def item_a(department_a):
    return published_item(department=department_a, name="食品经营许可")


@pytest.fixture
def stationing_a(centre, department_a, item_a):
    stationing = services.stationing_create(
        actor=None,
        centre=centre,
        department=department_a,
        mode="comprehensive",
        stationed_on=dt.date(2024, 1, 2),
    )
    services.stationing_items_set(actor=None, stationing=stationing, items=[item_a])
    return stationing


@pytest.fixture
def bureau_admin(bureau):
    return MembershipFactory(
        user=UserFactory(username="bureau_admin", is_staff=True),
        department=bureau,
        role=Role.DEPARTMENT_ADMIN,
    ).user
