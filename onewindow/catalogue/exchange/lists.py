"""The catalogue's other sheets, next to 事项 and 材料: themes (主题), life-event bundles (一件事, 一件事事项), the
market-access negative list (负面清单), intermediary services (中介服务) and institutions (中介机构).

Every sheet is optional. Rows are matched by their code (a bundle, theme, entry or service code, an
institution's credit code): a new code is created, a known one is replaced by the row (``only_missing``: left
alone). Items are referred to by 实施编码 — an item already in the catalogue or one of the same workbook's 事项
rows. Checked with the item rows (spreadsheet.py) before anything is written; written in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from onewindow.catalogue import services
from onewindow.catalogue.exchange.columns import (
    BUNDLE_COLUMNS,
    BUNDLE_ITEM_COLUMNS,
    BUNDLE_ITEM_SHEET,
    BUNDLE_SHEET,
    INSTITUTION_COLUMNS,
    INSTITUTION_SHEET,
    LIST_SHEETS,
    NEGATIVE_LIST_COLUMNS,
    NEGATIVE_LIST_SHEET,
    SEPARATORS,
    SERVICE_COLUMNS,
    SERVICE_SHEET,
    THEME_COLUMNS,
    THEME_SHEET,
    Column,
    cell_out,
)
from onewindow.catalogue.exchange.rows import Checker, cells_parse, sheet_rows
from onewindow.catalogue.models import (
    Bundle,
    IntermediaryInstitution,
    IntermediaryService,
    Item,
    NegativeListEntry,
    Theme,
)
from onewindow.core.errors import DomainError
from onewindow.core.identifiers import credit_code_check
from onewindow.organisations.models import Department, Region

# --- export ----------------------------------------------------------------------------------------------


def _row(columns: tuple[Column, ...], obj: Any, refs: dict[str, str]) -> list[Any]:
    return [refs[c.field] if c.kind == "ref" else cell_out(c, getattr(obj, c.field)) for c in columns]


def _codes(items: Any) -> str:
    return "、".join(sorted(item.implementation_code for item in items))


def list_sheets_rows(*, item_codes: set[str] | None = None) -> dict[str, list[list[Any]]]:
    """The rows of the other sheets (headers not included). ``item_codes``: only bundles whose items are all
    among them, and only those items in the lists' item cells (a department's export)."""

    def kept(items: Any) -> list[Item]:
        return [i for i in items if item_codes is None or i.implementation_code in item_codes]

    rows: dict[str, list[list[Any]]] = {sheet: [] for sheet in LIST_SHEETS}
    for theme in Theme.objects.order_by("audience", "order", "code"):
        rows[THEME_SHEET].append(_row(THEME_COLUMNS, theme, {}))
    for bundle in Bundle.objects.order_by("code").prefetch_related("entries__item"):
        entries = sorted(bundle.entries.all(), key=lambda e: (e.order, e.stage, e.pk))
        if item_codes is not None and any(e.item.implementation_code not in item_codes for e in entries):
            continue
        rows[BUNDLE_SHEET].append(_row(BUNDLE_COLUMNS, bundle, {}))
        for entry in entries:
            refs = {"bundle_code": bundle.code, "implementation_code": entry.item.implementation_code}
            rows[BUNDLE_ITEM_SHEET].append(_row(BUNDLE_ITEM_COLUMNS, entry, refs))
    for listed in NegativeListEntry.objects.order_by("code").prefetch_related("items"):
        rows[NEGATIVE_LIST_SHEET].append(
            _row(NEGATIVE_LIST_COLUMNS, listed, {"items": _codes(kept(listed.items.all()))})
        )
    services_ = IntermediaryService.objects.order_by("code").select_related("department")
    for service in services_.prefetch_related("items"):
        refs = {"department_code": service.department.credit_code, "items": _codes(kept(service.items.all()))}
        rows[SERVICE_SHEET].append(_row(SERVICE_COLUMNS, service, refs))
    institutions = IntermediaryInstitution.objects.order_by("credit_code").select_related("region")
    for institution in institutions.prefetch_related("services"):
        refs = {
            "region_code": institution.region.code,
            "services": "、".join(sorted(s.code for s in institution.services.all())),
        }
        rows[INSTITUTION_SHEET].append(_row(INSTITUTION_COLUMNS, institution, refs))
    return rows


# --- import ----------------------------------------------------------------------------------------------


@dataclass
class ListRow:
    """One checked row of a list sheet: its values and the codes it refers to (resolved when written)."""

    sheet: str
    number: int
    code: str
    values: dict[str, Any]
    refs: dict[str, Any] = field(default_factory=dict)


@dataclass
class ListRows:
    themes: dict[str, Theme] = field(default_factory=dict)  # code -> unsaved or existing theme
    rows: list[ListRow] = field(default_factory=list)
    bundle_entries: dict[str, list[tuple[int, str, int, bool]]] = field(default_factory=dict)


def _words(raw: str) -> list[str]:
    return [part for part in SEPARATORS.split(raw) if part]


def themes_check(workbook: Any, checker: Checker, *, only_missing: bool) -> dict[str, Theme]:
    """The themes the 主题 sheet names, unsaved where new, so the 事项 rows may use them."""
    themes: dict[str, Theme] = {}
    known = {theme.code: theme for theme in Theme.objects.all()}
    for number, cells in sheet_rows(workbook, THEME_SHEET) or []:
        before = len(checker.problems)
        values = cells_parse(checker, THEME_SHEET, number, cells, THEME_COLUMNS)
        code = values.get("code", "")
        if not code or len(checker.problems) > before:
            continue
        if code in themes:
            checker.add(THEME_SHEET, number, "主题代码", "theme.duplicate_row", f"主题代码“{code}”重复。")
            continue
        theme = known.get(code)
        if theme is None or not only_missing:
            theme = theme or Theme(code=code)
            for name, value in values.items():
                setattr(theme, name, value)
            try:
                theme.full_clean(validate_unique=False)
            except Exception as error:  # ValidationError: one message per field
                for name, messages in getattr(error, "message_dict", {"code": [str(error)]}).items():
                    checker.add(
                        THEME_SHEET,
                        number,
                        checker.field_header(THEME_SHEET, name),
                        "invalid",
                        "；".join(messages),
                    )
                continue
        themes[code] = theme
    return themes


def lists_check(
    workbook: Any, checker: Checker, *, item_codes: set[str], only_missing: bool
) -> list[ListRow]:
    """Check every row of the bundle, negative-list and intermediary sheets; ``item_codes`` are the 事项 rows'."""
    known_items = item_codes | set(Item.objects.values_list("implementation_code", flat=True))
    rows: list[ListRow] = []

    def parse(sheet: str, columns: tuple[Column, ...], model: Any) -> list[ListRow]:
        parsed, seen = [], set()
        existing = set(
            model.objects.values_list(
                "credit_code" if model is IntermediaryInstitution else "code", flat=True
            )
        )
        for number, cells in sheet_rows(workbook, sheet) or []:
            values = cells_parse(checker, sheet, number, cells, columns)
            refs = {c.field: values.pop(c.field) for c in columns if c.kind == "ref" and c.field in values}
            key_field = "credit_code" if model is IntermediaryInstitution else "code"
            code = values.get(key_field, "")
            if code in seen:
                checker.add(
                    sheet, number, checker.field_header(sheet, key_field), "row.duplicate", f"“{code}”重复。"
                )
                continue
            seen.add(code)
            for name in ("items",):
                unknown = [c for c in _words(refs.get(name, "")) if c.upper() not in known_items]
                if unknown:
                    checker.add(
                        sheet, number, "对应事项", "item.unknown", f"事项不存在：{'、'.join(unknown)}。"
                    )
            if code and not (only_missing and code in existing):
                parsed.append(ListRow(sheet=sheet, number=number, code=code, values=values, refs=refs))
        return parsed

    bundles = parse(BUNDLE_SHEET, BUNDLE_COLUMNS, Bundle)
    bundle_codes = {row.code for row in bundles} | set(Bundle.objects.values_list("code", flat=True))
    entries: dict[str, list[ListRow]] = {}
    for number, cells in sheet_rows(workbook, BUNDLE_ITEM_SHEET) or []:
        values = cells_parse(checker, BUNDLE_ITEM_SHEET, number, cells, BUNDLE_ITEM_COLUMNS)
        bundle_code, code = values.pop("bundle_code", ""), values.pop("implementation_code", "").upper()
        if bundle_code and bundle_code not in bundle_codes:
            checker.add(
                BUNDLE_ITEM_SHEET,
                number,
                "一件事编码",
                "bundle.unknown",
                f"“{bundle_code}”不是“一件事”表中的一件事。",
            )
        if code and code not in known_items:
            checker.add(BUNDLE_ITEM_SHEET, number, "实施编码", "item.unknown", f"事项“{code}”不存在。")
        entry = ListRow(
            sheet=BUNDLE_ITEM_SHEET, number=number, code=code, values={"order": 0, "stage": 1} | values
        )
        entries.setdefault(bundle_code, []).append(entry)
    for row in bundles:
        row.refs["entries"] = sorted(entries.get(row.code, []), key=lambda e: (e.values["order"], e.number))
        if len(row.refs["entries"]) < 2:
            checker.add(
                BUNDLE_SHEET,
                row.number,
                "一件事编码",
                "bundle.too_few_items",
                "“一件事”至少包含两个事项（见“一件事事项”表）。",
            )
    rows += bundles
    rows += parse(NEGATIVE_LIST_SHEET, NEGATIVE_LIST_COLUMNS, NegativeListEntry)
    services_ = parse(SERVICE_SHEET, SERVICE_COLUMNS, IntermediaryService)
    for row in services_:
        credit_code = row.refs.get("department_code", "").upper()
        if not Department.objects.filter(credit_code=credit_code).exists():
            checker.add(
                SERVICE_SHEET,
                row.number,
                "主管部门编码",
                "department.unknown",
                f"主管部门“{credit_code}”不存在。",
            )
    rows += services_
    service_codes = {row.code for row in services_} | set(
        IntermediaryService.objects.values_list("code", flat=True)
    )
    institutions = parse(INSTITUTION_SHEET, INSTITUTION_COLUMNS, IntermediaryInstitution)
    for row in institutions:
        try:
            checked = credit_code_check(row.code)
        except DomainError as error:
            checker.add(INSTITUTION_SHEET, row.number, "统一社会信用代码", error.code, error.message)
        else:
            # A checksum warning is for a person to confirm on a form; a file has no one to confirm it.
            if checked.warnings:
                checker.add(
                    INSTITUTION_SHEET,
                    row.number,
                    "统一社会信用代码",
                    "credit_code.checksum",
                    f"统一社会信用代码有误：{'；'.join(checked.warnings)}。",
                )
        if not Region.objects.filter(code=row.refs.get("region_code", "")).exists():
            checker.add(
                INSTITUTION_SHEET, row.number, "行政区划代码", "region.unknown", "行政区划代码不存在。"
            )
        unknown = [c for c in _words(row.refs.get("services", "")) if c not in service_codes]
        if unknown:
            checker.add(
                INSTITUTION_SHEET,
                row.number,
                "中介服务",
                "service.unknown",
                f"中介服务不存在：{'、'.join(unknown)}。",
            )
    rows += institutions
    return rows


