"""The exchange workbook as text: a folder with one UTF-8 CSV file per sheet (``事项.csv``, ``材料.csv``,
``一件事.csv`` …), the same headers and cells as the .xlsx. Read by the same importer (it only needs a sheet's
rows), written by the same exporter. The demo catalogue is kept this way in git (onewindow/demo/catalogue_exchange)
because a binary .xlsx shows no diff and changes bytes (timestamps) on every save; a text file shows which
cell of which item changed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from onewindow.catalogue.exchange.columns import ALL_SHEETS


class TextSheet:
    def __init__(self, rows: list[list[str]]) -> None:
        self.rows = rows

    def iter_rows(self, values_only: bool = True) -> Iterator[tuple[str, ...]]:
        # The subset of openpyxl's worksheet the importer uses.
        return (tuple(row) for row in self.rows)


class TextWorkbook:
    """Sheets by name, each a list of rows (the first is the header), read like an openpyxl workbook."""

    def __init__(self, sheets: dict[str, list[list[str]]]) -> None:
        self.sheets = sheets

    @property
    def sheetnames(self) -> list[str]:
        return list(self.sheets)

    def __getitem__(self, name: str) -> TextSheet:
        return TextSheet(self.sheets[name])


def text_workbook_read(folder: Path) -> TextWorkbook:
    """The sheets of a folder: every ``<sheet>.csv`` whose name is a sheet of the exchange."""
    sheets = {}
    for name in ALL_SHEETS:
        path = folder / f"{name}.csv"
        if path.exists():
            with path.open(encoding="utf-8", newline="") as file:
                sheets[name] = list(csv.reader(file))
    return TextWorkbook(sheets)


def text_workbook_write(folder: Path, rows: dict[str, list[list[Any]]]) -> None:
    """Write each sheet's rows (headers added) as ``<sheet>.csv``; byte-identical for identical rows."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, sheet_rows in rows.items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([column.header for column in ALL_SHEETS[name]])
        writer.writerows(["" if value is None else value for value in row] for row in sheet_rows)
        (folder / f"{name}.csv").write_text(buffer.getvalue(), encoding="utf-8")
