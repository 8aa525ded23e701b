"""Pre-review and correction (补齐补正): the one notice listing every problem, the corrected resubmission,
and the return (退件) of applications never corrected."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction

from onewindow.cases.hooks import CaseHook, case_hooks_run
from onewindow.cases.models import Case, CaseStatus, CorrectionRequest, EventAction, MaterialStatus
from onewindow.cases.services._common import (
    applicant_check,
    case_lock,
    case_transition,
    staff_check,
    text_required,
)
from onewindow.cases.services.intake import case_receive
from onewindow.catalogue.models import Material
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.organisations.models import Role
from onewindow.workdays.selectors import working_days_add


def _correction_period_days() -> int:
    return int(settings.ONEWINDOW_CORRECTION_PERIOD_DAYS)


def case_correction_request(
    *,
    case: Case,
    clerk: Any,
    problems: Sequence[tuple[Material, str]],
    expected_version: int | None = None,
) -> CorrectionRequest:
    """Send the one correction notice; an attempt to name materials outside the guide is refused and, once
    rolled back, reported to the hooks (e-supervision logs it as a breach)."""
    try:
        return _case_correction_request(
            case=case, clerk=clerk, problems=problems, expected_version=expected_version
        )
    except DomainError as refused:
        if refused.code == "correction_material_not_in_guide":
            listed = set(case.item_version.materials.values_list("pk", flat=True))
            outside = [material.name for material, _ in problems if material.pk not in listed]
            with transaction.atomic():
                case_hooks_run(CaseHook.CORRECTION_REFUSED, case=case, actor=clerk, outside=outside)
        raise


@transaction.atomic
def _case_correction_request(
    *,
    case: Case,
    clerk: Any,
    problems: Sequence[tuple[Material, str]],
    expected_version: int | None = None,
) -> CorrectionRequest:
    """Send the one correction notice (补齐补正告知书) listing every missing or defective material.

    Only materials of the case's guide version may be named (no extra requirements), only once per case and
    only within 5 working days of receipt — after that the case counts as accepted.
    """
    staff_check(clerk, case, [Role.WINDOW_CLERK], "发出补正告知", at_comprehensive_window=True)
    case = case_lock(
        case, allowed={CaseStatus.SUBMITTED}, doing="要求补正", expected_version=expected_version
    )
    if case.correction_requests.exists():
        raise DomainError(
            code="correction_already_requested",
            message="本案已发出过补正告知，依法应一次性告知全部问题。补正后仍不符合要求的，请作不予受理处理。",
            status=409,
        )
    if case.intake_due_on is not None and clock.today() > case.intake_due_on:
        raise DomainError(
            code="correction_window_closed",
            message=f"补正告知须在收件后 5 个工作日内（截至 {case.intake_due_on}）发出；逾期依法视为自收件之日起受理。",
            status=409,
        )
    if not problems:
        raise DomainError(code="correction_empty", message="请至少列出一项需要补齐或补正的材料及其问题。")
    listed = set(case.item_version.materials.values_list("pk", flat=True))
    outside = [m.name for m, _ in problems if m.pk not in listed]
    if outside:
        raise DomainError(
            code="correction_material_not_in_guide",
            message=f"补正告知只能列出办事指南中的申请材料，以下材料不在指南中：{'、'.join(outside)}。",
        )
    # 国务院令716 art. 7: what the platform fetched and verified from shared data is never asked again.
    shared = {row.material_id for row in case.materials.all() if row.from_shared_data}
    fetched = [m.name for m, _ in problems if m.pk in shared]
    if fetched:
        raise DomainError(
            code="correction_shared_data",
            message=f"以下材料已通过数据共享获取并核验（A 级），不能要求申请人补正提交：{'、'.join(fetched)}。",
        )
    items, seen = [], set()
    for material, problem in problems:
        if material.pk in seen:
            raise DomainError(
                code="correction_duplicate", message=f"“{material.name}”重复列出，请合并为一条。"
            )
        seen.add(material.pk)
        text = text_required(
            problem, code="correction_problem_required", message=f"请写明“{material.name}”存在的问题。"
        )
        items.append({"material_id": str(material.pk), "material": material.name, "problem": text})
        case.materials.filter(material=material, status=MaterialStatus.OK).update(
            status=MaterialStatus.DEFECTIVE, note=text[:500]
        )
    now, today = clock.now(), clock.today()
    notice = CorrectionRequest.objects.create(
        case=case,
        items=items,
        notice_number=f"BZ{today:%Y%m%d}{uuid.uuid4().hex[:10].upper()}",
        sent_at=now,
        sent_by=clerk,
        deadline_on=working_days_add(today, _correction_period_days()).date,
    )
    case_transition(
        case,
        to=CaseStatus.CORRECTION_REQUESTED,
        action=EventAction.CORRECTION_REQUESTED,
        actor=clerk,
        note=f"需补齐补正 {len(items)} 项材料，请于 {notice.deadline_on} 前补正。",
        changes={"notice": notice.notice_number, "materials": [i["material"] for i in items]},
    )
    return notice


@transaction.atomic
def case_resubmit(*, case: Case, actor: Any, expected_version: int | None = None) -> Case:
    """Send the corrected application back: every material on the notice needs a new file, and the checks
    run again. The clerk then has 5 working days to accept or refuse."""
    case = case_lock(
        case,
        allowed={CaseStatus.CORRECTION_REQUESTED},
        doing="提交补正材料",
        expected_version=expected_version,
    )
    applicant_check(case, actor)
    notice = case.correction_requests.filter(resolved_at=None).first()
    if notice is not None:
        notice.resolved_at = clock.now()
        notice.save(update_fields=["resolved_at", "updated_at"])
    return case_receive(case, actor=actor, action=EventAction.RESUBMITTED)


def cases_withdraw_uncorrected() -> int:
    """Scheduler: return (退件) every case whose correction period ran out without a resubmission."""
    overdue = CorrectionRequest.objects.filter(
        resolved_at=None, deadline_on__lt=clock.today(), case__status=CaseStatus.CORRECTION_REQUESTED
    ).values_list("case_id", "deadline_on")
    done = 0
    for case_id, deadline_on in list(overdue):
        with transaction.atomic():
            try:
                case = case_lock(Case(pk=case_id), allowed={CaseStatus.CORRECTION_REQUESTED}, doing="退件")
            except DomainError:
                continue  # resubmitted meanwhile
            case.closed_at = clock.now()
            case_transition(
                case,
                to=CaseStatus.WITHDRAWN,
                action=EventAction.WITHDRAWN,
                actor=None,
                fields=["closed_at"],
                note=f"申请人未在 {deadline_on} 前补齐补正材料，按规定退件。",
            )
            done += 1
    return done
