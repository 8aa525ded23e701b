"""Demo service centre: 福州市民服务中心 with the 审批局's comprehensive window and the 市场监管 and 卫健
items stationed there, read from ``halls.json`` and created through ``halls.services`` like real data.

Items are named by their department and basic catalogue code (or ``"all"`` of a department's published
items), so the file survives regenerated implementation codes. Only what is missing is created: a centre an administrator changed is left alone.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model

from onewindow.catalogue.models import Item
from onewindow.halls.models import ServiceCentre
from onewindow.halls.services import (
    centre_create,
    stationing_create,
    stationing_items_set,
    window_clerk_assign,
)
from onewindow.organisations.models import Department, Region

DATA_FILE = Path(__file__).with_name("halls.json")


def halls_demo_load(*, departments: dict[str, Department]) -> dict[str, int]:
    """Create the demo centres that do not exist yet; return how many centres and stationed items."""
    created = {"service_centres": 0, "stationed_items": 0}
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    for spec in data["centres"]:
        if ServiceCentre.objects.filter(name=spec["name"]).exists():
            continue
        centre = centre_create(
            actor=None,
            name=spec["name"],
            region=Region.objects.get(code=spec["region"]),
            window_department=departments[spec["window_department"]],
            address=spec["address"],
            opening_hours=spec["opening_hours"],
            phone=spec["phone"],
        )
        created["service_centres"] += 1
        for entry in spec["stationings"]:
            department = departments[entry["department"]]
            since = dt.date.fromisoformat(entry["stationed_on"])
            stationing = stationing_create(
                actor=None, centre=centre, department=department, mode=entry["mode"], stationed_on=since
            )
            # "all": every published item of the department (a department window takes its whole list).
            items = Item.objects.filter(department=department, published_version__isnull=False)
            if entry["items"] != "all":
                items = items.filter(basic__basic_code__in=entry["items"])
            rows = stationing_items_set(actor=None, stationing=stationing, items=items, stationed_on=since)
            created["stationed_items"] += len(rows)
        for username in spec["window_clerks"]:
            window_clerk_assign(
                actor=None, centre=centre, user=get_user_model().objects.get(username=username)
            )
    return created
