"""证明事项告知承诺制 (国办发〔2020〕42号): a material the catalogue allows to be replaced by a signed pledge
(trust level D); the department's post-check (核查) once the case is accepted; a false pledge revokes the
decision (and, through the licences app, its licence) and goes on the applicant's record."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from onewindow.cases.hooks import CaseHook, case_hooks_run
from onewindow.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseStatus,
    ConclusionCode,
    EventAction,
    FalsePledge,
    MaterialStatus,
    PledgeCheck,
    PledgeCheckStatus,
    TrustLevel,
)
from onewindow.cases.services._common import (
    HANDLING_ROLES,
    applicant_check,
    case_lock,
    case_transition,
    staff_check,
    text_required,
)
from onewindow.catalogue.models import Material
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.services import audit_record
from onewindow.organisations.models import Role
from onewindow.workdays.selectors import working_days_add

# The departments set their own check period; 20 working days from acceptance is the common one, within
# the time the decision itself takes, so a false pledge is usually found before the licence is used.
PLEDGE_CHECK_WORKING_DAYS = 20


def false_pledges_of(case: Case) -> list[FalsePledge]:
    """The false pledges on record for the case's applicant (person, or company when filed for one)."""
    records = FalsePledge.objects.select_related("pledge_check__case")
    if case.company_id is not None:
        return list(records.filter(company_id=case.company_id))
    return list(records.filter(person_id=case.applicant_id, company=None))


@transaction.atomic
def case_material_pledge(*, case: Case, user: Any, material: Material, accepted: bool) -> CaseMaterial:
    """Replace a material by the applicant's signed pledge (trust level D): only where the catalogue allows
    it, only after the applicant accepted its text, and never for an applicant with a false pledge on record."""
    case = case_lock(case, allowed={CaseStatus.DRAFT, CaseStatus.CORRECTION_REQUESTED}, doing="签署告知承诺")
    applicant_check(case, user)
    if material.version_id != case.item_version_id:
        raise DomainError(
            code="material_not_in_guide", message=f"“{material.name}”不是该事项办事指南所列的申请材料。"
        )
    if not material.pledge_allowed or not material.pledge_text.strip():
        raise DomainError(
            code="pledge_not_allowed",
            message=f"“{material.name}”不适用告知承诺制，请按办事指南提交该材料。",
        )
    if not accepted:
        raise DomainError(
            code="pledge_not_accepted", message="请阅读承诺内容并勾选“我已阅读并承诺”后再提交承诺。"
        )
    if false_pledges_of(case):
        # 国办发〔2020〕42号: an applicant who made a false pledge no longer benefits from the pledge system.
        raise DomainError(
            code="pledge_barred",
            message="您（单位）有虚假承诺记录，不再适用告知承诺制，请按办事指南提交该材料。",
            status=403,
        )
    earlier = case.materials.filter(material=material, trust_level=TrustLevel.D, status=MaterialStatus.OK)
    if earlier.exists():
        return earlier.get()
    row = CaseMaterial.objects.create(
        case=case,
        material=material,
        original_name=f"{material.name}（告知承诺）"[:200],
        trust_level=TrustLevel.D,
        pledge_text=material.pledge_text,
        pledged_at=clock.now(),
        uploaded_by=user,
    )
    audit_record(
        actor=user,
        action="case.material_pledge",
        target=case,
        changes={"material": material.key, "trust_level": TrustLevel.D},
    )
    return row


def pledge_checks_create(case: Case) -> list[PledgeCheck]:
    """At acceptance: one post-check task per pledge, for the handling department, with its due date."""
    due_on = working_days_add(clock.today(), PLEDGE_CHECK_WORKING_DAYS).date
    return [
        PledgeCheck.objects.get_or_create(
            case_material=row, defaults={"case": case, "department_id": case.department_id, "due_on": due_on}
        )[0]
        for row in case.materials.filter(trust_level=TrustLevel.D, status=MaterialStatus.OK)
    ]


