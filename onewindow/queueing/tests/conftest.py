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
