"""Applying: starting a case, the form, the materials, submitting (online or at a window), correction and
withdrawal (网上申请、网上预审、补齐补正、撤回、退件)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import prefetch_related_objects

from onewindow.cases.hooks import CaseHook, case_hooks_run
from onewindow.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseMessage,
    CaseStatus,
    EventAction,
    MaterialStatus,
    TrustLevel,
)
from onewindow.cases.services._common import (
    applicant_check,
    case_lock,
    case_transition,
    idempotency_claim,
    idempotency_remember,
    request_fingerprint,
    staff_check,
    text_required,
)
from onewindow.cases.services.materials import _attach, _material_of
from onewindow.cases.services.uploads import upload_sha256
from onewindow.catalogue.form_limits import form_size_check
from onewindow.catalogue.forms_render import form_prefill, form_problems
from onewindow.catalogue.models import Item, ItemVersion, Material, Necessity, VersionStatus
from onewindow.catalogue.pdf import application_form_pdf
from onewindow.catalogue.prefill import form_prefill_for
from onewindow.core import clock
from onewindow.core.errors import DomainError, FieldProblem
from onewindow.core.services import audit_record
from onewindow.identity.models import AgencyScope, AssuranceLevel, Company, Person, PersonAgency
from onewindow.identity.selectors import agency_latest, principal_for_user
from onewindow.identity.services.representation import person_agency_use_record
from onewindow.organisations.models import Role
from onewindow.workdays.selectors import working_days_add

# 行政许可法 art. 32: an incomplete application must be answered within 5 days (working days in practice).
INTAKE_WORKING_DAYS = 5


def _published_version(item: Item) -> ItemVersion:
    version = item.published_version
    if version is None or version.status != VersionStatus.PUBLISHED:
        raise DomainError(code="item_not_published", message="该事项当前未发布，暂不能申请。", status=409)
    return version


def _prefill(version: ItemVersion, user: Any, company: Company | None) -> dict[str, Any]:
    """The profile, the company acted for and the applicant's licences fill what they can (避免重复录入)."""
    # Only the fields this form has: the defaults cover several common field names.
    fields = (version.form_schema or {}).get("properties") or {}
    named = {name: value for name, value in form_prefill(version.form_ui, user).items() if name in fields}
    return named | form_prefill_for(
        schema=version.form_schema or {}, ui=version.form_ui, user=user, company=company
    )


def _intake_due(received_on: dt.date) -> dt.date:
    return working_days_add(received_on, INTAKE_WORKING_DAYS).date


def _company_check(user: Any, person: Person, company: Company) -> Any:
    """The authorisation the person applies for ``company`` under (None for its legal representative)."""
    principal = principal_for_user(user)
    if (
        principal.company is not None
        and principal.company.pk == company.pk
        and principal.allows(AgencyScope.APPLY)
    ):
        return principal.agency
    latest = agency_latest(person=person, company=company)
    if latest is not None and not latest.is_active():
        reason = "您代该企业办事的授权已过期或已被撤销"
    elif latest is not None:
        reason = "您的授权范围不包括“申请办理事项”"
    else:
        reason = "您没有代该企业办事的授权，或当前未切换为代该企业办事"
    raise DomainError(
        code="agency_not_allowed",
        message=f"{reason}。请联系企业法定代表人授权后再申请。",
        status=403,
    )


def _person_agency_check(principal: Any, company: Company | None) -> PersonAgency | None:
    """The authorisation an agent applies under in a person's name (None when acting for oneself)."""
    if principal.on_behalf_of is None:
        return None
    if company is not None:
        raise DomainError(
            code="agency_not_allowed",
            message="您正在以委托代理人身份代他人办事，不能同时代企业申请。请先切换身份。",
            status=403,
        )
    if not principal.allows(AgencyScope.APPLY):
        raise DomainError(
            code="agency_not_allowed",
            message=f"{principal.on_behalf_of}对您的委托不包括“申请办理事项”，请联系委托人调整委托范围。",
            status=403,
        )
    return principal.person_agency


