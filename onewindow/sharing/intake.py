"""No resubmission, for real (国务院令716 art. 7): the cases hooks through which the gateway answers a case's
shared-data materials and checks its form against the registries, and the notes the case pages show.

The platform queries on the handling department's behalf under that department's live approval, naming the
case and the approval's purpose, so each fetch is in the access log and in the person's 谁查了我的数据.
Nothing here may stop an application: a registry without the record or down leaves the material to the
applicant (trust level C), and is said so on the case page.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from onewindow.cases.hooks import CaseNote
from onewindow.cases.models import Case
from onewindow.cases.services import case_material_attach_shared
from onewindow.catalogue.models import Material, MaterialSource
from onewindow.catalogue.pdf import pdf_render
from onewindow.core.errors import DomainError
from onewindow.sharing.models import (
    AccessLogEntry,
    ApprovalStatus,
    CheckOutcome,
    FormCheck,
    QueryOutcome,
    SharedResource,
    SharingApproval,
    SubjectKind,
)
from onewindow.sharing.registries import REGISTRIES
from onewindow.sharing.services import SharedAnswer, shared_data_query

logger = logging.getLogger(__name__)
PLATFORM_LABEL = "一网通办平台（申请时自动获取）"


def _subject(case: Case, kind: str) -> str:
    """Whom the case is about, as the registry keys it: the company's credit code, or the applicant's ID."""
    if kind == SubjectKind.COMPANY:
        return case.company.credit_code if case.company is not None else ""
    return case.applicant.id_number or ""


def _approval(case: Case, resource: SharedResource) -> SharingApproval | None:
    """The handling department's approval to use ``resource`` (the broadest, newest first)."""
    from onewindow.core import clock

    today = clock.today()
    for approval in SharingApproval.objects.filter(
        resource=resource, consumer_id=case.department_id, status=ApprovalStatus.APPROVED
    ).order_by("-decided_at"):
        if approval.valid_until is None or approval.valid_until >= today:
            return approval
    return None


def _ask(case: Case, resource: SharedResource, *, fields: list[str] | None = None) -> SharedAnswer | None:
    """One query for the case, or None when the department holds no approval or the query failed (logged)."""
    approval = _approval(case, resource)
    subject = _subject(case, resource.subject_kind)
    if approval is None or not subject:
        return None
    try:
        return shared_data_query(
            resource=resource,
            consumer=case.department,
            official=None,
            official_label=PLATFORM_LABEL,
            purpose=approval.purpose,
            subject=subject,
            fields=fields or list(approval.fields),
            case=case,
        )
    except DomainError as refused:
        logger.info("shared data for case %s not fetched: %s", case.pk, refused.code)
        return None


def _resources_by_material(case: Case) -> dict[str, SharedResource]:
    by_key: dict[str, SharedResource] = {}
    for resource in SharedResource.objects.filter(is_active=True).order_by("code"):
        for key in resource.material_keys or []:
            by_key.setdefault(str(key), resource)
    return by_key


def _wanting(case: Case) -> list[tuple[Material, SharedResource]]:
    """The guide's materials a resource answers that the case does not have yet: those marked shared data,
    and e-licence ones the library did not supply (a registry holds the same facts)."""
    by_key = _resources_by_material(case)
    present = set(case.materials.values_list("material_id", flat=True))
    return [
        (material, by_key[material.key])
        for material in case.item_version.materials.all()
        if material.key in by_key
        and material.pk not in present
        and material.source in {MaterialSource.SHARED, MaterialSource.ELICENCE}
    ]


def shared_materials_fetch(*, case: Case, actor: Any) -> int:
    """Fetch every material a registry can answer and attach it at trust level A; how many were attached."""
    attached = 0
    for material, resource in _wanting(case):
        answer = _ask(case, resource)
        if answer is None:
            continue
        content = pdf_render(
            "sharing/pdf/record.html",
            {
                "case": case,
                "material": material,
                "resource": resource,
                "registry": REGISTRIES[resource.registry],
                "answer": answer,
                "rows": list(
                    zip(resource.field_names(list(answer.record)), answer.record.values(), strict=True)
                ),
            },
        )
        try:
            # A savepoint per material: one that cannot be attached is left to the applicant alone.
            with transaction.atomic():
                case_material_attach_shared(
                    case=case,
                    actor=actor,
                    material=material,
                    reference=answer.reference,
                    content=content,
                    name=f"{material.name}（共享数据）.pdf",
                )
            attached += 1
        except DomainError as refused:
            logger.warning(
                "shared data %s not attached to case %s: %s", answer.reference, case.pk, refused.code
            )
    return attached


def shared_materials_on_start(*, case: Case, actor: Any, **_: Any) -> None:
    """``CaseHook.STARTED``: fetch what the registries hold as the draft starts (the applicant sees it)."""
    shared_materials_fetch(case=case, actor=actor)


def _check(
    case: Case, *, field: str, label: str, outcome: str, detail: str = "", reference: str = ""
) -> None:
    FormCheck.objects.update_or_create(
        case=case,
        field=field,
        defaults={"label": label, "outcome": outcome, "detail": detail[:300], "query_reference": reference},
    )


