from __future__ import annotations

import pytest

from onewindow.catalogue.tests.factories import published_item
from onewindow.queueing.tests.factories import hall_build


@pytest.fixture
def hall(at, centre, department_a, window_clerk):
    return hall_build(
        centre=centre,
        department=department_a,
        item=published_item(department=department_a, name="食品经营许可"),
        clerk=window_clerk,
    )


@pytest.fixture
def bureau_admin(bureau):
    from onewindow.organisations.models import Role
    from tests.factories import MembershipFactory, UserFactory

    return MembershipFactory(
        user=UserFactory(username="bureau_admin", is_staff=True),
        department=bureau,
        role=Role.DEPARTMENT_ADMIN,
    ).user
