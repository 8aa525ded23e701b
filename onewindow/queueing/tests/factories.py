"""A hall ready to queue in: department A stationed at the comprehensive window of the suite's ``centre``,
two comprehensive windows serving its item, opening hours, one line "A" called from both windows, and the
``window_clerk`` on duty at window 01 today. The appointments tests build on it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from onewindow.core import clock
from onewindow.halls import services as hall_services
from onewindow.halls.models import ServiceCentre, Window
from onewindow.queueing import services
from onewindow.queueing.models import QueueLine

MORNING = (dt.time(9), dt.time(12))
AFTERNOON = (dt.time(13, 30), dt.time(17))


@dataclass
class Hall:
    centre: ServiceCentre
    item: Any
    window_1: Window
    window_2: Window
    line: QueueLine


def hall_build(*, centre: ServiceCentre, department: Any, item: Any, clerk: Any) -> Hall:
    stationing = hall_services.stationing_create(
        actor=None,
        centre=centre,
        department=department,
        mode="comprehensive",
        stationed_on=dt.date(2024, 1, 2),
    )
    hall_services.stationing_items_set(actor=None, stationing=stationing, items=[item])
    hall_services.opening_periods_set(
        actor=None, centre=centre, periods=[(d, *p) for d in range(5) for p in (MORNING, AFTERNOON)]
    )
    window_1 = hall_services.window_create(
        actor=None, centre=centre, number="01", label="综合受理", kind="comprehensive", items=[item]
    )
    window_2 = hall_services.window_create(
        actor=None, centre=centre, number="02", label="综合受理", kind="comprehensive", items=[item]
    )
    line = services.queue_line_create(
        actor=None, centre=centre, name="综合业务", prefix="A", windows=[window_1, window_2]
    )
    hall_services.window_duty_set(actor=None, window=window_1, user=clerk, day=clock.today())
    return Hall(centre=centre, item=item, window_1=window_1, window_2=window_2, line=line)
