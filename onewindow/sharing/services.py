"""Writes of the data-sharing platform: the resource catalogue, approvals (apply, decide, revoke) and the
query gateway, which writes every query — answered or refused — to the signed access log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from onewindow.core import clock
from onewindow.core.errors import DomainError, PermissionDenied
from onewindow.core.services import audit_record
from onewindow.identity.services.people import id_number_hash
from onewindow.organisations.models import Department, Role
from onewindow.organisations.selectors import staff_memberships
from onewindow.sharing.access_log import log_append, query_reference
from onewindow.sharing.models import (
    AccessLogEntry,
    ApprovalStatus,
    QueryOutcome,
    SharedResource,
    SharingApproval,
    SharingClass,
    SubjectKind,
)
from onewindow.sharing.registries import REGISTRIES, RegistryUnavailable, registry, subject_normalise

PURPOSE_MAX_LENGTH = 200
APPROVAL_MAX_DAYS = 3 * 366  # 《政务信息资源共享管理暂行办法》: reviewed at least every three years


def _admin_of(user: Any, department: Department) -> bool:
    memberships = staff_memberships(user=user)
    return (
        memberships.filter(role=Role.PLATFORM_ADMIN).exists()
        or memberships.filter(department=department, role=Role.DEPARTMENT_ADMIN).exists()
    )


def _text(value: str, *, code: str, message: str, limit: int = PURPOSE_MAX_LENGTH) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise DomainError(code=code, message=message)
    if len(text) > limit:
        raise DomainError(code=code, message=f"内容不能超过 {limit} 个字。")
    return text


def _fields_check(resource: SharedResource, fields: list[str]) -> list[str]:
    chosen = [f for f in dict.fromkeys(fields) if f]
    if not chosen:
        raise DomainError(code="sharing.fields_required", message="请至少选择一个数据项。")
    unknown = [f for f in chosen if f not in resource.field_keys]
    if unknown:
        raise DomainError(
            code="sharing.field_unknown",
            message=f"资源“{resource.name}”没有这些数据项：{'、'.join(unknown)}。",
        )
    return chosen


@transaction.atomic
def resource_save(
    *,
    actor: Any,
    provider: Department,
    code: str,
    name: str,
    registry_name: str,
    subject_kind: str,
    sharing_class: str,
    update_frequency: str,
    legal_basis: str,
    fields: list[dict[str, str]],
    material_keys: list[str] | None = None,
    description: str = "",
) -> SharedResource:
    """Add a resource to the catalogue, or change it (same code): only the provider's administrators."""
    if actor is not None and not _admin_of(actor, provider):
        raise PermissionDenied("只有资源提供部门的管理员可以编目该资源。")
    if registry_name not in REGISTRIES:
        raise DomainError(code="sharing.registry_unknown", message="请选择资源对应的基础信息库。")
    if subject_kind not in SubjectKind.values or sharing_class not in SharingClass.values:
        raise DomainError(code="sharing.resource_invalid", message="请选择资源的共享类型和数据主体。")
    keys = [str(f.get("key", "")).strip() for f in fields]
    if not fields or any(not k for k in keys) or len(set(keys)) != len(keys):
        raise DomainError(
            code="sharing.fields_invalid", message="请列出资源的数据项，每项的代码不能为空或重复。"
        )
    resource = SharedResource.objects.filter(code=code).first() or SharedResource(code=code)
    if not resource._state.adding and resource.provider_id != provider.pk:
        raise PermissionDenied("该资源由其他部门提供。")
    resource.provider = provider
    resource.name = _text(name, code="sharing.name_required", message="请填写资源名称。")
    resource.registry = registry_name
    resource.subject_kind = subject_kind
    resource.sharing_class = sharing_class
    resource.update_frequency = update_frequency
    resource.legal_basis = _text(
        legal_basis, code="sharing.basis_required", message="请填写共享依据。", limit=500
    )
    resource.fields = [{"key": k, "name": str(f.get("name") or k)} for k, f in zip(keys, fields, strict=True)]
    resource.material_keys = list(material_keys or [])
    resource.description = description
    resource.save()
    audit_record(actor=actor, action="sharing.resource_save", target=resource, changes={"code": code})
    return resource


