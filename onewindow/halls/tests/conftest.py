"""Halls fixtures: a city centre run by an approval bureau (department W) with department A stationed at its
comprehensive window, and a clerk of W working that window."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.catalogue.tests.factories import published_item
from onewindow.halls import services
from onewindow.organisations.models import Role
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory


@pytest.fixture
def bureau(department_a):
    """The 行政审批局 that runs the centre's comprehensive window, in department A's region."""
    return DepartmentFactory(name="福州市行政审批局", short_name="市审批局", region=department_a.region)


@pytest.fixture
def centre(bureau):
    return services.centre_create(
        actor=None,
        name="福州市民服务中心",
        region=bureau.region,
        window_department=bureau,
        address="福州市鼓楼区乌山路96号",
        opening_hours="周一至周五 8:30—17:30",
        phone="0591-87113801",
    )


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
def window_clerk(centre, bureau):
    user = MembershipFactory(
        user=UserFactory(username="window_clerk", is_staff=True), department=bureau, role=Role.WINDOW_CLERK
    ).user
    services.window_clerk_assign(actor=None, centre=centre, user=user)
    return user


@pytest.fixture
def bureau_admin(bureau):
    return MembershipFactory(
        user=UserFactory(username="bureau_admin", is_staff=True),
        department=bureau,
        role=Role.DEPARTMENT_ADMIN,
    ).user