def _compare(record: dict[str, str], form: dict[str, Any], pairs: list[tuple[str, str, str]]) -> list[str]:
    """Differences between form answers and registry fields, as sentences for the clerk."""
    differences = []
    for form_key, record_key, label in pairs:
        answered = str(form.get(form_key) or "").strip()
        held = str(record.get(record_key) or "").strip()
        if answered and held and answered != held:
            differences.append(f"{label}填写为“{answered}”，登记为“{held}”")
    return differences


def form_verify(*, case: Case) -> None:
    """Check the form's credit code against the market registry and the applicant's ID number against the
    population registry; the clerk sees each result (and every mismatch) on the case page."""
    form = dict(case.form_data or {})
    resources = {
        r.registry: r
        for r in SharedResource.objects.filter(is_active=True, registry__in=["market", "population"])
    }
    code = str(form.get("credit_code") or "").strip()
    market = resources.get("market")
    if code and market is not None and _approval(case, market) is not None:
        _verify_one(
            case,
            market,
            subject=code,
            field="credit_code",
            label=f"统一社会信用代码 {code}",
            pairs=[
                ("company_name", "name", "单位名称"),
                ("legal_representative", "legal_representative", "法定代表人"),
            ],
            extra=lambda record: (
                []
                if record.get("status", "存续") in {"存续", "在业", ""}
                else [f"登记状态为“{record['status']}”"]
            ),
        )
    number = str(form.get("id_number") or "").strip()
    population = resources.get("population")
    if number and population is not None and _approval(case, population) is not None:
        name_key = "applicant_name" if "applicant_name" in form else "name"
        _verify_one(
            case,
            population,
            subject=number,
            field="id_number",
            label="申请人身份证件号码",
            pairs=[(name_key, "name", "姓名")],
            extra=lambda record: [],
        )


def _verify_one(
    case: Case,
    resource: SharedResource,
    *,
    subject: str,
    field: str,
    label: str,
    pairs: list[tuple[str, str, str]],
    extra: Any,
) -> None:
    approval = _approval(case, resource)
    assert approval is not None
    fields = [key for _, key, _ in pairs if key in approval.fields]
    fields += [k for k in ("status",) if k in approval.fields]
    if not fields:
        return
    try:
        answer = shared_data_query(
            resource=resource,
            consumer=case.department,
            official=None,
            official_label=PLATFORM_LABEL,
            purpose=approval.purpose,
            subject=subject,
            fields=fields,
            case=case,
        )
    except DomainError as refused:
        outcome = {
            "sharing.no_record": CheckOutcome.NOT_FOUND,
            "sharing.subject_invalid": CheckOutcome.NOT_FOUND,
        }.get(refused.code, CheckOutcome.UNAVAILABLE)
        _check(case, field=field, label=label, outcome=outcome, detail=str(refused.message))
        return
    differences = _compare(answer.record, case.form_data or {}, pairs) + extra(answer.record)
    _check(
        case,
        field=field,
        label=label,
        outcome=CheckOutcome.MISMATCH if differences else CheckOutcome.MATCH,
        detail="；".join(differences),
        reference=answer.reference,
    )


def shared_data_on_receipt(*, case: Case, actor: Any, **_: Any) -> None:
    """``CaseHook.RECEIVING``: fetch what is still missing (a registry that was down at the start may be back)
    and check the form. A failure here never stops the receipt."""
    try:
        with transaction.atomic():
            shared_materials_fetch(case=case, actor=actor)
            form_verify(case=case)
    except Exception:
        logger.exception("registry checks of case %s failed", case.pk)


NOTE_OUTCOMES = {
    QueryOutcome.NO_RECORD: "{registry}中没有查到您的记录，平台未能自动获取“{material}”。请上传该材料，窗口将人工核验。",
    QueryOutcome.UNAVAILABLE: "{registry}暂时不可用，平台未能自动获取“{material}”。您可以上传该材料继续申请，或稍后再提交，平台会再次尝试获取。",
}


def case_notes(*, case: Case) -> list[CaseNote]:
    """For the applicant: why a shared-data material was not fetched. For the clerk: the registry checks."""
    notes: list[CaseNote] = []
    wanting = _wanting(case)
    if wanting:
        latest: dict[Any, str] = {}
        for entry in (
            AccessLogEntry.objects.filter(case_id=case.pk).order_by("seq").only("resource_id", "outcome")
        ):
            latest[entry.resource_id] = entry.outcome
        for material, resource in wanting:
            template = NOTE_OUTCOMES.get(latest.get(resource.pk, ""))  # type: ignore[call-overload]
            if template:
                text = template.format(registry=REGISTRIES[resource.registry], material=material.name)
                notes.append(
                    CaseNote(text=text, audience="applicant", material_key=material.key, level="warning")
                )
    for check in FormCheck.objects.filter(case=case):
        if check.outcome == CheckOutcome.MATCH:
            text, level = f"{check.label}：与登记信息一致（查询编号 {check.query_reference}）", "info"
        else:
            text = f"{check.label}：{check.get_outcome_display()}" + (
                f"——{check.detail}" if check.detail else ""
            )
            level = "warning"
        notes.append(CaseNote(text=text, audience="staff", level=level))
    return notes