@transaction.atomic
def approval_request(
    *,
    actor: Any,
    resource: SharedResource,
    consumer: Department,
    fields: list[str],
    purpose: str,
    basis: str = "",
    valid_until: dt.date | None = None,
) -> SharingApproval:
    """A consumer department applies for some fields of a resource for one purpose. 不予共享 resources are
    refused; 无条件共享 ones are granted at once; 有条件共享 ones wait for the provider."""
    if actor is not None and not _admin_of(actor, consumer):
        raise PermissionDenied("只有使用部门的管理员可以申请共享数据。")
    if resource.sharing_class == SharingClass.NOT_SHARED or not resource.is_active:
        raise DomainError(
            code="sharing.not_shared",
            message=f"“{resource.name}”属于不予共享类资源，不能申请使用。",
            status=409,
        )
    chosen = _fields_check(resource, fields)
    purpose = _text(
        purpose, code="sharing.purpose_required", message="请说明使用数据的用途（例如：办件受理核验）。"
    )
    today = clock.today()
    if valid_until is not None and not today < valid_until <= today + dt.timedelta(days=APPROVAL_MAX_DAYS):
        raise DomainError(code="sharing.valid_until_invalid", message="有效期须晚于今天，且不超过三年。")
    approval = SharingApproval.objects.create(
        resource=resource,
        consumer=consumer,
        fields=chosen,
        purpose=purpose,
        basis=basis.strip()[:500],
        valid_until=valid_until or today + dt.timedelta(days=365),
        requested_by=actor,
    )
    audit_record(
        actor=actor,
        action="sharing.approval_request",
        target=approval,
        changes={"fields": chosen, "purpose": purpose},
    )
    if resource.sharing_class == SharingClass.UNCONDITIONAL:
        approval.status, approval.decided_at = ApprovalStatus.APPROVED, clock.now()
        approval.decision_note = "无条件共享资源，登记后即可使用"
        approval.save(update_fields=["status", "decided_at", "decision_note", "updated_at"])
        audit_record(actor=None, action="sharing.approval_approve", target=approval)
    return approval


@transaction.atomic
def approval_decide(
    *, actor: Any, approval: SharingApproval, approve: bool, note: str = ""
) -> SharingApproval:
    """The provider approves or refuses an application (a refusal says why)."""
    approval = SharingApproval.objects.select_for_update().select_related("resource").get(pk=approval.pk)
    if actor is not None and not _admin_of(actor, approval.resource.provider):
        raise PermissionDenied("只有资源提供部门的管理员可以审核共享申请。")
    if approval.status != ApprovalStatus.REQUESTED:
        raise DomainError(code="sharing.already_decided", message="该申请已审核，请刷新页面。", status=409)
    if not approve:
        note = _text(note, code="sharing.reason_required", message="请说明不予同意的理由。", limit=500)
    approval.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REFUSED
    approval.decided_by, approval.decided_at, approval.decision_note = actor, clock.now(), note.strip()[:500]
    approval.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    audit_record(
        actor=actor,
        action="sharing.approval_approve" if approve else "sharing.approval_refuse",
        target=approval,
        changes={"note": approval.decision_note},
    )
    return approval


@transaction.atomic
def approval_revoke(*, actor: Any, approval: SharingApproval, reason: str) -> SharingApproval:
    """The provider (or the consumer giving it up) ends an approval: later queries under it are refused."""
    approval = SharingApproval.objects.select_for_update().select_related("resource").get(pk=approval.pk)
    if actor is not None and not (
        _admin_of(actor, approval.resource.provider) or _admin_of(actor, approval.consumer)
    ):
        raise PermissionDenied("只有提供部门或使用部门的管理员可以撤销共享授权。")
    if approval.status != ApprovalStatus.APPROVED:
        raise DomainError(code="sharing.not_approved", message="只有已同意的授权可以撤销。", status=409)
    reason = _text(reason, code="sharing.reason_required", message="请说明撤销的理由。", limit=500)
    approval.status, approval.decision_note = ApprovalStatus.REVOKED, reason
    approval.decided_by, approval.decided_at = actor, clock.now()
    approval.save(update_fields=["status", "decision_note", "decided_by", "decided_at", "updated_at"])
    audit_record(actor=actor, action="sharing.approval_revoke", target=approval, changes={"reason": reason})
    return approval