@transaction.atomic
def case_start(
    *,
    user: Any,
    item: Item,
    company: Company | None = None,
    form_data: dict[str, Any] | None = None,
    parent: Case | None = None,
    idempotency_key: str | None = None,
) -> Case:
    """Start a draft application for the item's published guide version, prefilled from the applicant's
    profile. With ``company`` the user applies as its agent and needs a live authorisation with ``apply``."""
    claim, earlier = idempotency_claim(
        user=user,
        key=idempotency_key,
        # The form is part of the request: the same key with another form is a different request (422).
        fingerprint=request_fingerprint(
            op="start", item=item.pk, company=company.pk if company else None, form=form_data or {}
        ),
    )
    if earlier is not None:
        return earlier
    principal = principal_for_user(user)
    person = principal.person
    if person is None:
        raise DomainError(
            code="applicant_not_a_person", message="请先以个人实名账户登录后再申请办理事项。", status=403
        )
    person_agency = _person_agency_check(principal, company)
    version = _published_version(item)
    if not version.is_online:
        raise DomainError(
            code="item_not_online", message="该事项暂不支持网上申请，请到办事指南所列地点的窗口办理。"
        )
    if person.assurance_level < version.min_assurance_level:
        required = AssuranceLevel(version.min_assurance_level)
        raise DomainError(
            code="assurance_level_too_low",
            message=f"申请该事项需要 L{required.value} 级实名认证，您当前为 L{person.assurance_level} 级。请先在“我的账户”完成更高等级的身份认证，再继续申请。",
            status=403,
        )
    agency = _company_check(user, person, company) if company is not None else None
    if form_data:
        form_size_check(schema=version.form_schema, data=form_data)
    case = Case.objects.create(
        # An agent applies in the principal's name (委托代理): the principal is the applicant in law.
        applicant=principal.on_behalf_of or person,
        person_agency=person_agency,
        company=company,
        agency=agency,
        item=item,
        item_version=version,
        parent=parent,
        department_id=item.department_id,
        form_data=_prefill(version, user, company) | (form_data or {}),
    )
    CaseEvent.objects.create(
        case=case,
        action=EventAction.STARTED,
        to_status=CaseStatus.DRAFT,
        department_id=case.department_id,
        actor=user,
        at=clock.now(),
        public=False,
    )
    changes = {"item": item.implementation_code}
    if person_agency is not None:
        changes["on_behalf_of"] = str(person_agency.principal_id)
        person_agency_use_record(
            agency=person_agency,
            action="case.start",
            description=f"代您申请“{version.name}”",
            target=case,
        )
    audit_record(actor=user, action="case.start", target=case, changes=changes)
    # The e-licence library attaches the licences the holder agreed to reuse (免提交).
    case_hooks_run(CaseHook.STARTED, case=case, actor=user)
    idempotency_remember(claim, case)
    return case


@transaction.atomic
def case_form_save(
    *, case: Case, user: Any, form_data: dict[str, Any], expected_version: int | None = None
) -> Case:
    """Save the application form (a draft may be incomplete; it is checked when submitted)."""
    if not isinstance(form_data, dict):
        raise DomainError(code="form_data_invalid", message="表单数据格式不正确。")
    case = case_lock(
        case,
        allowed={CaseStatus.DRAFT, CaseStatus.CORRECTION_REQUESTED},
        doing="修改申请表",
        expected_version=expected_version,
    )
    applicant_check(case, user)
    form_size_check(schema=case.item_version.form_schema, data=form_data)
    case.form_data = form_data
    case.version += 1
    case.save(update_fields=["form_data", "version", "updated_at"])
    audit_record(actor=user, action="case.form_save", target=case)
    return case


def submission_problems(case: Case, *, handed_over: frozenset[str] = frozenset()) -> list[FieldProblem]:
    """What the automatic pre-review finds: form errors and required materials missing. Materials from
    shared data, the issuer or the e-licence library are never asked for, nor one generated from the form:
    the applicant may pick a licence from the wallet or upload the material, and without either the
    department looks the licence up at acceptance. ``handed_over`` are the licence types an earlier stage
    of a life event will issue and hand over to this case, so they are not asked for either."""
    problems = [
        FieldProblem(field=f"form.{problem.name}", code=problem.code, message=problem.message)
        for problem in form_problems(case.item_version.form_schema or {}, case.form_data or {})
    ]
    # .all() so a list page's prefetch serves it (the bundle page asks this for every child).
    present = {row.material_id for row in case.materials.all() if row.status == MaterialStatus.OK}
    for material in case.item_version.materials.all():
        if material.necessity != Necessity.REQUIRED or material.pk in present or material.generated_online:
            continue
        if material.licence_type_code and material.licence_type_code in handed_over:
            continue
        # A material the platform can obtain never blocks the submission (国务院令716 art. 7): a licence the
        # applicant neither picked nor holds in the wallet is looked up by the department at acceptance
        # (licence_query_for_case) or, if the library has none, named in a correction notice and uploaded.
        if not material.obtained_by_platform:
            problems.append(
                FieldProblem(
                    field=f"materials.{material.key}",
                    code="material_missing",
                    message=f"请上传“{material.name}”。",
                )
            )
    return problems


