"""Items and materials as an .xlsx workbook, in the layout provincial catalogues circulate: sheet 事项 (one row
per item), sheet 材料 (one row per material, joined by 实施编码) and a 说明 sheet describing every column.
The columns and their cell formats are in columns.py, the export in export.py, the other sheets (themes,
life events, negative list, intermediaries) in lists.py and the text variant (one CSV per sheet) in textfiles.py.

Import checks every row before writing anything (progress is reported row by row), then writes every item
through the catalogue services in one transaction: a problem anywhere, found while checking or while
writing, and nothing is written — the DomainError lists each problem with its sheet, row and column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from onewindow.catalogue import services
from onewindow.catalogue.exchange.columns import (
    ITEM_COLUMNS,
    ITEM_SHEET,
    LIST_SHEETS,
    MATERIAL_COLUMNS,
    MATERIAL_SHEET,
    SEPARATORS,
)
from onewindow.catalogue.exchange.export import (  # noqa: F401 (the exchange's public names, used by views)
    XLSX_TYPE,
    catalogue_sheets,
    catalogue_workbook,
    export_versions,
)
from onewindow.catalogue.exchange.lists import (
    ListRow,
    list_row_write,
    lists_check,
    themes_check,
)
from onewindow.catalogue.exchange.rows import Checker as _Checker
from onewindow.catalogue.exchange.rows import cells_parse as _parse_cells
from onewindow.catalogue.exchange.rows import sheet_rows as _read_sheet
from onewindow.catalogue.exchange.textfiles import TextWorkbook
from onewindow.catalogue.models import (
    BasicItem,
    ImportJobStatus,
    Item,
    ItemVersion,
    Material,
    Theme,
    VersionStatus,
)
from onewindow.catalogue.quality import item_version_quality_problems
from onewindow.core.errors import DomainError, FieldProblem
from onewindow.core.identifiers import basic_code_check
from onewindow.core.services import audit_record
from onewindow.organisations.models import Department, Region

# A change note is required from version 2 on (it is shown in the public change log).
IMPORT_CHANGE_NOTE = "通过电子表格导入调整"


# --- import ---------------------------------------------------------------------------------------------


@dataclass
class _Row:
    """One parsed 事项 row and the materials that belong to it."""

    number: int
    cells: dict[str, str]
    guide: dict[str, Any] = field(default_factory=dict)
    code: str = ""
    basic_code: str = ""
    basic_name: str = ""
    department: Department | None = None
    region: Region | None = None
    item: Item | None = None
    themes: list[Theme] | None = None
    joint_departments: list[Department] | None = None
    change_note: str = ""
    materials: list[dict[str, Any]] | None = None
    material_rows: list[int] = field(default_factory=list)
    popularity: int | None = None
    skip: bool = False  # an existing item left alone (``only_missing``)


@dataclass
class ImportResult:
    """What an import wrote."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    published: int = 0
    themes: int = 0
    lists: dict[str, int] = field(default_factory=dict)  # rows written per list sheet


def _lookup_departments(raw: str) -> tuple[list[Department], list[str]]:
    wanted = [part.upper() for part in SEPARATORS.split(raw) if part]
    found = {d.credit_code: d for d in Department.objects.filter(credit_code__in=wanted)}
    return [found[c] for c in wanted if c in found], [c for c in wanted if c not in found]


def _lookup_themes(raw: str, pending: dict[str, Theme]) -> tuple[list[Theme], list[str]]:
    """Themes by code or (unique) name, among the catalogue's and those the workbook's 主题 sheet defines."""
    wanted = [part for part in SEPARATORS.split(raw) if part]
    themes, unknown = [], []
    known = {theme.code: theme for theme in Theme.objects.all()} | pending
    for word in wanted:
        matches = [known[word]] if word in known else [t for t in known.values() if t.name == word]
        if len(matches) == 1:
            themes.append(matches[0])
        else:
            unknown.append(word)
    return themes, unknown


