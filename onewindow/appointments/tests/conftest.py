from __future__ import annotations

import datetime as dt

import pytest

from onewindow.appointments import services
from onewindow.appointments.models import Slot
from onewindow.catalogue.tests.factories import published_item
from onewindow.queueing.tests.factories import hall_build

TOMORROW = dt.date(2026, 9, 30)  # the suite's pinned day is Tuesday 2026-09-29


@pytest.fixture
def hall(at, centre, department_a, window_clerk):
    hall = hall_build(
        centre=centre,
        department=department_a,
        item=published_item(department=department_a, name="食品经营许可"),
        clerk=window_clerk,
    )
    services.slots_generate(actor=None, line=hall.line, day_from=TOMORROW, day_to=TOMORROW, capacity=1)
    return hall


@pytest.fixture
def slot(hall):
    return Slot.objects.filter(line=hall.line).order_by("starts_at").first()
