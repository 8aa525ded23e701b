"""The columns of the exchange workbook and how each cell is written and read (see spreadsheet.py).

Export writes national code values (事项类型 "01"); import also takes the Chinese labels ("行政许可") and the
provincial letter codes ("XK"). Booleans are 是/否 (1/0 accepted); multi-valued cells are separated by 、 or
commas. 收费项目 has one fee per line as ``名称|标准|依据|可减免``, or a JSON list of
``{name, standard, basis, waivable}``; 常见问题, 申请表 and 申请表界面 are JSON. Files (blank forms,
samples) are not carried inside the workbook: their cells name a file already stored on this platform.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage

from onewindow.catalogue.exchange import codes

ITEM_SHEET, MATERIAL_SHEET, NOTES_SHEET = "事项", "材料", "说明"
SEPARATORS = re.compile(r"[、,，;；\s]+")
DAYS = re.compile(r"(\d+)(?:\.0+)?\s*(?:个?工作日|天)?")
TRUE_WORDS, FALSE_WORDS = {"是", "1", "true", "yes", "y", "√"}, {"否", "0", "false", "no", "n", "×", ""}


@dataclass(frozen=True)
class Column:
    """One column: its header, the field it carries, how the cell is written and read."""

    header: str
    field: str
    kind: str  # text int bool code codes json_list json_object fees words file ref
    required: bool = False
    codes: dict[str, str] | None = None
    as_int: bool = False  # the model stores the code as an integer
    labels_out: bool = False  # a local code list: write the Chinese label, not the internal value
    note: str = ""


ITEM_COLUMNS = (
    Column("事项名称", "name", "text", required=True),
    Column("基本编码", "basic_code", "ref", required=True, note="12 位基本编码"),
    Column(
        "实施编码",
        "implementation_code",
        "ref",
        note="31 位；新事项可留空，由实施主体编码、行使层级和基本编码生成",
    ),
    Column("事项类型", "item_type", "code", required=True, codes=codes.ITEM_TYPE),
    Column("行使层级", "level", "code", required=True, codes=codes.LEVEL, as_int=True),
    Column("实施主体", "department_name", "ref", note="仅供阅读；以实施主体编码为准"),
    Column("实施主体编码", "department_code", "ref", required=True, note="统一社会信用代码"),
    Column("行政区划代码", "region_code", "ref", note="留空则为实施主体所在区划"),
    Column("联办机构", "joint_departments", "ref", note="联办机构的统一社会信用代码，以、分隔"),
    Column("设定依据", "legal_basis", "text", required=True),
    Column("受理条件", "acceptance_conditions", "text", required=True),
    Column("办理流程", "process_description", "text"),
    Column("法定办结时限", "statutory_days", "int", required=True, note="工作日数"),
    Column("法定时限说明", "statutory_note", "text"),
    Column("承诺办结时限", "promised_days", "int", required=True, note="工作日数，0 为即办"),
    Column("承诺时限说明", "promised_note", "text"),
    Column("办件类型", "case_type", "code", required=True, codes=codes.CASE_TYPE, as_int=True),
    Column("是否收费", "charges_fee", "bool"),
    Column("收费项目", "fee_items", "fees", note="每行一项：名称|标准|依据|可减免（是/否）；或 JSON 列表"),
    Column("收费依据", "fee_basis", "text"),
    Column("服务对象", "service_objects", "codes", required=True, codes=codes.SERVICE_OBJECT),
    Column("办理形式", "handling_forms", "codes", required=True, codes=codes.HANDLING_FORM),
    Column("是否支持预约", "supports_booking", "bool"),
    Column("是否支持网上支付", "supports_online_payment", "bool"),
    Column("是否支持物流快递", "supports_postal_delivery", "bool"),
    Column("是否支持自助终端", "supports_kiosk", "bool"),
    Column("到办事现场次数", "onsite_visits", "int"),
    Column("必须现场办理原因", "onsite_reason", "text"),
    Column("网上办理深度", "online_depth", "codes", codes=codes.ONLINE_DEPTH),
    Column("办理结果名称", "result_name", "text", required=True),
    Column("办理结果类型", "result_type", "code", required=True, codes=codes.RESULT_TYPE),
    Column("办理结果样本", "result_sample", "file", note="本平台已存储的文件名"),
    Column("证照类型代码", "licence_type_code", "text"),
    Column("办理地点", "address", "text", required=True),
    Column("办理时间", "office_hours", "text", required=True),
    Column("咨询电话", "consultation_phone", "text", required=True),
    Column("监督投诉电话", "complaint_phone", "text", required=True),
    Column("通办范围", "cross_region_scope", "code", codes=codes.CROSS_REGION_SCOPE, labels_out=True),
    Column("身份认证等级", "min_assurance_level", "code", codes=codes.ASSURANCE_LEVEL, as_int=True),
    Column("主题", "themes", "ref", note="主题名称或代码，以、分隔"),
    Column("关键词", "keywords", "words"),
    Column("常见问题", "faq", "json_list", note='JSON：[{"q": "问题", "a": "解答"}]'),
    Column("申请表", "form_schema", "json_object", note="JSON Schema"),
    Column("申请表界面", "form_ui", "json_object", note="JSON（字段顺序、控件、提示）"),
    Column("变更说明", "change_note", "ref", note="新版本的调整内容，显示在公开的变更记录中"),
)
MATERIAL_COLUMNS = (
    Column("实施编码", "implementation_code", "ref", required=True),
    Column("序号", "order", "int"),
    Column("材料编码", "key", "text", required=True, note="同一编码 = 同一份材料，“一件事”中合并"),
    Column("材料名称", "name", "text", required=True),
    Column("设定依据", "legal_basis", "text"),
    Column("受理标准", "acceptance_standard", "text"),
    Column("必要性", "necessity", "code", codes=codes.NECESSITY, labels_out=True),
    Column("适用情形", "condition", "text"),
    Column("材料形式", "form", "code", codes=codes.MATERIAL_FORM, labels_out=True),
    Column("原件份数", "originals", "int"),
    Column("复印件份数", "copies", "int"),
    Column("纸张规格", "paper_size", "text"),
    Column("空白表格", "blank_form", "file", note="本平台已存储的文件名"),
    Column("示例样表", "sample", "file", note="本平台已存储的文件名"),
    Column("填报须知", "filling_notes", "text"),
    Column("来源渠道", "source", "code", codes=codes.MATERIAL_SOURCE, labels_out=True),
    Column("证照类型代码", "licence_type_code", "text"),
    Column("可告知承诺", "pledge_allowed", "bool", note="证明事项告知承诺制（国办发〔2020〕42号）"),
    Column("承诺书内容", "pledge_text", "text"),
)
SHEETS = {ITEM_SHEET: ITEM_COLUMNS, MATERIAL_SHEET: MATERIAL_COLUMNS}
HEADERS = {sheet: {column.field: column.header for column in columns} for sheet, columns in SHEETS.items()}


# --- writing cells


def _fees_out(fees: list[dict[str, Any]]) -> str:
    plain = all(
        set(fee) <= {"name", "standard", "basis", "waivable"}
        and isinstance(fee.get("waivable", False), bool)
        and not any(("|" in str(v) or "\n" in str(v)) for v in fee.values())
        for fee in fees
    )
    if not plain:
        return json.dumps(fees, ensure_ascii=False)
    return "\n".join(
        f"{fee.get('name', '')}|{fee.get('standard', '')}|{fee.get('basis', '')}|{'是' if fee.get('waivable') else '否'}"
        for fee in fees
    )


def _code_out(column: Column, value: Any) -> str:
    value = str(value)
    return (column.codes or {}).get(value, value) if column.labels_out else value


def cell_out(column: Column, value: Any) -> Any:
    kind = column.kind
    if kind == "bool":
        return "是" if value else "否"
    if kind == "code":
        return _code_out(column, value)
    if kind == "codes":
        return "、".join(_code_out(column, v) for v in value)
    if kind in {"json_list", "json_object"}:
        return json.dumps(value, ensure_ascii=False) if value else ""
    if kind == "fees":
        return _fees_out(value) if value else ""
    if kind == "words":
        return "、".join(value.split())
    if kind == "file":
        return value.name if value else ""
    return value


def column_help(column: Column) -> str:
    parts = [column.note] if column.note else []
    if column.codes:
        parts.append("；".join(f"{value} {label}" for value, label in column.codes.items()))
    if column.kind == "bool":
        parts.append("是/否（或 1/0）")
    if column.kind == "codes":
        parts.append("多个值以、分隔")
    return "。".join(parts)


# --- reading cells


class CellError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _code_in(column: Column, raw: str) -> Any:
    table = column.codes or {}
    value = raw
    if raw not in table:
        by_label = {label: code for code, label in table.items()}
        if column.field == "item_type":
            by_label |= codes.ITEM_TYPE_LETTERS
        if column.field == "min_assurance_level":
            by_label |= {f"L{code}": code for code in table}
        value = by_label.get(raw) or by_label.get(raw.upper()) or (raw.zfill(2) if raw.isdigit() else raw)
    if value not in table:
        allowed = "、".join(f"{code} {label}" for code, label in table.items())
        raise CellError("code", f"“{raw}”不是有效的{column.header}，应为：{allowed}。")
    return int(value) if column.as_int else value


def _fees_in(raw: str) -> list[dict[str, Any]]:
    if raw.startswith("["):
        fees = _json_in(raw, list)
        if not all(isinstance(fee, dict) for fee in fees):
            raise CellError("fees", "收费项目的 JSON 应为对象列表：[{name, standard, basis, waivable}]。")
        return fees
    fees = []
    for line in filter(None, (line.strip() for line in raw.splitlines())):
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > 4:
            raise CellError("fees", f"收费项目“{line}”应为：名称|标准|依据|可减免。")
        name, standard, basis, waivable = [*parts, "", "", ""][:4]
        fees.append({"name": name, "standard": standard, "basis": basis, "waivable": _bool_in(waivable)})
    return fees


def _bool_in(raw: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("bool", f"“{raw}”应为“是”或“否”（或 1/0）。")


def _json_in(raw: str, kind: type) -> Any:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise CellError(
            "json", f"不是有效的 JSON（第 {error.lineno} 行第 {error.colno} 列）：{error.msg}。"
        ) from error
    if not isinstance(value, kind):
        raise CellError("json", "JSON 应为" + ("列表 [...]。" if kind is list else "对象 {...}。"))
    return value


def cell_in(column: Column, raw: str) -> Any:
    """The field value a cell holds; an empty cell is the field's empty value."""
    kind = column.kind
    if kind in {"text", "ref"}:
        return raw
    if kind == "int":
        if not raw:
            if column.required:
                raise CellError("required", f"请填写{column.header}。")
            return 0
        match = DAYS.fullmatch(raw)
        if not match:
            raise CellError("int", f"“{raw}”应为不小于 0 的整数。")
        return int(match.group(1))
    if kind == "bool":
        return _bool_in(raw)
    if kind == "code":
        return _code_in(column, raw) if raw else None
    if kind == "codes":
        return [_code_in(column, part) for part in SEPARATORS.split(raw) if part]
    if kind == "json_list":
        return _json_in(raw, list) if raw else []
    if kind == "json_object":
        return _json_in(raw, dict) if raw else {}
    if kind == "fees":
        return _fees_in(raw) if raw else []
    if kind == "words":
        return " ".join(part for part in SEPARATORS.split(raw) if part)
    if kind == "file":
        # Only a file this platform already stores can be referred to; anything else is left out.
        return raw if raw and default_storage.exists(raw) else None
    raise ValueError(kind)
