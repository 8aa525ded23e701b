"""Demo fee schedules: the charged demo items' fees (``fees.json``), created through ``payments.services`` like
real data. An item that already has a schedule is left alone (an administrator may have changed it)."""

from __future__ import annotations

import json
from pathlib import Path

from onewindow.catalogue.models import Item
from onewindow.payments.models import FeeItem
from onewindow.payments.services import fee_item_upsert

DATA_FILE = Path(__file__).with_name("fees.json")


def fees_demo_load() -> dict[str, int]:
    created = {"fee_items": 0}
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    items = Item.objects.select_related("department").in_bulk(
        list(data["items"]), field_name="implementation_code"
    )
    for code, fees in data["items"].items():
        item = items.get(code)
        if item is None or FeeItem.objects.filter(item=item).exists():
            continue
        for position, fee in enumerate(fees):
            fee_item_upsert(
                actor=None,
                item=item,
                code=fee["code"],
                name=fee["name"],
                amount=fee["amount"],
                payee=item.department.name,
                basis=fee["basis"],
                waivable=fee["waivable"],
                position=position,
            )
            created["fee_items"] += 1
    return created
