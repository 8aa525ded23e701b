"""The holder's side of the library: share codes (亮证), reuse consent, attaching a licence to an application
instead of an upload (免提交, 国务院令716 art. 7), and the log of departments' look-ups (用证记录)."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F, Q

from onewindow.cases.models import Case, CaseMaterial, CaseStatus
from onewindow.cases.services import case_material_attach_pending, case_material_hand_over
from onewindow.catalogue.models import Material, MaterialSource
from onewindow.core import clock
from onewindow.core.crypto import lookup_hash
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.queue import enqueue_in_transaction
from onewindow.core.services import audit_record
from onewindow.licences.models import Licence, LicenceAccess, LicenceShare, LicenceStatus, ReuseConsent
from onewindow.licences.pdf import licence_pdf, licence_pdf_filename
from onewindow.licences.services.copies import licence_copy_until
from onewindow.licences.wallet_selectors import (
    SHARE_PURPOSE,
    Holder,
    case_for_licence_query,
    holder_may_use,
    holder_of_case,
    licence_type_codes_for_case,
    licence_usable,
    licences_usable_for_case,
    reuse_consent_active,
)
from onewindow.organisations.models import Department

logger = logging.getLogger(__name__)

# 亮证 is for showing a licence to someone now, not a standing disclosure.
SHARE_MAX_HOURS = 7 * 24
PURPOSE_MAX_LENGTH = 200
# A case no longer being handled needs no licences looked up: its status in the refusal (Chinese).
QUERY_CLOSED_STATUSES: dict[str, str] = {
    CaseStatus.CONCLUDED: "办结",
    CaseStatus.DELIVERED: "送达",
    CaseStatus.WITHDRAWN: "撤回",
    CaseStatus.NOT_ACCEPTED: "不予受理",
}


def share_code_hash(code: str) -> str:
    return lookup_hash(code.strip(), purpose=SHARE_PURPOSE)


def _purpose(purpose: str, *, code: str, message: str) -> str:
    text = " ".join((purpose or "").split())
    if not text:
        raise DomainError(code=code, message=message)
    if len(text) > PURPOSE_MAX_LENGTH:
        raise DomainError(
            code="licence.purpose_too_long", message=f"用途不能超过 {PURPOSE_MAX_LENGTH} 个字。"
        )
    return text


@transaction.atomic
def licence_share_create(
    *, licence: Licence, user: Any, purpose: str, hours: int
) -> tuple[LicenceShare, str]:
    """A share code for showing one valid licence (亮证) for up to 7 days; the code is returned once and
    only its hash is kept."""
    purpose = _purpose(
        purpose, code="licence.share_purpose_required", message="请填写亮证用途（例如：向房东出示）。"
    )
    if not 1 <= hours <= SHARE_MAX_HOURS:
        raise DomainError(
            code="licence.share_expiry_invalid", message="亮证码的有效期须在 1 小时到 7 天之间。"
        )
    if not licence_usable(licence):
        raise DomainError(
            code="licence.not_usable",
            message=f"该证照当前状态为“{licence.get_status_display()}”或不在有效期内，不能亮证。",
            status=409,
        )
    code = secrets.token_urlsafe(12)
    share = LicenceShare.objects.create(
        licence=licence,
        code_hash=share_code_hash(code),
        created_by=user,
        purpose=purpose,
        expires_at=clock.now() + dt.timedelta(hours=hours),
    )
    audit_record(
        actor=user,
        action="licence.share_create",
        target=licence,
        changes={"share": str(share.pk), "purpose": purpose, "expires_at": share.expires_at.isoformat()},
    )
    return share, code


@transaction.atomic
def licence_share_revoke(*, share: LicenceShare, user: Any) -> LicenceShare:
    """End a share code before it expires; revoking twice changes nothing."""
    share = LicenceShare.objects.select_for_update().get(pk=share.pk)
    if share.revoked_at is not None:
        return share
    share.revoked_at = clock.now()
    share.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        actor=user, action="licence.share_revoke", target=share.licence, changes={"share": str(share.pk)}
    )
    return share


@transaction.atomic
def licence_share_open(*, code: str) -> LicenceShare:
    """The licence behind a live share code, counting the view; an unknown, expired or revoked code is 404."""
    code = (code or "").strip()
    share = (
        LicenceShare.objects.select_related("licence__licence_type", "licence__issuer")
        .filter(code_hash=share_code_hash(code), revoked_at=None, expires_at__gt=clock.now())
        .first()
        if 8 <= len(code) <= 64
        else None
    )
    if share is None:
        raise NotFound("亮证码无效、已过期或已被持证人撤销。")
    LicenceShare.objects.filter(pk=share.pk).update(views=F("views") + 1)
    share.views += 1
    return share


@transaction.atomic
def reuse_consent_grant(*, holder: Holder, user: Any) -> ReuseConsent:
    """The holder agrees that their licences are attached to their applications without asking (免提交)."""
    consent = reuse_consent_active(holder=holder)
    if consent is not None:
        return consent
    consent = ReuseConsent.objects.create(
        holder_code_hash=holder.code_hash, granted_by=user, granted_at=clock.now()
    )
    audit_record(
        actor=user, action="licence.reuse_consent_grant", target=consent, changes={"holder": holder.name}
    )
    return consent


@transaction.atomic
def reuse_consent_withdraw(*, holder: Holder, user: Any) -> None:
    """Withdraw the consent; the row stays for the record and applications ask again."""
    now = clock.now()
    for consent in ReuseConsent.objects.select_for_update().filter(
        holder_code_hash=holder.code_hash, withdrawn_at=None
    ):
        consent.withdrawn_at = now
        consent.save(update_fields=["withdrawn_at", "updated_at"])
        audit_record(
            actor=user,
            action="licence.reuse_consent_withdraw",
            target=consent,
            changes={"holder": holder.name},
        )


def licence_access_record(
    *,
    holder_code_hash: str,
    purpose: str,
    licences: Iterable[Licence],
    department: Department | None = None,
    actor: Any = None,
    client_id: str = "",
    client_name: str = "",
    case_number: str = "",
) -> LicenceAccess:
    """Write one 用证记录 row: who looked up or used the holder's licences, for which case and why."""
    access = LicenceAccess.objects.create(
        holder_code_hash=holder_code_hash,
        client_id=client_id[:100],
        client_name=client_name[:200],
        department=department,
        actor=actor,
        case_number=case_number[:64],
        purpose=purpose[:PURPOSE_MAX_LENGTH],
        at=clock.now(),
    )
    access.licences.set(list(licences))
    return access