def _problems_raise(problems: list[FieldProblem]) -> None:
    if problems:
        raise DomainError(
            code="case_incomplete",
            message=f"申请还有 {len(problems)} 处需要补充或修改，请按提示处理后再提交。",
            problems=problems,
        )


def _generated_materials_attach(case: Case, *, actor: Any) -> None:
    """Print the form as received into every material generated from it (申请书), so the department reads
    exactly what was submitted; a resubmission adds the corrected print beside the first."""
    materials = [material for material in case.item_version.materials.all() if material.generated_online]
    if not materials:
        return
    content = application_form_pdf(version=case.item_version, data=case.form_data or {})
    for material in materials:
        _attach(
            case=case,
            material=material,
            upload=ContentFile(content, name=f"{material.name}.pdf"),
            trust=TrustLevel.C,
            user=actor,
            reference=f"form:v{case.version}",
        )


def case_receive(case: Case, *, actor: Any, action: str) -> Case:
    """Run the automatic pre-review on a locked case and record its receipt (first submission or resubmission)."""
    # The guide's materials are read by the hooks, the pre-review and the generated prints: once, not thrice.
    prefetch_related_objects([case.item_version], "materials")
    # Shared data still missing is fetched, and the form checked against the registries, before the check.
    case_hooks_run(CaseHook.RECEIVING, case=case, actor=actor)
    _problems_raise(submission_problems(case))
    _generated_materials_attach(case, actor=actor)
    now = clock.now()
    case.intake_due_on = _intake_due(clock.today())
    fields = ["intake_due_on"]
    if case.submitted_at is None:
        case.submitted_at = now
        fields.append("submitted_at")
    elif action == EventAction.RESUBMITTED:
        case.resubmitted_at = now
        fields.append("resubmitted_at")
    case_transition(case, to=CaseStatus.SUBMITTED, action=action, actor=actor, fields=fields)
    return case


@transaction.atomic
def case_submit(
    *, case: Case, actor: Any, idempotency_key: str | None = None, expected_version: int | None = None
) -> Case:
    """Submit a draft: the automatic checks run, the receipt time is recorded and the 5-working-day
    pre-review window starts. The same ``idempotency_key`` again returns the case without a second submission."""
    claim, earlier = idempotency_claim(
        user=actor, key=idempotency_key, fingerprint=request_fingerprint(op="submit", case=case.pk)
    )
    if earlier is not None:
        return earlier
    case = case_lock(case, allowed={CaseStatus.DRAFT}, doing="提交", expected_version=expected_version)
    applicant_check(case, actor)
    if case.bundle_id is not None or case.parent_id is not None:
        # A bundle is submitted as a whole (bundle_case_submit), never one item at a time.
        raise DomainError(
            code="bundle_submit_required",
            message="该申请属于“一件事”，请在“一件事”页面检查全部事项后一次提交。",
            status=409,
        )
    case_receive(case, actor=actor, action=EventAction.SUBMITTED)
    if case.person_agency is not None and case.person_agency.agent.user_id == getattr(actor, "pk", None):
        person_agency_use_record(
            agency=case.person_agency,
            action="case.submit",
            description=f"代您提交“{case.item_version.name}”申请",
            target=case,
        )
    idempotency_remember(claim, case)
    return case