def _check_item_row(
    checker: _Checker,
    row: _Row,
    departments: QuerySet[Department] | None,
    publish: bool,
    themes: dict[str, Theme] | None = None,
    only_missing: bool = False,
) -> None:
    sheet, before = ITEM_SHEET, len(checker.problems)
    row.guide = _parse_cells(checker, sheet, row.number, row.cells, ITEM_COLUMNS)
    refs = {c.field: row.guide.pop(c.field) for c in ITEM_COLUMNS if c.kind == "ref" and c.field in row.guide}
    row.change_note = refs.get("change_note", "")
    if popularity := refs.get("popularity", ""):
        if not popularity.isdigit():
            checker.add(sheet, row.number, "热度", "cell.int", f"“{popularity}”应为不小于 0 的整数。")
        else:
            row.popularity = int(popularity)

    credit_code = refs.get("department_code", "").upper()
    row.department = Department.objects.select_related("region").filter(credit_code=credit_code).first()
    if credit_code and row.department is None:
        checker.add(
            sheet, row.number, "实施主体编码", "department.unknown", f"实施主体“{credit_code}”不存在。"
        )
    elif (
        row.department is not None
        and departments is not None
        and not departments.filter(pk=row.department.pk).exists()
    ):
        checker.add(
            sheet, row.number, "实施主体编码", "forbidden", f"您无权管理“{row.department.name}”的事项。"
        )
    row.region = row.department.region if row.department else None
    if region_code := refs.get("region_code"):
        row.region = Region.objects.filter(code=region_code).first()
        if row.region is None:
            checker.add(
                sheet, row.number, "行政区划代码", "region.unknown", f"行政区划代码“{region_code}”不存在。"
            )
    if "joint_departments" in refs:
        row.joint_departments, unknown = _lookup_departments(refs["joint_departments"])
        if unknown:
            checker.add(
                sheet, row.number, "联办机构", "department.unknown", f"联办机构不存在：{'、'.join(unknown)}。"
            )
    if "themes" in refs:
        row.themes, unknown = _lookup_themes(refs["themes"], themes or {})
        if unknown:
            checker.add(
                sheet, row.number, "主题", "theme.unknown", f"主题不存在或不唯一：{'、'.join(unknown)}。"
            )

    row.basic_name = row.guide.get("name", "")
    if basic_code := refs.get("basic_code"):
        try:
            row.basic_code = basic_code_check(basic_code)
        except DomainError as error:
            checker.add(sheet, row.number, "基本编码", error.code, error.message)
        else:
            if row.guide.get("item_type") and row.basic_code[2:4] != row.guide["item_type"]:
                checker.add(
                    sheet,
                    row.number,
                    "基本编码",
                    "basic_code.item_type_mismatch",
                    f"基本编码“{row.basic_code}”的事项类型位（第 3–4 位）与事项类型“{row.guide['item_type']}”不一致。",
                )
    if row.department is None or not row.basic_code or "level" not in row.guide:
        return
    # Known even when other cells are wrong, so the row's materials are still matched to it.
    row.code = f"{row.department.credit_code}{row.guide['level']}{row.basic_code}"
    given = refs.get("implementation_code", "").upper()
    if given and given != row.code:
        checker.add(
            sheet,
            row.number,
            "实施编码",
            "implementation_code.mismatch",
            f"实施编码“{given}”与实施主体编码、行使层级和基本编码不一致（应为“{row.code}”）。",
        )
        return
    row.item = Item.objects.filter(implementation_code=row.code).select_related("region").first()
    if row.item is not None and only_missing:
        row.skip = True
        return
    if row.item is not None:
        if row.item.versions.filter(status=VersionStatus.IN_REVIEW).exists():
            checker.add(
                sheet,
                row.number,
                "实施编码",
                "version.in_review",
                "该事项有正在审核的版本，审核完成后再导入。",
            )
        if row.item.region_id != row.region.pk:  # type: ignore[union-attr]
            checker.add(
                sheet, row.number, "行政区划代码", "item.region_changed", "已有事项的区划不能通过导入修改。"
            )
    if len(checker.problems) == before:
        _check_version_fields(checker, row, publish)


