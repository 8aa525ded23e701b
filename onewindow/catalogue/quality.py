"""The data-quality rules provincial reviews apply to a guide (domain reference §2), in words a catalogue
editor understands. Checked when a version is submitted for review and again when it is published."""

from __future__ import annotations

from typing import Any

import jsonschema

from onewindow.catalogue.models import (
    CaseType,
    HandlingForm,
    ItemVersion,
    MaterialSource,
    Necessity,
    OnlineDepth,
)
from onewindow.core.errors import DomainError, FieldProblem
from onewindow.core.identifiers import implementation_code_check


def _problem(field: str, code: str, message: str) -> FieldProblem:
    return FieldProblem(field=field, code=f"quality.{code}", message=message)


def item_version_quality_problems(version: ItemVersion) -> list[FieldProblem]:
    """Every rule the version breaks; an empty list means it may be published."""
    problems: list[FieldProblem] = []
    item = version.item
    try:
        implementation_code_check(item.implementation_code)
    except DomainError as error:
        problems.append(_problem("implementation_code", "implementation_code", error.message))
    else:
        if item.implementation_code[:18] != item.department.credit_code:
            problems.append(
                _problem(
                    "implementation_code", "code_body", "实施编码前 18 位应为实施主体的统一社会信用代码。"
                )
            )
        if item.implementation_code[19:] != item.basic.basic_code:
            problems.append(
                _problem("implementation_code", "code_basic", "实施编码后 12 位应为所属基本目录的基本编码。")
            )
        if item.implementation_code[18] != str(version.level):
            problems.append(_problem("level", "code_level", "实施编码第 19 位应与行使层级一致。"))

    for field, label in (
        ("legal_basis", "设定依据"),
        ("acceptance_conditions", "受理条件"),
        ("result_name", "办理结果名称"),
        ("address", "办理地点"),
        ("office_hours", "办理时间"),
    ):
        if not str(getattr(version, field) or "").strip():
            problems.append(_problem(field, "required", f"请填写{label}。"))
    if not version.service_objects:
        problems.append(_problem("service_objects", "required", "请选择服务对象。"))
    if not version.handling_forms:
        problems.append(_problem("handling_forms", "required", "请选择办理形式。"))

    # Rule 5: promised within statutory; a promised limit above zero makes it a 承诺件.
    if version.promised_days > version.statutory_days:
        problems.append(
            _problem("promised_days", "promised_over_statutory", "承诺办结时限不能超过法定办结时限。")
        )
    if version.promised_days > 0 and version.case_type != CaseType.PROMISED:
        problems.append(
            _problem("case_type", "case_type", "承诺时限不是即办（0 个工作日）时，办件类型应为“承诺件”。")
        )
    if version.promised_days == 0 and version.case_type == CaseType.PROMISED:
        problems.append(
            _problem(
                "case_type",
                "case_type_immediate",
                "承诺时限为 0 个工作日（当场办结）时，办件类型应为“即办件”。",
            )
        )

    # Rule 1: 全程网办 (online depth up to 互联网办理) means no visit.
    if OnlineDepth.HANDLING in version.online_depth:
        if not version.is_online:
            problems.append(
                _problem(
                    "handling_forms", "online_depth", "网上办理深度含“互联网办理”时，办理形式须包含网上办理。"
                )
            )
        if version.onsite_visits > 0:
            problems.append(
                _problem(
                    "onsite_visits",
                    "fully_online_visits",
                    "网上办理深度为“互联网办理”（全程网办）时，到办事现场次数应为 0。",
                )
            )
    if version.onsite_visits > 0 and not version.onsite_reason.strip():
        problems.append(
            _problem("onsite_reason", "onsite_reason", "到办事现场次数大于 0 时，须说明必须到现场的原因。")
        )
    # Rule 2: no visit and not online ⇒ postal application.
    if (
        version.onsite_visits == 0
        and not version.is_online
        and HandlingForm.POST not in version.handling_forms
    ):
        problems.append(
            _problem(
                "handling_forms",
                "zero_visits_post",
                "到现场次数为 0 且不能网上办理时，办理形式须包含快递申请。",
            )
        )

    # Rule 3: fees.
    if version.charges_fee:
        if not version.fee_items:
            problems.append(_problem("fee_items", "fee_items", "收费事项须列出收费项目和标准。"))
        if not version.fee_basis.strip():
            problems.append(_problem("fee_basis", "fee_basis", "收费事项须填写收费依据。"))
        for index, fee in enumerate(version.fee_items, start=1):
            if not str(fee.get("name", "")).strip() or not str(fee.get("standard", "")).strip():
                problems.append(
                    _problem("fee_items", "fee_item", f"第 {index} 个收费项目须有名称和收费标准。")
                )
    elif version.supports_online_payment:
        problems.append(
            _problem("supports_online_payment", "payment_without_fee", "不收费的事项不应标记支持网上支付。")
        )

    # Rule 4: two different phones, with area code.
    consultation, complaint = version.consultation_phone.strip(), version.complaint_phone.strip()
    if not consultation or not complaint:
        problems.append(_problem("consultation_phone", "phones", "请填写咨询电话和监督投诉电话。"))
    elif consultation == complaint:
        problems.append(_problem("complaint_phone", "phones_equal", "咨询电话与监督投诉电话不能相同。"))
    for field, phone in (("consultation_phone", consultation), ("complaint_phone", complaint)):
        if phone and not (
            phone.startswith("0") or phone.startswith("1") or (phone.isdigit() and len(phone) == 5)
        ):
            problems.append(
                _problem(field, "phone_area_code", f"电话“{phone}”应带区号（如 0591-12345678）。")
            )

    materials = list(version.materials.all())
    for material in materials:
        if material.necessity == Necessity.CONDITIONAL and not material.condition.strip():
            problems.append(
                _problem(
                    "materials", "material_condition", f"材料“{material.name}”为“情形必要”，须写明适用情形。"
                )
            )
        if material.pledge_allowed and not material.pledge_text.strip():
            problems.append(
                _problem(
                    "materials",
                    "material_pledge_text",
                    f"材料“{material.name}”允许告知承诺，须写明承诺书内容。",
                )
            )
        if material.source == MaterialSource.ELICENCE and not material.licence_type_code:
            problems.append(
                _problem(
                    "materials",
                    "material_licence_type",
                    f"材料“{material.name}”来源为电子证照库，须填写证照类型代码。",
                )
            )

    if version.form_schema and (schema_error := form_schema_error(version.form_schema)) is not None:
        problems.append(
            _problem("form_schema", "form_schema", f"申请表 JSON Schema 无效：{schema_error.message}")
        )
    return problems


# Built once: ``check_schema`` compiles the 2020-12 metaschema on every call (~30 ms), which dominated
# publishing and the demo load.
_METASCHEMA_VALIDATOR = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)


def form_schema_error(schema: dict[str, Any]) -> jsonschema.SchemaError | None:
    """The most relevant reason ``schema`` is not a valid JSON Schema (draft 2020-12), or None."""
    error = jsonschema.exceptions.best_match(_METASCHEMA_VALIDATOR.iter_errors(schema))
    return None if error is None else jsonschema.SchemaError.create_from(error)