def _check_lock(check: PledgeCheck, *, user: Any, roles: Any, doing: str) -> PledgeCheck:
    staff_check(user, check.case, roles, doing)
    locked = PledgeCheck.objects.select_for_update().select_related("case", "case_material").get(pk=check.pk)
    if locked.status != PledgeCheckStatus.OPEN:
        raise DomainError(code="pledge_check_done", message="该承诺已核查，请刷新后查看结果。", status=409)
    return locked


@transaction.atomic
def pledge_check_confirm(*, check: PledgeCheck, user: Any, finding: str) -> PledgeCheck:
    """The post-check found the pledge true."""
    check = _check_lock(check, user=user, roles=HANDLING_ROLES, doing="核查告知承诺")
    check.finding = text_required(finding, code="pledge_finding_required", message="请填写核查情况。")
    check.status, check.checked_by, check.checked_at = PledgeCheckStatus.CONFIRMED, user, clock.now()
    check.save(update_fields=["finding", "status", "checked_by", "checked_at", "updated_at"])
    CaseEvent.objects.create(
        case=check.case,
        action=EventAction.PLEDGE_CHECKED,
        from_status=check.case.status,
        to_status=check.case.status,
        department_id=check.department_id,
        actor=user,
        at=clock.now(),
        note=f"告知承诺核查属实：{check.case_material.material.name}。",
        public=False,
    )
    audit_record(
        actor=user, action="case.pledge_confirm", target=check.case, changes={"check": str(check.pk)}
    )
    return check


@transaction.atomic
def pledge_check_record_false(*, check: PledgeCheck, user: Any, finding: str) -> PledgeCheck:
    """The pledge was false: record it against the applicant, and revoke an approval obtained with it
    (行政许可法 art. 69 para. 2: a licence obtained by deception is revoked) — its licence too, through the
    ``DECISION_REVOKED`` hook. The approver decides, as the revocation undoes a decision."""
    check = _check_lock(check, user=user, roles=[Role.APPROVER], doing="认定虚假承诺并撤销许可决定")
    finding = text_required(
        finding, code="pledge_finding_required", message="请写明核查发现的不实情况及依据。"
    )
    case = case_lock(
        check.case,
        allowed=set(CaseStatus.values) - {CaseStatus.DRAFT},
        doing="认定虚假承诺",
    )
    now = clock.now()
    check.finding, check.status, check.checked_by, check.checked_at = (
        finding,
        PledgeCheckStatus.FALSE,
        user,
        now,
    )
    check.save(update_fields=["finding", "status", "checked_by", "checked_at", "updated_at"])
    material_name = check.case_material.material.name
    FalsePledge.objects.create(
        person_id=case.applicant_id,
        company_id=case.company_id,
        pledge_check=check,
        material_name=material_name[:200],
        finding=finding,
        recorded_by=user,
    )
    case_transition(
        case,
        to=case.status,
        action=EventAction.FALSE_PLEDGE,
        actor=user,
        note=f"经核查，申请人就“{material_name}”作出的承诺与实际情况不符：{finding}",
        basis="《国务院办公厅关于全面推行证明事项告知承诺制的指导意见》（国办发〔2020〕42号）",
        changes={"check": str(check.pk)},
    )
    approved = case.conclusion_code == ConclusionCode.APPROVED and case.decision_revoked_at is None
    if case.status in (CaseStatus.CONCLUDED, CaseStatus.DELIVERED) and approved:
        reason = f"申请人以虚假承诺（{material_name}）取得行政许可：{finding}"
        case.decision_revoked_at, case.decision_revoked_reason = now, reason
        case_transition(
            case,
            to=case.status,
            action=EventAction.DECISION_REVOKED,
            actor=user,
            fields=["decision_revoked_at", "decision_revoked_reason"],
            note=f"撤销准予行政许可决定。{reason}",
            basis="《中华人民共和国行政许可法》第六十九条第二款",
        )
        case_hooks_run(CaseHook.DECISION_REVOKED, case=case, actor=user, reason=reason)
    return check