@transaction.atomic
def licence_attach_to_case(*, case: Case, user: Any, material: Material, licence: Licence) -> CaseMaterial:
    """Answer a material of an application with one of the holder's licences: its 108号 watermarked copy is
    stored with the identifier as reference (trust level A) and the use is shown in 用证记录."""
    if material.source != MaterialSource.ELICENCE or not material.licence_type_code:
        raise DomainError(
            code="licence.material_not_elicence",
            message=f"“{material.name}”不能由电子证照库提供，请上传该材料。",
        )
    if licence.licence_type.code != material.licence_type_code:
        raise DomainError(
            code="licence.wrong_type",
            message=f"所选证照“{licence.type_name}”不是该材料要求的证照，请选择其他证照。",
        )
    if case.company_id:
        own = licence.holder_company_id == case.company_id
    else:
        own = licence.holder_company_id is None and licence.holder_person_id == case.applicant_id
    if not own:
        raise NotFound("未找到该证照，或您无权使用。")
    today = clock.today()
    if not licence_usable(licence, today):
        raise DomainError(
            code="licence.not_usable",
            message=f"该证照当前状态为“{licence.get_status_display()}”或不在有效期内，不能用于申请。",
            status=409,
        )
    item_name = case.item_version.name
    # The copy is drawn by the worker (or by the first download): see services/copies.py.
    row = case_material_attach_pending(
        case=case,
        user=user,
        material=material,
        reference=licence.identifier,
        name=licence_pdf_filename(licence, copy=True),
        content_type="application/pdf",
    )
    if not row.file.name:
        from onewindow.licences.tasks import licence_copy_draw_job  # the tasks module imports the services

        enqueue_in_transaction(licence_copy_draw_job, case_material_id=str(row.pk))
    licence_access_record(
        holder_code_hash=licence.holder_code_hash,
        purpose=f"申请“{item_name}”时作为“{material.name}”使用（免提交）",
        licences=[licence],
        department=case.department,
        actor=user,
        case_number=case.number or "",
    )
    audit_record(
        actor=user,
        action="licence.attach_to_case",
        target=licence,
        changes={"case": str(case.pk), "material": material.key},
    )
    return row


def licences_attach_on_start(*, case: Case, actor: Any, **_: Any) -> None:
    """``CaseHook.STARTED``: with the holder's consent, attach the newest valid licence for every material the
    library can supply. A licence that cannot be attached leaves the material to the applicant, never the
    application unstarted."""
    holder = holder_of_case(case)
    if holder is None or actor is None or reuse_consent_active(holder=holder) is None:
        return
    # The holder's consent does not extend to whoever acts for them: an agent without the ``licences``
    # scope (apply only) uploads the materials, as on the picker page.
    if not holder_may_use(user=actor, case=case):
        return
    for material in case.item_version.materials.all():
        if material.source != MaterialSource.ELICENCE or not material.licence_type_code:
            continue
        licence = licences_usable_for_case(case=case, material=material).first()
        if licence is None:
            continue
        try:
            # A savepoint per licence: a failed copy (a PDF that does not render, a refusal) is rolled back
            # alone and the material is left to the applicant; the case start never fails because of it.
            with transaction.atomic():
                licence_attach_to_case(case=case, user=actor, material=material, licence=licence)
        except Exception:
            logger.exception("licence %s not attached to case %s", licence.identifier, case.pk)


