"""After acceptance: handling, special procedures and extensions on the legal clock, the decision and the
delivery of the result (特别程序、延期、办结、送达)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from onewindow.cases.hooks import CaseHook, case_hooks_run
from onewindow.cases.models import (
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
from onewindow.workdays.selectors import working_days_add
from onewindow.workdays.services import deadline_pause, deadline_resume, deadline_start

# The longest a special procedure may be announced for (a year of working days): beyond that it is a typo.
EXPECTED_DAYS_MAX = 250

# 行政许可法 art. 44: the licence is issued and delivered within 10 working days of the decision.
DELIVERY_WORKING_DAYS = 10
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
    expected_working_days: int,
    started_on: dt.date | None = None,
    expected_version: int | None = None,
) -> SpecialProcedure:
    """Start a special procedure (hearing, inspection, testing …): the clock stops from ``started_on``
    (today by default) and the due date moves by every paused working day. Its expected duration is
    recorded and told to the applicant in a written notice (特别程序告知书, 行政许可法 art. 45)."""
    staff_check(actor, case, [Role.REVIEWER, Role.APPROVER], "启动特别程序")
    if not isinstance(expected_working_days, int) or not 1 <= expected_working_days <= EXPECTED_DAYS_MAX:
        raise DomainError(
            code="procedure_expected_days_invalid",
            message=f"请填写特别程序预计所需的工作日数（1–{EXPECTED_DAYS_MAX}），该时间将书面告知申请人。",
        )
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
    # The first day of the procedure counts as its first working day when it is one.
    expected_end_on = working_days_add(started_on - dt.timedelta(days=1), expected_working_days).date
    procedure = SpecialProcedure.objects.create(
        case=case,
        kind=kind,
        basis=basis,
        reason=reason,
        started_on=started_on,
        expected_working_days=expected_working_days,
        expected_end_on=expected_end_on,
        approved_by=actor,
        pause=pause,
    )
    case_transition(
        case,
        to=CaseStatus.SUSPENDED,
        action=EventAction.SUSPENDED,
        actor=actor,
        note=f"{PROCEDURE_ZH[ProcedureKind(kind)]}，原因：{reason}。预计需 {expected_working_days} 个工作日（至 {expected_end_on}），期间不计入办理时限。",
        basis=basis,
        changes={
            "procedure": kind,
            "from": str(started_on),
            "expected_working_days": expected_working_days,
            "expected_end_on": str(expected_end_on),
        },
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
    fields = ["conclusion_code", "result", "conclusion_reason", "concluded_at"]
    changes: dict[str, Any] = {"code": code}
    if code == ConclusionCode.APPROVED:
        # The delivery clock (art. 44), supervised like the decision clock until the result is delivered.
        case.delivery_deadline = deadline_start(
            label=f"{case.number or case.pk} 送达"[:200],
            start_on=clock.today(),
            working_days=DELIVERY_WORKING_DAYS,
        )
        fields.append("delivery_deadline")
        changes["deliver_by"] = str(case.delivery_deadline.due_on)
    case_transition(
        case,
        to=CaseStatus.CONCLUDED,
        action=EventAction.CONCLUDED,
        actor=actor,
        fields=fields,
        note=_conclusion_note(case, code, reason),
        changes=changes,
    )
    case_hooks_run(CaseHook.CONCLUDED, case=case, actor=actor, code=code)
    return case


def _conclusion_note(case: Case, code: int, reason: str) -> str:
    label = CONCLUSION_ZH[ConclusionCode(code)]
    note = f"{label}。{reason}" if reason else f"{label}。"
    if code == ConclusionCode.DENIED:
        note += "《不予行政许可决定书》已出具，载明理由及申请行政复议或者提起行政诉讼的权利。"
    if case.delivery_deadline is not None:
        note += f"依法应于 {case.delivery_deadline.due_on} 前送达。"
    return note


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