@transaction.atomic
def case_create_and_submit(
    *,
    user: Any,
    item: Item,
    form_data: dict[str, Any],
    company: Company | None = None,
    idempotency_key: str | None = None,
    uploads: Sequence[tuple[str, Any]] = (),
) -> Case:
    """Start, attach the uploaded materials and submit in one request (``POST /cases`` with everything at
    once, e.g. from another system). ``uploads`` are (material key of the guide, file) pairs, trust level C.
    A retry with the same key returns the first case; the key with other files is another request (422)."""
    claim, earlier = idempotency_claim(
        user=user,
        key=idempotency_key,
        fingerprint=request_fingerprint(
            op="create_and_submit",
            item=item.pk,
            company=company.pk if company else None,
            form=form_data,
            # Only when there are files, so a key used before uploads were accepted still matches.
            **({"files": [[key, upload_sha256(upload)] for key, upload in uploads]} if uploads else {}),
        ),
    )
    if earlier is not None:
        return earlier
    case = case_start(user=user, item=item, company=company, form_data=form_data)
    stored: list[CaseMaterial] = []
    try:
        if uploads:
            by_key = {material.key: material for material in case.item_version.materials.all()}
            for key, upload in uploads:
                material = by_key.get(key)
                if material is None or not material.asked_as_upload:
                    raise DomainError(
                        code="material_not_in_guide",
                        message=f"“{key}”不是该事项办事指南中需要上传的申请材料，请按指南所列材料上传。",
                    )
                stored.append(
                    _attach(case=case, material=material, upload=upload, trust=TrustLevel.C, user=user)
                )
        case = case_submit(case=case, actor=user)
    except DomainError:
        # The whole request rolls back: the files stored for it go too.
        for row in stored:
            row.file.delete(save=False)
        raise
    idempotency_remember(claim, case)
    return case


@transaction.atomic
def case_walk_in_file(
    *,
    clerk: Any,
    person: Person,
    item: Item,
    form_data: dict[str, Any],
    materials: Sequence[tuple[Material, Any]],
) -> Case:
    """File a case for a person at the counter (双轨): the same records and clock as online; the materials
    were checked against the originals (trust level B). The clerk can accept it straight away."""
    version = _published_version(item)
    case = Case(
        applicant=person,
        item=item,
        item_version=version,
        department_id=item.department_id,
        form_data=form_data,
        walk_in=True,
        filed_by=clerk,
    )
    staff_check(clerk, case, [Role.WINDOW_CLERK], "在窗口代为录入申请", at_comprehensive_window=True)
    case.save()
    audit_record(actor=clerk, action="case.walk_in_file", target=case, changes={"person": str(person.pk)})
    return case_file_for_person(case=case, materials=materials, trust=TrustLevel.B, actor=clerk)


def case_file_for_person(*, case: Case, materials: Any, trust: str, actor: Any) -> Case:
    """Store the materials of a case staff file for a person (at the window, or 帮办 at a grassroots point)
    and receive it. Inside the caller's transaction: on a refusal the rows roll back, and the files already
    stored are removed too."""
    stored: list[CaseMaterial] = []
    try:
        for material, upload in materials:
            stored.append(
                _attach(
                    case=case, material=_material_of(case, material), upload=upload, trust=trust, user=actor
                )
            )
        return case_receive(case, actor=actor, action=EventAction.SUBMITTED)
    except DomainError:
        for row in stored:
            row.file.delete(save=False)
        raise


@transaction.atomic
def case_withdraw(*, case: Case, actor: Any, reason: str = "", expected_version: int | None = None) -> Case:
    """The applicant withdraws an application that has not been accepted yet (a draft needs no reason)."""
    case = case_lock(
        case,
        allowed={CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUESTED},
        doing="撤回（已受理的办件请联系承办部门）",
        expected_version=expected_version,
    )
    applicant_check(case, actor)
    if case.is_bundle:
        # The parent of a life event ends with its items: bundle_case_withdraw withdraws them together.
        raise DomainError(
            code="bundle_withdraw_required",
            message="该申请属于“一件事”，请在“一件事”页面撤回。",
            status=409,
        )
    if case.status != CaseStatus.DRAFT:
        reason = text_required(reason, code="withdraw_reason_required", message="请填写撤回申请的原因。")
    case.closed_at = clock.now()
    case_transition(
        case,
        to=CaseStatus.WITHDRAWN,
        action=EventAction.WITHDRAWN,
        actor=actor,
        fields=["closed_at"],
        note=reason,
        public=case.status != CaseStatus.DRAFT,
        notify=case.status != CaseStatus.DRAFT,
    )
    return case


def case_messages_mark_read(*, user: Any, case: Case | None = None) -> int:
    """Mark the user's in-site messages (of one case, or all) as read. Reading is not a state change of the
    case: no timeline event and no audit entry."""
    unread = CaseMessage.objects.filter(recipient=user, read_at=None)
    if case is not None:
        unread = unread.filter(case=case)
    return unread.update(read_at=clock.now())