def _items(raw: str) -> list[Item]:
    codes = [code.upper() for code in _words(raw)]
    return list(Item.objects.filter(implementation_code__in=codes).order_by("implementation_code"))


def list_row_write(*, actor: Any | None, row: ListRow) -> None:
    """Write one checked row (items of this workbook are written by now); raises DomainError."""
    if row.sheet == BUNDLE_SHEET:
        found = {i.implementation_code: i for i in _items("、".join(e.code for e in row.refs["entries"]))}
        bundle = services.bundle_save(
            actor=actor,
            code=row.code,
            name=row.values["name"],
            audience=row.values["audience"],
            description=row.values["description"],
            keywords=row.values.get("keywords", ""),
            items=[
                (found[e.code], e.values["stage"], e.values.get("optional", False))
                for e in row.refs["entries"]
            ],
            field_map=row.values.get("field_map") or None,
        )
        extra = {name: row.values[name] for name in ("popularity", "is_published") if name in row.values}
        if extra:
            Bundle.objects.filter(pk=bundle.pk).update(**extra)
    elif row.sheet == NEGATIVE_LIST_SHEET:
        entry, _ = NegativeListEntry.objects.update_or_create(code=row.code, defaults=row.values)
        entry.items.set(_items(row.refs.get("items", "")))
    elif row.sheet == SERVICE_SHEET:
        department = Department.objects.get(credit_code=row.refs["department_code"].upper())
        service, _ = IntermediaryService.objects.update_or_create(
            code=row.code, defaults=row.values | {"department": department}
        )
        service.items.set(_items(row.refs.get("items", "")))
    elif row.sheet == INSTITUTION_SHEET:
        region = Region.objects.get(code=row.refs["region_code"])
        institution, _ = IntermediaryInstitution.objects.update_or_create(
            credit_code=row.code, defaults=row.values | {"region": region}
        )
        codes = _words(row.refs.get("services", ""))
        institution.services.set(IntermediaryService.objects.filter(code__in=codes))
