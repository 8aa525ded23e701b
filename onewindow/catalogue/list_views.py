"""The published lists (权力清单, 公共服务清单, the negative list, intermediary services) with their CSV, JSON
and spreadsheet exports."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from onewindow.catalogue.models import (
    IntermediaryInstitution,
    IntermediaryService,
    Item,
    ItemType,
    NegativeListEntry,
)
from onewindow.catalogue.selectors import (
    items_published,
)
from onewindow.catalogue.views import _guide, _page
from onewindow.organisations.models import Department, ExerciseLevel

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export(
    fmt: str, filename: str, sheets: list[tuple[str, list[str], Iterable[Iterable[Any]]]]
) -> HttpResponse:
    """A list as a spreadsheet (each sheet a table) or as CSV (the first sheet; UTF-8 with a BOM so Excel
    reads the Chinese correctly)."""
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        for title, headers, rows in sheets:
            sheet = workbook.create_sheet(title)
            sheet.append(headers)
            for row in rows:
                sheet.append(["" if value is None else value for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        extension = "xlsx"
    else:
        buffer_text = io.StringIO()
        writer = csv.writer(buffer_text)
        _, headers, rows = sheets[0]
        writer.writerow(headers)
        writer.writerows(rows)
        response = HttpResponse("\ufeff" + buffer_text.getvalue(), content_type="text/csv; charset=utf-8")
        extension = "csv"
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.{extension}")
    return response


def _uuid_or_blank(value: str | None) -> str:
    """A department filter from the query string; anything that is not an id means no filter."""
    try:
        return str(uuid.UUID(value or ""))
    except ValueError:
        return ""


def _export_format(request: HttpRequest) -> str | None:
    fmt = request.GET.get("format")
    return fmt if fmt in ("xlsx", "csv") else None


LIST_TITLES = {"power": "权力清单", "public-services": "公共服务清单"}


@require_safe
def item_type_list(request: HttpRequest, kind: str) -> HttpResponse:
    """The power list (权力清单) or the public service list (公共服务清单), filterable and exportable."""
    types = ItemType.powers() if kind == "power" else [ItemType.PUBLIC_SERVICE.value]
    items = items_published().filter(published_version__item_type__in=types)
    department_ids = items.values("department_id")
    departments = Department.objects.filter(pk__in=department_ids).order_by("name")
    chosen_department = _uuid_or_blank(request.GET.get("department"))
    chosen_type = request.GET.get("type") or ""
    if chosen_department:
        items = items.filter(department_id=chosen_department)
    if chosen_type in types:
        items = items.filter(published_version__item_type=chosen_type)
    fmt = _export_format(request)
    if fmt:
        headers = [
            "序号",
            "事项名称",
            "事项类型",
            "基本编码",
            "实施编码",
            "实施主体",
            "实施主体统一社会信用代码",
            "行使层级",
            "设定依据",
            "法定办结时限（工作日）",
            "承诺办结时限（工作日）",
            "是否收费",
            "版本",
        ]
        type_names, levels = dict(ItemType.choices), dict(ExerciseLevel.choices)

        def row(n: int, i: Item) -> list[Any]:
            v = _guide(i)
            return [
                n,
                v.name,
                str(type_names.get(v.item_type, "")),
                i.basic.basic_code,
                i.implementation_code,
                i.department.name,
                i.department.credit_code,
                str(levels.get(v.level, "")),
                v.legal_basis,
                v.statutory_days,
                v.promised_days,
                "是" if v.charges_fee else "否",
                v.number,
            ]

        ordered = items.order_by("department__name", "implementation_code")
        rows = (row(n, i) for n, i in enumerate(ordered, start=1))
        return _export(fmt, LIST_TITLES[kind], [(LIST_TITLES[kind], headers, rows)])
    return render(
        request,
        "catalogue/lists/items.html",
        {
            "kind": kind,
            "list_title": LIST_TITLES[kind],
            "page": _page(request, items),
            "departments": departments,
            "types": [(code, label) for code, label in ItemType.choices if code in types],
            "chosen_department": chosen_department,
            "chosen_type": chosen_type,
        },
    )


@require_safe
def negative_list(request: HttpRequest) -> HttpResponse:
    """The market-access negative list (市场准入负面清单) with the items each entry concerns."""
    entries = NegativeListEntry.objects.prefetch_related(Prefetch("items", queryset=items_published()))
    category = request.GET.get("category") or ""
    if category in NegativeListEntry.Category.values:
        entries = entries.filter(category=category)
    fmt = _export_format(request)
    if fmt:
        categories = dict(NegativeListEntry.Category.choices)
        rows = (
            [
                e.code,
                str(categories.get(e.category, e.category)),
                e.title,
                e.measures,
                e.legal_basis,
                "；".join(_guide(i).name for i in e.items.all()),
            ]
            for e in entries
        )
        headers = ["编号", "类别", "事项", "管理措施", "设定依据", "对应政务服务事项"]
        return _export(fmt, "市场准入负面清单", [("负面清单", headers, rows)])
    return render(
        request,
        "catalogue/lists/negative.html",
        {
            "page": _page(request, entries),
            "categories": NegativeListEntry.Category.choices,
            "chosen_category": category,
        },
    )


@require_safe
def intermediaries(request: HttpRequest) -> HttpResponse:
    """Intermediary services (中介服务事项) and the directory of qualified institutions (中介机构名录)."""
    services = IntermediaryService.objects.select_related("department").prefetch_related(
        Prefetch("items", queryset=items_published()), "institutions"
    )
    institutions = IntermediaryInstitution.objects.select_related("region").prefetch_related("services")
    chosen_department = _uuid_or_blank(request.GET.get("department"))
    if chosen_department:
        services = services.filter(department_id=chosen_department)
        institutions = institutions.filter(services__department_id=chosen_department).distinct()
    departments = Department.objects.filter(
        pk__in=IntermediaryService.objects.values("department_id")
    ).order_by("name")
    fmt = _export_format(request)
    if fmt:
        service_rows = (
            [
                s.code,
                s.name,
                s.department.name,
                s.legal_basis,
                s.fee_basis,
                s.time_limit_days,
                "；".join(_guide(i).name for i in s.items.all()),
                "；".join(i.name for i in s.institutions.all()),
            ]
            for s in services
        )
        institution_rows = (
            [
                i.name,
                i.credit_code,
                i.qualification,
                i.region.name,
                i.phone,
                i.address,
                "；".join(s.name for s in i.services.all()),
            ]
            for i in institutions
        )
        Sheet = tuple[str, list[str], Iterable[Iterable[Any]]]
        service_sheet: Sheet = (
            "中介服务事项",
            ["编码", "名称", "主管部门", "设定依据", "收费依据", "时限（工作日）", "对应事项", "中介机构"],
            service_rows,
        )
        institution_sheet: Sheet = (
            "中介机构名录",
            ["机构名称", "统一社会信用代码", "资质", "所在地区", "联系电话", "地址", "可提供的中介服务"],
            institution_rows,
        )
        sheets = [service_sheet, institution_sheet]
        if fmt == "csv" and request.GET.get("table") == "institutions":
            sheets = [institution_sheet]
        return _export(fmt, "中介服务清单", sheets)
    return render(
        request,
        "catalogue/lists/intermediaries.html",
        {
            "page": _page(request, services),
            "institutions": _page(request, institutions, "ipage"),
            "departments": departments,
            "chosen_department": chosen_department,
        },
    )
