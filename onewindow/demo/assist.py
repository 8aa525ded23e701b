"""Demo assisted services: a village service station (便民服务站) whose staff file for residents (帮办代办), read
from ``assist.json``, and the elderly mode's items, read from ``elderly_items.csv`` (implementation code and
the short label shown on the tile). Created through the halls and assist services like real data, and only
where missing."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model

from onewindow.assist.models import FeaturedItem, FeaturedList
from onewindow.assist.services import featured_items_set
from onewindow.catalogue.models import Item
from onewindow.halls.models import ServiceCentre
from onewindow.halls.services import centre_create, window_clerk_assign
from onewindow.organisations.models import Department, Region

POINTS_FILE = Path(__file__).with_name("assist.json")
ELDERLY_ITEMS_FILE = Path(__file__).with_name("elderly_items.csv")


def assist_demo_load(*, departments: dict[str, Department]) -> dict[str, int]:
    """Create the demo grassroots points and the elderly mode's list if missing; return how many."""
    created = {"grassroots_points": 0, "elderly_items": 0}
    data: dict[str, Any] = json.loads(POINTS_FILE.read_text(encoding="utf-8"))
    for spec in data["points"]:
        if ServiceCentre.objects.filter(name=spec["name"]).exists():
            continue
        centre = centre_create(
            actor=None,
            name=spec["name"],
            kind=spec["kind"],
            region=Region.objects.get(code=spec["region"]),
            window_department=departments[spec["window_department"]],
            address=spec["address"],
            opening_hours=spec["opening_hours"],
            phone=spec["phone"],
        )
        created["grassroots_points"] += 1
        for username in spec["window_clerks"]:
            window_clerk_assign(
                actor=None, centre=centre, user=get_user_model().objects.get(username=username)
            )
    if not FeaturedItem.objects.filter(listing=FeaturedList.ELDERLY).exists():
        with ELDERLY_ITEMS_FILE.open(encoding="utf-8", newline="") as file:
            rows = list(csv.DictReader(file))
        items = Item.objects.filter(
            implementation_code__in=[row["implementation_code"] for row in rows],
            published_version__isnull=False,
        ).in_bulk(field_name="implementation_code")
        entries = [
            (items[row["implementation_code"]], row["label"])
            for row in rows
            if row["implementation_code"] in items
        ]
        created["elderly_items"] = len(
            featured_items_set(actor=None, listing=FeaturedList.ELDERLY, entries=entries)
        )
    return created
