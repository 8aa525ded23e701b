"""Extending a case's time limit (延期, 行政许可法 art. 42): the handling staff ask, the head of the agency
(负责人) decides. 10 working days in all; 15 where the item is handled jointly, unified or centralised by
several bodies (art. 42 para. 2: 45 days + 15)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from onewindow.cases.models import (
    OPEN_STATUSES,
    Case,
    EventAction,
    ExtensionRequest,
    ExtensionStatus,
    ProcedureKind,
    SpecialProcedure,
)
from onewindow.cases.services._common import case_lock, case_transition, staff_check, text_required
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.services import audit_record
from onewindow.organisations.models import Role
from onewindow.workdays.models import Deadline
from onewindow.workdays.services import deadlines_refresh

EXTENSION_MAX_DAYS = 10
EXTENSION_MAX_DAYS_JOINT = 15
REQUESTING_ROLES = (Role.REVIEWER, Role.APPROVER)


def extension_limit(case: Case) -> int:
    """The most working days the case's time limit may be extended by in all."""
    return EXTENSION_MAX_DAYS_JOINT if case.item_version.joint_departments.exists() else EXTENSION_MAX_DAYS


def _extension_check(case: Case, working_days: int, *, pending_days: int = 0) -> None:
    if case.is_immediate:
        raise DomainError(
            code="extension_not_allowed", message="即办件应当场办结，不能延长办理时限。", status=409
        )
    assert case.deadline is not None
    if clock.today() > case.deadline.due_on:
        # An extension is decided within the limit it extends (art. 42); an overdue case is already late.
        raise DomainError(
            code="extension_too_late",
            message=f"办理时限已于 {case.deadline.due_on} 届满，逾期后不能再批准延期。",
            status=409,
        )
    limit = extension_limit(case)
    used = case.extended_days + pending_days
    if not isinstance(working_days, int) or working_days < 1 or used + working_days > limit:
        raise DomainError(
            code="extension_too_long",
            message=f"延期合计不能超过 {limit} 个工作日（已延期 {case.extended_days} 个工作日），本次最多可延期 {max(limit - used, 0)} 个工作日。",
        )


@transaction.atomic
def case_extension_request(
    *,
    case: Case,
    requester: Any,
    working_days: int,
    reason: str,
    basis: str,
    expected_version: int | None = None,
) -> ExtensionRequest:
    """Ask the head of the agency to extend the time limit (one open request at a time)."""
    staff_check(requester, case, REQUESTING_ROLES, "申请延长办理时限")
    reason = text_required(
        reason, code="extension_reason_required", message="请填写延期理由，该理由将告知申请人。"
    )
    basis = text_required(
        basis, code="extension_basis_required", message="请填写延期的依据（如《行政许可法》第四十二条）。"
    )
    case = case_lock(case, allowed=OPEN_STATUSES, doing="申请延期", expected_version=expected_version)
    if case.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
        raise DomainError(
            code="extension_pending",
            message="该办件已有一份延期申请等待负责人审批，请待审批后再申请。",
            status=409,
        )
    _extension_check(case, working_days)
    request = ExtensionRequest.objects.create(
        case=case,
        working_days=working_days,
        reason=reason,
        basis=basis[:300],
        requested_by=requester,
        requested_at=clock.now(),
    )
    case_transition(
        case,
        to=case.status,
        action=EventAction.EXTENSION_REQUESTED,
        actor=requester,
        note=f"申请延长办理时限 {working_days} 个工作日，待负责人审批。理由：{reason}",
        basis=basis,
        public=False,
        notify=False,
        changes={"working_days": working_days},
    )
    return request


@transaction.atomic
def case_extension_decide(
    *, request: ExtensionRequest, head: Any, approve: bool, note: str = ""
) -> ExtensionRequest:
    """The head of the agency approves (the due date moves, the applicant is told the reason) or refuses
    (with an opinion) an extension request."""
    case = request.case
    staff_check(head, case, [Role.HEAD], "审批延长办理时限（须由本机关负责人批准）")
    case = case_lock(case, allowed=OPEN_STATUSES, doing="审批延期")
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ExtensionStatus.PENDING:
        raise DomainError(
            code="extension_decided", message="该延期申请已审批，请刷新后查看结果。", status=409
        )
    request.decided_by, request.decided_at = head, clock.now()
    request.decision_note = note.strip()
    if not approve:
        request.decision_note = text_required(
            note, code="extension_refusal_note_required", message="不批准延期时请填写审批意见。"
        )
        request.status = ExtensionStatus.REFUSED
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
        case_transition(
            case,
            to=case.status,
            action=EventAction.EXTENSION_REFUSED,
            actor=head,
            note=f"负责人不批准延期：{request.decision_note}",
            public=False,
            notify=False,
        )
        return request
    _extension_check(case, request.working_days)
    request.procedure = _extend(case, head=head, request=request)
    request.status = ExtensionStatus.APPROVED
    request.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "procedure", "updated_at"]
    )
    audit_record(
        actor=head, action="case.extension_approve", target=case, changes={"request": str(request.pk)}
    )
    return request


def _extend(case: Case, *, head: Any, request: ExtensionRequest) -> SpecialProcedure:
    assert case.deadline is not None
    days, today = request.working_days, clock.today()
    Deadline.objects.filter(pk=case.deadline.pk).update(working_days=case.deadline.working_days + days)
    deadlines_refresh(Deadline.objects.filter(pk=case.deadline.pk))
    case.deadline.refresh_from_db()
    case.extended_days += days
    procedure = SpecialProcedure.objects.create(
        case=case,
        kind=ProcedureKind.EXTENSION,
        basis=request.basis,
        reason=request.reason,
        started_on=today,
        ended_on=today,
        working_days=days,
        approved_by=head,
    )
    case_transition(
        case,
        to=case.status,
        action=EventAction.EXTENDED,
        actor=head,
        fields=["extended_days"],
        note=f"经本机关负责人批准，办理时限延长 {days} 个工作日，承诺办结日期调整为 {case.deadline.due_on}。延期理由：{request.reason}",
        basis=request.basis,
        changes={"working_days": days, "due_on": str(case.deadline.due_on)},
    )
    return procedure
