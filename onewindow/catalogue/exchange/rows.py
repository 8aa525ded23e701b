"""Reading an exchange workbook's sheets into rows of cells and collecting every problem of every row (shared by
the item sheets in spreadsheet.py and the other sheets in lists.py)."""

from __future__ import annotations

from typing import Any

from onewindow.catalogue.exchange.columns import (
    ALL_SHEETS,
    HEADERS,
    CellError,
    Column,
    cell_in,
    cell_text,
)
from onewindow.core.errors import DomainError, FieldProblem


class Checker:
    """Collects every problem of every row, each with its sheet, row and column."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def add(self, sheet: str, row: int | None, column: str, code: str, message: str) -> None:
        self.problems.append(FieldProblem(field=f"{sheet}.{column}", code=code, message=message, row=row))

    def field_header(self, sheet: str, field_name: str) -> str:
        return HEADERS[sheet].get(field_name, field_name)


def sheet_rows(workbook: Any, sheet: str) -> list[tuple[int, dict[str, str]]] | None:
    if sheet not in workbook.sheetnames:
        return None
    rows = workbook[sheet].iter_rows(values_only=True)
    header = [cell_text(cell) for cell in next(rows, ())]
    missing = [c.header for c in ALL_SHEETS[sheet] if c.required and c.header not in header]
    if missing:
        raise DomainError(
            code="import.columns",
            message=f"工作表“{sheet}”缺少列：{'、'.join(missing)}。请以导出的工作簿为模板。",
        )
    result = []
    for number, values in enumerate(rows, start=2):
        row = {header[i]: cell_text(v) for i, v in enumerate(values) if i < len(header) and header[i]}
        if any(row.values()):
            result.append((number, row))
    return result


def cells_parse(
    checker: Checker, sheet: str, number: int, cells: dict[str, str], columns: tuple[Column, ...]
) -> dict[str, Any]:
    """The values of the columns present in the sheet (an absent column leaves its field as it is)."""
    values: dict[str, Any] = {}
    for column in columns:
        if column.header not in cells:
            continue
        raw = cells[column.header]
        if column.required and not raw:
            checker.add(sheet, number, column.header, "required", f"请填写{column.header}。")
            continue
        try:
            value = cell_in(column, raw)
        except CellError as error:
            checker.add(sheet, number, column.header, f"cell.{error.code}", error.message)
            continue
        if value is not None:
            values[column.field] = value
    return values