def _check_version_fields(checker: _Checker, row: _Row, publish: bool) -> None:
    """The model's own checks (and, when publishing, the quality rules) on an unsaved copy of the guide."""
    base = {}
    if row.item is not None:
        current = row.item.versions.order_by("-number").first()
        base = {name: getattr(current, name) for name in services.GUIDE_FIELDS} if current else {}
    version = ItemVersion(number=1, **(base | row.guide))
    try:
        version.full_clean(
            exclude=["item", "result_sample"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            checker.add(
                ITEM_SHEET, row.number, checker.field_header(ITEM_SHEET, name), "invalid", "；".join(messages)
            )
        return
    if version.promised_days > version.statutory_days:
        checker.add(
            ITEM_SHEET,
            row.number,
            "承诺办结时限",
            "version.promised_over_statutory",
            "承诺办结时限不能超过法定办结时限。",
        )
    if publish:
        version.item = row.item or Item(
            implementation_code=row.code,
            department=row.department,
            basic=BasicItem(basic_code=row.basic_code, item_type=version.item_type),
        )
        for problem in item_version_quality_problems(version):
            if problem.field != "materials":  # materials are checked when written
                checker.add(
                    ITEM_SHEET,
                    row.number,
                    checker.field_header(ITEM_SHEET, problem.field),
                    problem.code,
                    problem.message,
                )


def _check_material_row(
    checker: _Checker, number: int, cells: dict[str, str]
) -> tuple[str, dict[str, Any]] | None:
    values = _parse_cells(checker, MATERIAL_SHEET, number, cells, MATERIAL_COLUMNS)
    code = values.pop("implementation_code", "").upper()
    before = len(checker.problems)
    material = Material(**{"order": 0} | values)
    try:
        material.full_clean(
            exclude=["version", "blank_form", "sample"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            checker.add(
                MATERIAL_SHEET,
                number,
                checker.field_header(MATERIAL_SHEET, name),
                "invalid",
                "；".join(messages),
            )
    return (code, values) if len(checker.problems) == before else None


def _load_workbook(file: BinaryIO | TextWorkbook) -> Any:
    from openpyxl import load_workbook

    if isinstance(file, TextWorkbook):
        return file
    try:
        return load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise DomainError(code="import.not_xlsx", message="文件不是有效的 Excel 工作簿（.xlsx）。") from exc


Progress = Callable[[str, int, int], None]


def _refuse(problems: list[FieldProblem]) -> DomainError:
    return DomainError(
        code="import.rows_invalid",
        message=f"导入未执行：共有 {len(problems)} 处问题，请修改后重新导入（未写入任何数据）。",
        problems=problems,
    )


def catalogue_import(
    *,
    actor: Any | None,
    file: BinaryIO | TextWorkbook,
    departments: QuerySet[Department] | None = None,
    publish: bool = False,
    progress: Progress | None = None,
    only_missing: bool = False,
    may_import_lists: bool | None = None,
) -> ImportResult:
    """Import a workbook of items (sheet 事项) and materials (sheet 材料).

    A row whose 实施编码 is new creates the item (a draft v1); an existing one gets a new draft version (or
    its open draft is updated); a row equal to the item's current version is left alone. ``departments``
    limits whose items may be imported (None: any); ``publish`` submits and publishes every imported version
    with ``actor`` as the reviewer. ``only_missing`` leaves every item, bundle, theme or list entry that
    already exists alone (the demo's loading). ``file`` is an .xlsx file or a text workbook (textfiles.py).
    The other sheets (主题, 一件事 …, lists.py) are for platform administrators: ``may_import_lists``
    (default: when ``departments`` is None). All or nothing (see the module docstring).
    """
    report = progress or (lambda stage, done, total: None)
    workbook = _load_workbook(file)
    item_rows = _read_sheet(workbook, ITEM_SHEET)
    if item_rows is None:
        raise DomainError(code="import.no_sheets", message=f"工作簿中没有“{ITEM_SHEET}”工作表。")
    material_rows = _read_sheet(workbook, MATERIAL_SHEET)
    total = len(item_rows) + len(material_rows or [])
    checker = _Checker()
    if not (departments is None if may_import_lists is None else may_import_lists):
        for sheet in LIST_SHEETS:
            if _read_sheet(workbook, sheet):
                checker.add(sheet, None, "", "forbidden", f"只有平台管理员可以导入“{sheet}”工作表。")
    themes = themes_check(workbook, checker, only_missing=only_missing)
    rows: list[_Row] = []
    by_code: dict[str, _Row] = {}
    report(ImportJobStatus.CHECKING, 0, total)
    for done, (number, cells) in enumerate(item_rows, start=1):
        row = _Row(number=number, cells=cells)
        _check_item_row(checker, row, departments, publish, themes, only_missing)
        if row.code in by_code:
            checker.add(
                ITEM_SHEET,
                number,
                "实施编码",
                "item.duplicate_row",
                f"与第 {by_code[row.code].number} 行是同一事项。",
            )
        elif row.code:
            by_code[row.code] = row
            row.materials = None if material_rows is None else []
        rows.append(row)
        report(ImportJobStatus.CHECKING, done, total)
    for done, (number, cells) in enumerate(material_rows or [], start=len(item_rows) + 1):
        parsed = _check_material_row(checker, number, cells)
        if parsed is not None:
            code, values = parsed
            owner = by_code.get(code)
            if owner is not None and owner.skip:
                continue
            if owner is None or owner.materials is None:
                checker.add(
                    MATERIAL_SHEET,
                    number,
                    "实施编码",
                    "material.item_unknown",
                    f"“{code}”不是“事项”表中的事项。",
                )
            elif any(m["key"] == values["key"] for m in owner.materials):
                checker.add(
                    MATERIAL_SHEET,
                    number,
                    "材料编码",
                    "material.duplicate_key",
                    f"同一事项中材料编码“{values['key']}”重复。",
                )
            else:
                # Without a 序号 column the sheet's order is the checklist's order.
                owner.materials.append({"order": len(owner.materials) + 1} | values)
                owner.material_rows.append(number)
        report(ImportJobStatus.CHECKING, done, total)
    list_rows = lists_check(workbook, checker, item_codes=set(by_code), only_missing=only_missing)
    if checker.problems:
        raise _refuse(checker.problems)

    report(ImportJobStatus.WRITING, total, total)
    new_themes = [theme for theme in themes.values() if theme._state.adding or not only_missing]
    return _write(actor=actor, rows=rows, publish=publish, themes=new_themes, list_rows=list_rows)


@transaction.atomic
def _write(
    *, actor: Any | None, rows: list[_Row], publish: bool, themes: list[Theme], list_rows: list[ListRow]
) -> ImportResult:
    result = ImportResult()
    checker = _Checker()
    for theme in themes:
        theme.save()
        result.themes += 1
    for row in rows:
        if row.skip:
            result.unchanged += 1
            continue
        savepoint = transaction.savepoint()
        try:
            _write_row(actor=actor, row=row, publish=publish, result=result)
        except DomainError as error:
            transaction.savepoint_rollback(savepoint)
            for problem in error.problems or [FieldProblem(field="", code=error.code, message=error.message)]:
                if problem.field == "materials":
                    checker.add(
                        MATERIAL_SHEET,
                        (row.material_rows or [row.number])[0],
                        "材料名称",
                        problem.code,
                        problem.message,
                    )
                else:
                    column = checker.field_header(ITEM_SHEET, problem.field) if problem.field else "实施编码"
                    checker.add(ITEM_SHEET, row.number, column, problem.code, problem.message)
        else:
            transaction.savepoint_commit(savepoint)
    for list_row in list_rows:
        savepoint = transaction.savepoint()
        try:
            list_row_write(actor=actor, row=list_row)
        except DomainError as error:
            transaction.savepoint_rollback(savepoint)
            checker.add(list_row.sheet, list_row.number, "", error.code, error.message)
        else:
            transaction.savepoint_commit(savepoint)
            result.lists[list_row.sheet] = result.lists.get(list_row.sheet, 0) + 1
    if checker.problems:
        transaction.set_rollback(True)
        raise _refuse(checker.problems)
    audit_record(
        actor=actor,
        action="catalogue.import",
        changes={
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "published": result.published,
            "themes": result.themes,
            **result.lists,
        },
    )
    return result


def _same(version: ItemVersion, row: _Row) -> bool:
    """The row says exactly what this version already says (so importing it again changes nothing)."""
    if any(getattr(version, name) != value for name, value in row.guide.items()):
        return False
    for relation, wanted in (("themes", row.themes), ("joint_departments", row.joint_departments)):
        if wanted is not None and {o.pk for o in getattr(version, relation).all()} != {o.pk for o in wanted}:
            return False
    if row.materials is None:
        return True
    defaults = {name: getattr(Material(), name) for name in services.MATERIAL_FIELDS}
    current = [[getattr(m, name) for name in services.MATERIAL_FIELDS] for m in version.materials.all()]
    wanted_rows = [[(defaults | m)[name] for name in services.MATERIAL_FIELDS] for m in row.materials]
    return current == wanted_rows


def _write_row(*, actor: Any | None, row: _Row, publish: bool, result: ImportResult) -> None:
    relations: dict[str, Any] = {
        "materials": row.materials,
        "themes": row.themes,
        "joint_departments": row.joint_departments,
    }
    if row.item is None:
        assert row.department is not None and row.region is not None  # checked before writing
        basic = services.basic_item_ensure(
            actor=actor, basic_code=row.basic_code, name=row.basic_name, item_type=row.guide["item_type"]
        )
        version = services.item_create(
            actor=actor, basic=basic, department=row.department, region=row.region, **relations, **row.guide
        )
        if row.change_note:
            services.item_version_update(actor=actor, version=version, change_note=row.change_note)
        result.created += 1
    else:
        newest = row.item.versions.order_by("-number").first()
        if newest is not None and not newest.is_editable() and _same(newest, row):
            if row.popularity is not None and row.popularity != row.item.popularity:
                Item.objects.filter(pk=row.item.pk).update(popularity=row.popularity)
            result.unchanged += 1
            return
        if newest is None or not newest.is_editable():
            newest = services.item_version_new_draft(
                actor=actor, item=row.item, change_note=row.change_note or IMPORT_CHANGE_NOTE
            )
        version = services.item_version_update(
            actor=actor,
            version=newest,
            change_note=row.change_note or newest.change_note,
            **relations,
            **row.guide,
        )
        result.updated += 1
    if row.popularity is not None and row.popularity != version.item.popularity:
        Item.objects.filter(pk=version.item_id).update(popularity=row.popularity)
    if publish:
        # Submitted by the import itself (no person), so the administrator who ran it may be the reviewer.
        services.item_version_submit(actor=None, version=version)
        services.item_version_review(actor=actor, version=version, approve=True, opinion="电子表格导入")
        result.published += 1
