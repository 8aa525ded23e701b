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
from onewindow.organisations.models import Department
from onewindow.organisations.selectors import (
    staff_admin_department_ids,
    staff_is_platform_admin,
)
from onewindow.workflow.bpmn import KEY_PATTERN, StepSpec, bpmn_generate, bpmn_validate
from onewindow.workflow.models import (
    ProcessAssignment,
    ProcessDefinition,
    ProcessStep,
)


def _definition_admin_check(actor: Any) -> None:
    if staff_is_platform_admin(user=actor) or staff_admin_department_ids(user=actor):
        return
    raise PermissionDenied("只有平台管理员或部门管理员可以维护办理流程。")


def _owner_decide(*, actor: Any, key: str, department: Department | None) -> Department | None:
    """The department that will maintain ``key``: an existing key keeps its own; a new one is the chosen
    department, which a department administrator must administer. Refuses someone else's key (403)."""
    first = ProcessDefinition.objects.filter(key=key).select_related("department").order_by("version").first()
    platform = staff_is_platform_admin(user=actor)
    if first is not None:
        if not platform and first.department_id not in staff_admin_department_ids(user=actor):
            raise PermissionDenied(
                f"流程 {key} 由{first.department.name if first.department else '平台管理员'}维护，"
                "您不能发布它的新版本。请换一个流程标识新建流程，或联系平台管理员。"
            )
        return first.department
    if platform:
        return department
    own = staff_admin_department_ids(user=actor)
    if department is None and len(own) == 1:
        return Department.objects.get(pk=next(iter(own)))
    if department is None:
        raise DomainError(code="process_department_required", message="请选择维护该流程的部门。")
    if department.pk not in own:
        raise PermissionDenied("您只能为自己管理的部门新建流程。")
    return department


# The administrators' pages live beside the processes' own pages (/workbench/processes/<key>/).
RESERVED_KEYS = {"upload", "generate", "assign"}


def _key_check(key: str) -> str:
    key = (key or "").strip()
    if not KEY_PATTERN.fullmatch(key):
        raise DomainError(
            code="process_key_invalid",
            message="流程标识应以字母开头，只含字母、数字、下划线、点或连字符，最长 64 个字符。",
        )
    if key.lower() in RESERVED_KEYS:
        raise DomainError(code="process_key_invalid", message=f"“{key}”是平台保留的标识，请换一个流程标识。")
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
def _definition_save(
    *, actor: Any, key: str, name: str, xml: bytes, department: Department | None
) -> ProcessDefinition:
    key = _key_check(key)
    name = (name or "").strip()
    if not name:
        raise DomainError(code="process_name_required", message="请填写流程名称。")
    owner = _owner_decide(actor=actor, key=key, department=department)
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
                department=owner,
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


def process_definition_upload(
    *, actor: Any, key: str, name: str, xml: bytes, department: Department | None = None
) -> ProcessDefinition:
    """Store an uploaded BPMN file as the next version of ``key`` after validating it (scripts refused).

    A new key is maintained by ``department`` (for a department administrator of one department, theirs);
    a new version of an existing key only by its department's administrators or a platform administrator."""
    _definition_admin_check(actor)
    return _definition_save(actor=actor, key=key, name=name, xml=xml, department=department)


def process_definition_generate(
    *,
    actor: Any,
    key: str,
    name: str,
    steps: Sequence[StepSpec],
    department: Department | None = None,
) -> ProcessDefinition:
    """Write the BPMN for a simple sequence of steps (with parallel joint reviews) and store it like an upload."""
    _definition_admin_check(actor)
    # Refused (someone else's key) before the steps' departments are looked up and the BPMN is written.
    _owner_decide(actor=actor, key=_key_check(key), department=department)
    codes = {code for step in steps for code in step.departments}
    departments = _departments_by_code(codes)
    xml = bpmn_generate(
        steps,
        process_id=_key_check(key).replace(".", "_").replace("-", "_"),
        process_name=(name or "").strip() or key,
        department_names={code: d.short_name or d.name for code, d in departments.items()},
    )
    return _definition_save(actor=actor, key=key, name=name, xml=xml, department=department)


@transaction.atomic
def process_assign(*, actor: Any, item: Item, key: str) -> ProcessAssignment:
    """Make new cases of ``item`` run the latest version of process ``key``."""
    if not staff_is_platform_admin(user=actor) and item.department_id not in staff_admin_department_ids(
        user=actor
    ):
        raise PermissionDenied("只有平台管理员或事项所属部门的管理员可以为事项指定办理流程。")
    first = ProcessDefinition.objects.filter(key=key).order_by("version").first()
    if first is None:
        raise DomainError(code="process_unknown", message=f"没有标识为 {key} 的流程，请先上传或生成流程。")
    # The maintaining department publishes the process's next versions: a department administrator may only
    # route its items through processes it maintains, or another department could re-route its cases.
    if not staff_is_platform_admin(user=actor) and first.department_id not in staff_admin_department_ids(
        user=actor
    ):
        raise PermissionDenied(
            f"流程 {key} 由{first.department.name if first.department else '平台管理员'}维护，"
            "部门管理员只能为事项指定本部门维护的流程；如需使用，请联系平台管理员。"
        )
    previous = ProcessAssignment.objects.filter(item=item).values_list("definition_key", flat=True).first()
    assignment, _ = ProcessAssignment.objects.update_or_create(item=item, defaults={"definition_key": key})
    audit_record(actor=actor, action="workflow.assign", target=item, changes={"process": [previous, key]})
    return assignment