@dataclass(frozen=True)
class SharedAnswer:
    """The gateway's answer: the approved fields only, with the access log's query reference."""

    reference: str
    resource: SharedResource
    record: dict[str, str]
    registry_reference: str
    entry: AccessLogEntry


def approval_covering(
    *, resource: SharedResource, consumer: Department, purpose: str, fields: list[str]
) -> SharingApproval | None:
    """The live approval letting ``consumer`` read ``fields`` of ``resource`` for ``purpose``, if any."""
    today = clock.today()
    for approval in SharingApproval.objects.filter(
        resource=resource, consumer=consumer, status=ApprovalStatus.APPROVED, purpose=purpose
    ).order_by("-decided_at"):
        if (approval.valid_until is None or approval.valid_until >= today) and set(fields) <= set(
            approval.fields
        ):
            return approval
    return None


def shared_data_query(
    *,
    resource: SharedResource,
    consumer: Department,
    official: Any,
    purpose: str,
    subject: str,
    fields: list[str],
    case: Any = None,
    official_label: str = "",
) -> SharedAnswer:
    """Ask a registry through the gateway. Every query names the consumer department, the official (or the
    platform acting at intake), the case and the purpose; it is logged, signed, whatever the outcome.
    Outside a live approval (fields, purpose, expiry, revocation) it is refused with 403."""
    purpose = " ".join((purpose or "").split())[:PURPOSE_MAX_LENGTH]
    asked = [f for f in dict.fromkeys(fields) if f]
    try:
        subject = subject_normalise(subject, kind=resource.subject_kind)
    except DomainError as error:
        raise DomainError(code="sharing.subject_invalid", message=error.message) from None
    label = official_label or (getattr(official, "name", "") or getattr(official, "username", "")) or "平台"
    columns: dict[str, Any] = {
        "reference": query_reference(),
        "resource": resource,
        "consumer": consumer,
        "official": official if getattr(official, "pk", None) else None,
        "official_label": label[:200],
        "case_id": getattr(case, "pk", None),
        "case_label": (f"{case.number or '草稿'} {case.item_version.name}" if case is not None else "")[:200],
        "purpose": purpose,
        "subject_kind": resource.subject_kind,
        "subject_key": id_number_hash(subject) if resource.subject_kind == SubjectKind.PERSON else subject,
        "fields_asked": asked,
    }
    approval = (
        approval_covering(resource=resource, consumer=consumer, purpose=purpose, fields=asked)
        if purpose and asked and resource.is_active and resource.sharing_class != SharingClass.NOT_SHARED
        else None
    )
    if approval is None:
        # Logged before refusing: the provider sees who tried what (X-Road logs refused requests too).
        log_append(**columns, outcome=QueryOutcome.REFUSED, detail="超出共享授权的数据项、用途或有效期")
        raise DomainError(
            code="sharing.outside_approval",
            message=f"本部门没有以“{purpose or '（未说明）'}”为用途使用“{resource.name}”这些数据项的有效授权，查询已拒绝并记录。",
            status=403,
        )
    try:
        answer = registry(resource.registry).fetch(subject=subject)
    except RegistryUnavailable:
        log_append(**columns, outcome=QueryOutcome.UNAVAILABLE, detail="基础信息库暂时不可用")
        raise DomainError(
            code="sharing.registry_unavailable",
            message=f"{REGISTRIES[resource.registry]}暂时不可用，请稍后重试。",
            status=503,
        ) from None
    if not answer.found:
        log_append(**columns, outcome=QueryOutcome.NO_RECORD, registry_reference=answer.reference)
        raise DomainError(
            code="sharing.no_record", message=f"{REGISTRIES[resource.registry]}中没有查到该记录。", status=404
        )
    record = {key: answer.record.get(key, "") for key in asked}
    entry = log_append(
        **columns, fields_given=asked, outcome=QueryOutcome.ANSWERED, registry_reference=answer.reference
    )
    return SharedAnswer(
        reference=entry.reference,
        resource=resource,
        record=record,
        registry_reference=answer.reference,
        entry=entry,
    )
