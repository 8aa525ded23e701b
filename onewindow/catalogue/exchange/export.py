"""Exporting the catalogue exchange: the rows of every sheet (catalogue_sheets), written as an .xlsx workbook
(catalogue_workbook) or as text files (textfiles.py). Import reads exactly what this writes (spreadsheet.py)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery

from onewindow.catalogue.exchange.columns import (
    ALL_SHEETS,
    ITEM_COLUMNS,
    ITEM_SHEET,
    MATERIAL_COLUMNS,
    MATERIAL_SHEET,
    NOTES_SHEET,
    cell_out,
    column_help,
)
from onewindow.catalogue.exchange.lists import list_sheets_rows
from onewindow.catalogue.models import ItemVersion, Material, Theme, VersionStatus
from onewindow.organisations.models import Department

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- export ----------------------------------------------------------------------------------------------


def export_versions(
    *, departments: QuerySet[Department] | None = None, latest: bool = False
) -> QuerySet[ItemVersion]:
    """The versions to export: each item's published version, or (``latest``) its newest version, draft or not."""
    versions = ItemVersion.objects.all()
    if departments is not None:
        versions = versions.filter(item__department__in=departments)
    if latest:
        newest = ItemVersion.objects.filter(item=OuterRef("item")).order_by("-number").values("pk")[:1]
        versions = versions.filter(pk=Subquery(newest))
    else:
        versions = versions.filter(status=VersionStatus.PUBLISHED)
    return (
        versions.select_related("item__basic", "item__department", "item__region")
        .prefetch_related(
            Prefetch("materials", queryset=Material.objects.order_by("order", "name")),
            "themes",
            "joint_departments",
        )
        .order_by("item__implementation_code")
    )


def _item_row(version: ItemVersion, shared_names: set[str]) -> list[Any]:
    item = version.item
    refs = {
        "basic_code": item.basic.basic_code,
        "implementation_code": item.implementation_code,
        "department_name": item.department.name,
        "department_code": item.department.credit_code,
        "region_code": item.region.code,
        "joint_departments": "、".join(d.credit_code for d in version.joint_departments.all()),
        # A theme by its name, unless another theme has the same name (自然人 and 法人 lists may share one).
        "themes": "、".join(t.code if t.name in shared_names else t.name for t in version.themes.all()),
        "change_note": version.change_note,
        "popularity": item.popularity,
    }
    return [
        refs[c.field] if c.kind == "ref" else cell_out(c, getattr(version, c.field)) for c in ITEM_COLUMNS
    ]


def _material_row(material: Material, implementation_code: str) -> list[Any]:
    return [
        implementation_code if c.kind == "ref" else cell_out(c, getattr(material, c.field))
        for c in MATERIAL_COLUMNS
    ]


def catalogue_sheets(versions: Iterable[ItemVersion], *, lists: bool = False) -> dict[str, list[list[Any]]]:
    """The rows (without headers) of every sheet: 事项 and 材料 for these versions, and with ``lists`` the
    themes, bundles, negative list and intermediaries (bundles only when all their items are exported)."""
    rows: dict[str, list[list[Any]]] = {ITEM_SHEET: [], MATERIAL_SHEET: []}
    shared_names = set(
        Theme.objects.values("name").annotate(n=Count("pk")).filter(n__gt=1).values_list("name", flat=True)
    )
    codes = set()
    for version in versions:
        rows[ITEM_SHEET].append(_item_row(version, shared_names))
        code = version.item.implementation_code
        codes.add(code)
        rows[MATERIAL_SHEET].extend(_material_row(m, code) for m in version.materials.all())
    if lists:
        rows |= list_sheets_rows(item_codes=codes)
    return rows


def catalogue_workbook(versions: Iterable[ItemVersion], *, lists: bool = False) -> bytes:
    """The workbook (.xlsx bytes) of these versions: sheets 事项, 材料 (and the list sheets) and 说明."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    rows = catalogue_sheets(versions, lists=lists)
    written = {name: columns for name, columns in ALL_SHEETS.items() if name in rows}
    sheets = {name: workbook.create_sheet(name) for name in written}
    for name, columns in written.items():
        sheet = sheets[name]
        sheet.append([c.header for c in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for number, values in enumerate(rows[name], start=2):
            for index, value in enumerate(values, start=1):
                if isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell = sheet.cell(row=number, column=index, value=value)
                # Text that starts with "=" is text, not a formula (and never runs in someone's Excel).
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = (
                12 if column.kind in {"bool", "int", "code"} else 24
            )
    notes = workbook.create_sheet(NOTES_SHEET)
    notes.append(["工作表", "列", "必填", "格式与代码"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for name, columns in written.items():
        for column in columns:
            notes.append([name, column.header, "是" if column.required else "", column_help(column)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
