"""The demo service catalogue: real items of 福州市 departments, life-event bundles, themes, the negative list
and the intermediary directory, kept as the catalogue's own text exchange files (catalogue_exchange/*.csv) and
loaded through the same importer a province uses (catalogue.exchange): every row checked, codes and quality
rules enforced, published and audited. ``only_missing``: loading again never overwrites an edited item.

catalogue_exchange/item_keys.csv gives the demo's own short names for its items (demo/workflow.py builds the
demo processes by them); it is not part of the exchange.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from onewindow.catalogue.exchange.columns import (
    BUNDLE_SHEET,
    INSTITUTION_SHEET,
    NEGATIVE_LIST_SHEET,
    SERVICE_SHEET,
)
from onewindow.catalogue.exchange.spreadsheet import catalogue_import
from onewindow.catalogue.exchange.textfiles import text_workbook_read

EXCHANGE_DIR = Path(__file__).resolve().parent / "catalogue_exchange"


@cache
def demo_item_keys() -> dict[str, str]:
    """The demo's item keys ("company-setup") and their implementation codes, in the catalogue's order."""
    with (EXCHANGE_DIR / "item_keys.csv").open(encoding="utf-8", newline="") as file:
        return {row["key"]: row["implementation_code"] for row in csv.DictReader(file)}


def catalogue_load() -> dict[str, int]:
    """Import whatever part of the demo catalogue is missing; return how many of each thing were created."""
    result = catalogue_import(
        actor=None, file=text_workbook_read(EXCHANGE_DIR), publish=True, only_missing=True
    )
    return {
        "themes": result.themes,
        "items": result.created,
        "bundles": result.lists.get(BUNDLE_SHEET, 0),
        "negative_list": result.lists.get(NEGATIVE_LIST_SHEET, 0),
        "intermediaries": result.lists.get(SERVICE_SHEET, 0),
        "intermediary_institutions": result.lists.get(INSTITUTION_SHEET, 0),
    }
