"""After acceptance: handling, special procedures and extensions on the legal clock, the decision and the
delivery of the result (特别程序、延期、办结、送达)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from onewindow.cases.hooks import CaseHook, case_hooks_run
from onewindow.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseStatus,
    ConclusionCode,
    DeliveryMethod,
    EventAction,
    ProcedureKind,
    SpecialProcedure,
)
from onewindow.cases.services._common import (
    HANDLING_ROLES,
    case_lock,
    case_transition,
    staff_check,
    text_required,
)
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.halls.selectors import collection_centre, comprehensive_window_serves
from onewindow.organisations.models import Role
from onewindow.workdays.models import Deadline
from onewindow.workdays.services import deadline_pause, deadline_resume, deadlines_refresh

# 行政许可法 art. 42: the head may extend by 10 working days; joint or centralised handling (45 days) by 15.
EXTENSION_MAX_DAYS = 10
EXTENSION_MAX_DAYS_JOINT = 15
CONCLUSION_ZH = {
    ConclusionCode.APPROVED: "出证办结",
    ConclusionCode.DENIED: "不予许可",
    ConclusionCode.VOIDED: "作废",
    ConclusionCode.FORWARDED: "转报上级机关",
}
PROCEDURE_ZH = {
    ProcedureKind.HEARING: "听证",
    ProcedureKind.INSPECTION: "现场勘验",
    ProcedureKind.TESTING: "检验检测",
    ProcedureKind.QUARANTINE: "检疫",
    ProcedureKind.APPRAISAL: "鉴定",
    ProcedureKind.EXPERT_REVIEW: "专家评审",
    ProcedureKind.EXTENSION: "延期",
}


@transaction.atomic
def case_process_start(*, case: Case, actor: Any | None, expected_version: int | None = None) -> Case:
    """The department starts handling an accepted case; its process (if the item has one) starts with it.
    ``actor`` None is the platform itself, starting the process of a case accepted by default."""
    if actor is not None:
        # A comprehensive window's acceptance hands the case to the handling department's process
        # (一口受理、网上运转): the window starts it, the department works it.
        staff_check(actor, case, HANDLING_ROLES, "办理该办件", at_comprehensive_window=True)
    case = case_lock(case, allowed={CaseStatus.ACCEPTED}, doing="开始办理", expected_version=expected_version)
    # On the public timeline, but no message: it mostly follows the acceptance notice within the same second.
    case_transition(
        case, to=CaseStatus.IN_PROCESS, action=EventAction.PROCESS_STARTED, actor=actor, notify=False
    )
    case_hooks_run(CaseHook.PROCESS_STARTED, case=case, actor=actor)
    return case


@transaction.atomic
def case_suspend(
    *,
    case: Case,
    actor: Any,
    kind: str,
    reason: str,
    basis: str,
    started_on: dt.date | None = None,
    expected_version: int | None = None,
) -> SpecialProcedure:
    """Start a special procedure (hearing, inspection, testing …): the clock stops from ``started_on``
    (today by default) and the due date moves by every paused working day."""
    staff_check(actor, case, [Role.REVIEWER, Role.APPROVER], "启动特别程序")
    if kind not in ProcedureKind.values or kind == ProcedureKind.EXTENSION:
        raise DomainError(
            code="procedure_kind_invalid",
            message="特别程序应为听证、现场勘验、检验检测、检疫、鉴定或专家评审之一；延期请使用“延长办理时限”。",
        )
    reason = text_required(reason, code="procedure_reason_required", message="请填写启动特别程序的原因。")
    basis = text_required(
        basis, code="procedure_basis_required", message="请填写启动特别程序的依据（法律法规条款）。"
    )
    case = case_lock(
        case,
        allowed={CaseStatus.ACCEPTED, CaseStatus.IN_PROCESS},
        doing="启动特别程序",
        expected_version=expected_version,
    )
    assert case.deadline is not None
    started_on = started_on or clock.today()
    pause = deadline_pause(
        actor=actor, deadline=case.deadline, start_on=started_on, reason=reason[:300], basis=basis
    )
    procedure = SpecialProcedure.objects.create(
        case=case,
        kind=kind,
        basis=basis,
        reason=reason,
        started_on=started_on,
        approved_by=actor,
        pause=pause,
    )
    case_transition(
        case,
        to=CaseStatus.SUSPENDED,
        action=EventAction.SUSPENDED,
        actor=actor,
        note=f"{PROCEDURE_ZH[ProcedureKind(kind)]}，期间不计入办理时限。",
        basis=basis,
        changes={"procedure": kind, "from": str(started_on)},
    )
    case_hooks_run(
        CaseHook.SUSPENDED, case=case, actor=actor, start_on=started_on, reason=reason, basis=basis
    )
    return procedure


@transaction.atomic
def case_resume(
    *, case: Case, actor: Any, ended_on: dt.date | None = None, expected_version: int | None = None
) -> Case:
    """End the running special procedure; ``ended_on`` (today by default) is its last uncounted day."""
    staff_check(actor, case, [Role.REVIEWER, Role.APPROVER], "结束特别程序")
    case = case_lock(
        case, allowed={CaseStatus.SUSPENDED}, doing="结束特别程序", expected_version=expected_version
    )
    assert case.deadline is not None
    procedure = case.special_procedures.filter(ended_on=None).exclude(kind=ProcedureKind.EXTENSION).get()
    ended_on = ended_on or clock.today()
    if ended_on < procedure.started_on:
        raise DomainError(code="procedure_end_before_start", message="特别程序的结束日期不能早于开始日期。")
    deadline_resume(actor=actor, deadline=case.deadline, end_on=ended_on)
    procedure.ended_on = ended_on
    procedure.save(update_fields=["ended_on", "updated_at"])
    case.deadline.refresh_from_db()
    case_transition(
        case,
        to=CaseStatus.IN_PROCESS,
        action=EventAction.RESUMED,
        actor=actor,
        note=f"{PROCEDURE_ZH[ProcedureKind(procedure.kind)]}结束，恢复计时；承诺办结日期调整为 {case.deadline.due_on}。",
        basis=procedure.basis,
        changes={"procedure": procedure.kind, "until": str(ended_on), "due_on": str(case.deadline.due_on)},
    )
    case_hooks_run(CaseHook.RESUMED, case=case, actor=actor, end_on=ended_on)
    return case


@transaction.atomic
def case_extend(
    *,
    case: Case,
    approver: Any,
    working_days: int,
    reason: str,
    basis: str,
    expected_version: int | None = None,
) -> SpecialProcedure:
    """Extend the time limit (延期) with the approver's decision: at most 10 working days in all (15 for joint
    handling). The reason is told to the applicant (a public timeline entry and a message)."""
    staff_check(approver, case, [Role.APPROVER], "批准延长办理时限")
    reason = text_required(
        reason, code="extension_reason_required", message="请填写延期理由，该理由将告知申请人。"
    )
    basis = text_required(
        basis, code="extension_basis_required", message="请填写延期的依据（如《行政许可法》第四十二条）。"
    )
    case = case_lock(case, allowed=OPEN_STATUSES, doing="延长办理时限", expected_version=expected_version)
    assert case.deadline is not None
    limit = EXTENSION_MAX_DAYS_JOINT if case.item_version.joint_departments.exists() else EXTENSION_MAX_DAYS
    if working_days < 1 or case.extended_days + working_days > limit:
        raise DomainError(
            code="extension_too_long",
            message=f"延期合计不能超过 {limit} 个工作日（已延期 {case.extended_days} 个工作日），本次最多可延期 {max(limit - case.extended_days, 0)} 个工作日。",
        )
    today = clock.today()
    Deadline.objects.filter(pk=case.deadline.pk).update(
        working_days=case.deadline.working_days + working_days
    )
    deadlines_refresh(Deadline.objects.filter(pk=case.deadline.pk))
    case.deadline.refresh_from_db()
    case.extended_days += working_days
    procedure = SpecialProcedure.objects.create(
        case=case,
        kind=ProcedureKind.EXTENSION,
        basis=basis,
        reason=reason,
        started_on=today,
        ended_on=today,
        working_days=working_days,
        approved_by=approver,
    )
    case_transition(
        case,
        to=case.status,
        action=EventAction.EXTENDED,
        actor=approver,
        fields=["extended_days"],
        note=f"办理时限延长 {working_days} 个工作日，承诺办结日期调整为 {case.deadline.due_on}。延期理由：{reason}",
        basis=basis,
        changes={"working_days": working_days, "due_on": str(case.deadline.due_on)},
    )
    return procedure


@transaction.atomic
def case_conclude(
    *,
    case: Case,
    actor: Any,
    code: int,
    result: str = "",
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """Decide (办结): approve with the result (licence or document), deny, void or forward to a higher level.
    Anything but an approval needs a reason. The approver decides; a 即办件 is concluded by the window clerk."""
    roles = [Role.APPROVER, Role.WINDOW_CLERK] if case.is_immediate else [Role.APPROVER]
    staff_check(actor, case, roles, "作出办结决定")
    if code not in ConclusionCode.values:
        raise DomainError(
            code="conclusion_code_invalid", message="办结结果应为出证办结、不予许可、作废或转报之一。"
        )
    if code == ConclusionCode.APPROVED:
        # An item whose result is an e-licence: the library issues it and names it in the result (CONCLUDED
        # hook), so nobody types a licence number by hand.
        if not case.item_version.licence_type_code:
            result = text_required(
                result,
                code="conclusion_result_required",
                message="请填写办理结果（证照或文书的名称、编号）。",
            )
    else:
        reason = text_required(
            reason, code="conclusion_reason_required", message="不予许可、作废或转报须写明理由和依据。"
        )
    case = case_lock(
        case,
        allowed={CaseStatus.ACCEPTED, CaseStatus.IN_PROCESS},
        doing="办结",
        expected_version=expected_version,
    )
    case_hooks_run(CaseHook.CONCLUDING, case=case, actor=actor, code=code)
    case.conclusion_code = code
    case.result = result.strip()
    case.conclusion_reason = reason
    case.concluded_at = clock.now()
    case_transition(
        case,
        to=CaseStatus.CONCLUDED,
        action=EventAction.CONCLUDED,
        actor=actor,
        fields=["conclusion_code", "result", "conclusion_reason", "concluded_at"],
        note=_conclusion_note(code, reason),
        changes={"code": code},
    )
    case_hooks_run(CaseHook.CONCLUDED, case=case, actor=actor, code=code)
    return case


def _conclusion_note(code: int, reason: str) -> str:
    label = CONCLUSION_ZH[ConclusionCode(code)]
    return f"{label}。{reason}" if reason else f"{label}。"


def _window_delivery_note(case: Case, actor: Any) -> str:
    """Handed out by the comprehensive window's clerk (综合窗口出件) names the centre; else the department's."""
    if comprehensive_window_serves(user=actor, item_id=case.item_id):
        centre = collection_centre(item_id=case.item_id)
        if centre is not None:
            return f"综合窗口出件（{centre.name}）"
    return "窗口领取"


@transaction.atomic
def case_deliver(
    *,
    case: Case,
    actor: Any,
    method: str,
    address: str = "",
    tracking_number: str = "",
    expected_version: int | None = None,
) -> Case:
    """Record the delivery of the result: picked up at the window, posted (address and tracking number) or
    delivered electronically."""
    staff_check(actor, case, HANDLING_ROLES, "登记送达", at_comprehensive_window=True)
    if method not in DeliveryMethod.values:
        raise DomainError(
            code="delivery_method_invalid", message="送达方式应为窗口领取、邮寄或电子送达之一。"
        )
    if method == DeliveryMethod.POST:
        address = text_required(address, code="delivery_address_required", message="邮寄送达须填写收件地址。")
        tracking_number = text_required(
            tracking_number, code="delivery_tracking_required", message="邮寄送达须填写快递单号。"
        )
    case = case_lock(
        case, allowed={CaseStatus.CONCLUDED}, doing="登记送达", expected_version=expected_version
    )
    now = clock.now()
    case.delivery_method = method
    case.delivery_address = address if method == DeliveryMethod.POST else ""
    case.tracking_number = tracking_number if method == DeliveryMethod.POST else ""
    case.delivered_at = now
    case.closed_at = now
    case_transition(
        case,
        to=CaseStatus.DELIVERED,
        action=EventAction.DELIVERED,
        actor=actor,
        fields=["delivery_method", "delivery_address", "tracking_number", "delivered_at", "closed_at"],
        note={
            "window": _window_delivery_note(case, actor),
            "post": f"邮寄送达，快递单号 {tracking_number}",
            "electronic": "电子送达",
        }[method],
        changes={"method": method},
    )
    return case
