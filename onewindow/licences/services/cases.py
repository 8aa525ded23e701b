"""Issuing on conclusion: an approved case (出证办结) whose item produces a licence issues it to the applicant,
inside the conclusion's transaction (cases.hooks), so the case and the library never disagree."""

from __future__ import annotations

from typing import Any

from onewindow.cases.models import Case, ConclusionCode
from onewindow.core.errors import DomainError
from onewindow.licences.models import Licence, LicenceStatus, LicenceType
from onewindow.licences.services.issuing import licence_issue
from onewindow.licences.services.lifecycle import licence_revoke


def face_from_case(licence_type: LicenceType, case: Case) -> dict[str, str]:
    """The face fields filled per the type's template: ``form.<key>`` from the application form,
    ``case.number``, ``case.item`` and ``holder.name``; a source the case lacks leaves the field empty."""
    holder_name = case.company.name if case.company_id and case.company else case.applicant.user.name
    known = {
        "case.number": case.number or "",
        "case.item": case.item_version.name,
        "holder.name": holder_name,
    }
    face: dict[str, str] = {}
    for field in licence_type.face_fields:
        if not isinstance(field, dict) or not field.get("key"):
            continue
        source = str(field.get("source") or f"form.{field['key']}")
        if source.startswith("form."):
            value: Any = case.form_data.get(source.removeprefix("form."), "")
        else:
            value = known.get(source, "")
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        face[str(field["key"])] = "" if value is None else str(value)
    return face


def licence_issue_for_case(*, case: Case, actor: Any | None, code: int, **_: Any) -> Licence | None:
    """The ``CaseHook.CONCLUDED`` handler: issue the item's licence when the case is approved."""
    if code != ConclusionCode.APPROVED or case.is_bundle:
        return None
    type_code = case.item_version.licence_type_code
    if not type_code:
        return None
    if Licence.objects.filter(case=case).exists():
        return None
    licence_type = LicenceType.objects.filter(code=type_code, is_active=True).select_related("issuer").first()
    # Refused, not skipped: the conclusion rolls back rather than tell the applicant a licence was issued
    # (出证办结) that the library never holds.
    if licence_type is None:
        raise DomainError(
            code="licence.type_missing",
            message=f"该事项的办理结果为电子证照（证照类型代码 {type_code}），但电子证照库中没有启用的该证照类型，"
            "无法出证办结。请联系本部门管理员设置该证照类型后再办结。",
            status=409,
        )
    licence = licence_issue(
        licence_type=licence_type,
        holder_person=None if case.company_id else case.applicant,
        holder_company=case.company if case.company_id else None,
        face=face_from_case(licence_type, case),
        actor=actor,
        case=case,
        # Signed by the deciding department with its own key, never with the defining department's.
        issuer=case.department,
    )
    if licence.identifier not in case.result:
        # The decision's result names the licence, so the applicant's case page and the exchange carry it.
        note = f"电子证照标识：{licence.identifier}"
        case.result = f"{case.result}（{note}）" if case.result else licence.identifier
        case.save(update_fields=["result", "updated_at"])
    return licence


def on_case_concluded(*, case: Case, actor: Any | None, code: int, **kwargs: Any) -> None:
    """Registered for ``CaseHook.CONCLUDED`` in ``LicencesConfig.ready()``."""
    licence_issue_for_case(case=case, actor=actor, code=code, **kwargs)


def on_case_decision_revoked(*, case: Case, actor: Any | None, reason: str, **_: Any) -> None:
    """The ``CaseHook.DECISION_REVOKED`` handler: a licence issued on a revoked approval is revoked with it
    (行政许可法 art. 69 para. 2), in the same transaction."""
    live = {LicenceStatus.VALID, LicenceStatus.SUSPENDED, LicenceStatus.EXPIRED}
    for licence in Licence.objects.filter(case=case, status__in=live):
        licence_revoke(
            licence=licence, actor=actor, reason=reason, basis="《中华人民共和国行政许可法》第六十九条第二款"
        )
