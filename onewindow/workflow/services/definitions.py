"""Process definitions: upload (validated, scripts refused), generation from a list of steps, assignment to items."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from onewindow.catalogue.models import Item
from onewindow.core.errors import DomainError, PermissionDenied
from onewindow.core.services import audit_record
from onewindow.organisations.models import Department, Role
from onewindow.organisations.selectors import staff_is_platform_admin, staff_memberships
from onewindow.workflow.bpmn import KEY_PATTERN, StepSpec, bpmn_generate, bpmn_validate
from onewindow.workflow.models import (
    ProcessAssignment,
    ProcessDefinition,
    ProcessStep,
)


def _definition_admin_check(actor: Any) -> None:
    if staff_is_platform_admin(user=actor):
        return
    if staff_memberships(user=actor).filter(role=Role.DEPARTMENT_ADMIN).exists():
        return
    raise PermissionDenied("只有平台管理员或部门管理员可以维护办理流程。")


def _key_check(key: str) -> str:
    key = (key or "").strip()
    if not KEY_PATTERN.fullmatch(key):
        raise DomainError(
            code="process_key_invalid",
            message="流程标识应以字母开头，只含字母、数字、下划线、点或连字符，最长 64 个字符。",
        )
    return key


def _departments_by_code(codes: set[str]) -> dict[str, Department]:
    found = {d.credit_code: d for d in Department.objects.filter(credit_code__in=codes, is_active=True)}
    missing = sorted(codes - set(found))
    if missing:
        raise DomainError(
            code="process_department_unknown",
            message=f"找不到统一社会信用代码为 {'、'.join(missing)} 的在用部门，请核对流程中的 department 属性。",
        )
    return found


@transaction.atomic
def _definition_save(*, actor: Any, key: str, name: str, xml: bytes) -> ProcessDefinition:
    key = _key_check(key)
    name = (name or "").strip()
    if not name:
        raise DomainError(code="process_name_required", message="请填写流程名称。")
    parsed = bpmn_validate(xml)
    departments = _departments_by_code({s.department_code for s in parsed.steps if s.department_code})
    sha256 = hashlib.sha256(xml).hexdigest()
    latest = ProcessDefinition.objects.filter(key=key).order_by("-version").first()
    if latest is not None and latest.sha256 == sha256 and latest.name == name:
        return latest  # a repeated upload (a retry) is not a new version
    version = (ProcessDefinition.objects.filter(key=key).aggregate(m=Max("version"))["m"] or 0) + 1
    try:
        with transaction.atomic():
            definition = ProcessDefinition.objects.create(
                key=key,
                version=version,
                name=name[:200],
                bpmn_xml=xml.decode(),
                sha256=sha256,
                uploaded_by=actor,
            )
    except IntegrityError as exc:
        raise DomainError(
            code="process_version_conflict", message="该流程刚刚被他人更新，请刷新后重新上传。", status=409
        ) from exc
    ProcessStep.objects.bulk_create(
        ProcessStep(
            definition=definition,
            bpmn_id=step.bpmn_id,
            name=step.name,
            position=step.position,
            department=departments.get(step.department_code),
            role=step.role,
            limit_days=step.limit_days,
        )
        for step in parsed.steps
    )
    audit_record(
        actor=actor,
        action="workflow.definition_create",
        target=definition,
        changes={"key": key, "version": version, "sha256": sha256, "steps": len(parsed.steps)},
    )
    return definition


def process_definition_upload(*, actor: Any, key: str, name: str, xml: bytes) -> ProcessDefinition:
    """Store an uploaded BPMN file as the next version of ``key`` after validating it (scripts refused)."""
    _definition_admin_check(actor)
    return _definition_save(actor=actor, key=key, name=name, xml=xml)


def process_definition_generate(
    *, actor: Any, key: str, name: str, steps: Sequence[StepSpec]
) -> ProcessDefinition:
    """Write the BPMN for a simple sequence of steps (with parallel joint reviews) and store it like an upload."""
    _definition_admin_check(actor)
    codes = {code for step in steps for code in step.departments}
    departments = _departments_by_code(codes)
    xml = bpmn_generate(
        steps,
        process_id=_key_check(key).replace(".", "_").replace("-", "_"),
        process_name=(name or "").strip() or key,
        department_names={code: d.short_name or d.name for code, d in departments.items()},
    )
    return _definition_save(actor=actor, key=key, name=name, xml=xml)


@transaction.atomic
def process_assign(*, actor: Any, item: Item, key: str) -> ProcessAssignment:
    """Make new cases of ``item`` run the latest version of process ``key``."""
    if not staff_is_platform_admin(user=actor) and not (
        staff_memberships(user=actor)
        .filter(role=Role.DEPARTMENT_ADMIN, department_id=item.department_id)
        .exists()
    ):
        raise PermissionDenied("只有平台管理员或事项所属部门的管理员可以为事项指定办理流程。")
    if not ProcessDefinition.objects.filter(key=key).exists():
        raise DomainError(code="process_unknown", message=f"没有标识为 {key} 的流程，请先上传或生成流程。")
    assignment, _ = ProcessAssignment.objects.update_or_create(item=item, defaults={"definition_key": key})
    audit_record(actor=actor, action="workflow.assign", target=item, changes={"process": key})
    return assignment