@transaction.atomic
def licence_query_for_case(
    *, user: Any, case_number: str, purpose: str, client_id: str = "", client_name: str = ""
) -> tuple[LicenceAccess, list[Licence]]:
    """A department's look-up of the valid licences of a case's applicant: only its own department's cases
    still being handled, by its handling staff, only the licence types the case's item needs, always with a
    purpose, and always written to the holder's 用证记录."""
    purpose = _purpose(
        purpose,
        code="licence.query_purpose_required",
        message="请说明查询电子证照的用途（例如：核验申请材料）。",
    )
    case = case_for_licence_query(user=user, case_number=case_number)
    if case.status in QUERY_CLOSED_STATUSES:
        raise DomainError(
            code="licence.query_case_closed",
            message=f"该办件已{QUERY_CLOSED_STATUSES[case.status]}，不能再查询其申请人的电子证照。",
            status=409,
        )
    holder = holder_of_case(case)
    if holder is None:
        raise NotFound("该办件的申请人没有可查询的电子证照。")
    today = clock.today()
    licences = [
        licence
        for licence in Licence.objects.filter(
            holder_code_hash=holder.code_hash,
            status=LicenceStatus.VALID,
            type_code__in=licence_type_codes_for_case(case),
        )
        .select_related("licence_type", "issuer")
        .order_by("type_name", "-issued_on")
        if licence_usable(licence, today)
    ]
    access = licence_access_record(
        holder_code_hash=holder.code_hash,
        purpose=purpose,
        licences=licences,
        department=case.department,
        actor=user,
        client_id=client_id,
        client_name=client_name,
        case_number=case.number or "",
    )
    audit_record(
        actor=user,
        action="licence.query",
        target=case,
        changes={"client": client_id, "purpose": purpose, "licences": [lic.identifier for lic in licences]},
    )
    return access, licences


def licences_hand_over(*, case: Case, actor: Any, earlier: Iterable[Case], **_: Any) -> None:
    """``CaseHook.STAGE_STARTING``: a life event's later stage receives the licences its earlier stages issued
    (the 出生医学证明 for the 户口登记) as trust level A copies, and the use is shown in 用证记录. A licence
    that cannot be copied leaves the material to the applicant; the stage still starts."""
    earlier_ids = [child.pk for child in earlier]
    if not earlier_ids:
        return
    today = clock.today()
    for material in case.item_version.materials.all():
        if material.source != MaterialSource.ELICENCE or not material.licence_type_code:
            continue
        licence = (
            Licence.objects.filter(
                case_id__in=earlier_ids,
                licence_type__code=material.licence_type_code,
                status=LicenceStatus.VALID,
            )
            .select_related("licence_type", "issuer", "signing_key")
            .order_by("-issued_on", "-created_at")
            .first()
        )
        if licence is None or not licence_usable(licence, today):
            continue
        try:
            with transaction.atomic():
                copy_until = licence_copy_until(licence, today)
                case_material_hand_over(
                    case=case,
                    material=material,
                    reference=licence.identifier,
                    content=licence_pdf(
                        licence, copy_for=case.item_version.name, copy_valid_until=copy_until
                    ),
                    name=licence_pdf_filename(licence, copy=True),
                    actor=actor,
                )
                licence_access_record(
                    holder_code_hash=licence.holder_code_hash,
                    purpose=f"“一件事”前一阶段办结后，作为“{case.item_version.name}”的“{material.name}”自动送达（免提交）",
                    licences=[licence],
                    department=case.department,
                    actor=actor,
                    case_number=case.number or "",
                )
        except Exception:
            logger.exception("licence %s not handed over to case %s", licence.identifier, case.pk)


def licence_prefill_sources(*, person: Any, company: Any, **_: Any) -> dict[str, str]:
    """Prefill provider (``catalogue.prefill``): the face fields of the holder's valid licences, newest first,
    as ``licence.<type code>.<face field>``."""
    holder = (
        Q(holder_company=company) if company is not None else Q(holder_person=person, holder_company=None)
    )
    if person is None and company is None:
        return {}
    today = clock.today()
    sources: dict[str, str] = {}
    licences = (
        Licence.objects.filter(holder, status=LicenceStatus.VALID, valid_from__lte=today)
        .filter(Q(valid_until=None) | Q(valid_until__gte=today))
        .only("type_code", "face")
        .order_by("-issued_on", "-created_at")[:50]
    )
    for licence in licences:
        for key, value in (licence.face or {}).items():
            if value not in (None, ""):
                sources.setdefault(f"licence.{licence.type_code}.{key}", str(value))
    return sources
