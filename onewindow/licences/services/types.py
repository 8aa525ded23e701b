"""Licence types (证照类型): created by the issuing department's administrators. The type code enters every
identifier of the type, so it is checked here once rather than at each issue."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from onewindow.cases.services._common import text_required
from onewindow.core.errors import DomainError, FieldProblem
from onewindow.core.services import audit_record
from onewindow.licences.identifiers import licence_identifier_build, licence_identifier_problems
from onewindow.licences.models import LicenceType
from onewindow.licences.services._common import ADMIN_ROLES, department_role_check
from onewindow.organisations.models import Department

_CODE_RE = re.compile(r"^[0-9A-Z]{1,40}$")
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def face_fields_check(face_fields: Any) -> list[dict[str, str]]:
    """The face template as ``[{"key", "label", "source"}]``; every bad entry reported at once."""
    if not isinstance(face_fields, list):
        raise DomainError(code="licence_type.face_fields_invalid", message="照面项模板格式不正确。")
    problems: list[FieldProblem] = []
    clean: list[dict[str, str]] = []
    seen: set[str] = set()
    for row, field in enumerate(face_fields, start=1):
        key = str(field.get("key", "")).strip() if isinstance(field, dict) else ""
        label = str(field.get("label", "")).strip() if isinstance(field, dict) else ""
        source = str(field.get("source", "") or "").strip() if isinstance(field, dict) else ""
        if not _KEY_RE.match(key):
            problems.append(
                FieldProblem(
                    "key",
                    "licence_type.face_key_invalid",
                    "照面项代码应为小写字母开头的字母、数字或下划线。",
                    row,
                )
            )
        elif key in seen:
            problems.append(
                FieldProblem("key", "licence_type.face_key_duplicate", f"照面项代码“{key}”重复。", row)
            )
        if not label:
            problems.append(
                FieldProblem("label", "licence_type.face_label_required", "请填写照面项名称。", row)
            )
        seen.add(key)
        clean.append({"key": key, "label": label, "source": source or f"form.{key}"})
    if problems:
        raise DomainError(
            code="licence_type.face_fields_invalid", message="照面项模板有误，请逐项检查。", problems=problems
        )
    return clean


@transaction.atomic
def licence_type_create(
    *,
    department: Department,
    code: str,
    name: str,
    face_fields: list[dict[str, Any]],
    validity_years: int | None,
    reminder_days: int = 30,
    actor: Any | None,
) -> LicenceType:
    """Create a licence type the department issues; ``actor`` None is the system (demo data, a command)."""
    if actor is not None:
        department_role_check(actor, department, ADMIN_ROLES, "创建证照类型")
    code = (code or "").strip()
    name = text_required(name, code="licence_type.name_required", message="请填写证照类型名称。")
    if not _CODE_RE.match(code):
        raise DomainError(
            code="licence_type.code_invalid",
            message="证照类型代码只能由数字和大写字母组成（GB/T 36904），最长 40 位。",
            problems=[FieldProblem("code", "licence_type.code_invalid", "只能由数字和大写字母组成。")],
        )
    if LicenceType.objects.filter(code=code).exists():
        raise DomainError(
            code="licence_type.code_taken", message=f"证照类型代码 {code} 已被使用。", status=409
        )
    sample = (
        licence_identifier_build(type_code=code, issuer_code=department.credit_code, serial="1", version=1)
        if _CODE_RE.match(department.credit_code)
        else ""
    )
    if not sample or licence_identifier_problems(sample):
        raise DomainError(
            code="licence_type.issuer_code_invalid",
            message="发证部门的统一社会信用代码不能用于生成证照标识，请先核对部门信息。",
            status=409,
        )
    if validity_years is not None and not 1 <= validity_years <= 100:
        raise DomainError(
            code="licence_type.validity_invalid", message="有效期应为 1 至 100 年，或留空表示长期有效。"
        )
    if not 0 <= reminder_days <= 366:
        raise DomainError(code="licence_type.reminder_invalid", message="到期提醒天数应为 0 至 366 天。")
    licence_type = LicenceType.objects.create(
        code=code,
        name=name,
        issuer=department,
        face_fields=face_fields_check(face_fields),
        validity_years=validity_years,
        reminder_days=reminder_days,
    )
    audit_record(actor=actor, action="licence_type.create", target=licence_type, changes={"code": code})
    return licence_type


@transaction.atomic
def licence_type_activate(*, licence_type: LicenceType, active: bool, actor: Any | None) -> LicenceType:
    """Stop (or resume) issuing licences of a type; the licences already issued are untouched."""
    if actor is not None:
        department_role_check(actor, licence_type.issuer, ADMIN_ROLES, "停用或启用证照类型")
    if licence_type.is_active != active:
        licence_type.is_active = active
        licence_type.save(update_fields=["is_active", "updated_at"])
        audit_record(
            actor=actor, action="licence_type.activate", target=licence_type, changes={"is_active": active}
        )
    return licence_type
