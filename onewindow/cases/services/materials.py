"""Materials of an application being prepared or corrected: uploads, materials supplied by reference
(an e-licence, a shared-data record) and their removal (网上申请的申请材料)."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from onewindow.cases.models import (
    SHARED_DATA_REFERENCE_PREFIX,
    Case,
    CaseMaterial,
    CaseStatus,
    MaterialStatus,
    TrustLevel,
)
from onewindow.cases.services._common import (
    applicant_check,
    case_lock,
    idempotency_claim,
    idempotency_remember,
    request_fingerprint,
)
from onewindow.cases.services.uploads import EXTENSIONS, upload_check, upload_sha256
from onewindow.catalogue.models import Material, MaterialSource
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.services import audit_record


def _material_of(case: Case, material: Material) -> Material:
    if material.version_id != case.item_version_id:
        raise DomainError(
            code="material_not_in_guide",
            message=f"“{material.name}”不是该事项办事指南所列的申请材料。",
        )
    return material


def _attach(
    *, case: Case, material: Material, upload: Any, trust: str, user: Any, reference: str = ""
) -> CaseMaterial:
    checked = upload_check(upload)
    original = str(getattr(upload, "name", "") or "")[-200:]
    row = CaseMaterial(
        case=case,
        material=material,
        original_name=original.rsplit("/", 1)[-1],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        reference=reference,
        trust_level=trust,
        uploaded_by=user,
    )
    changes = {"material": material.key, "sha256": checked.sha256, "content_type": checked.content_type}
    if reference:
        changes |= {"reference": reference, "trust_level": trust}
    audit_record(actor=user, action="case.material_attach", target=case, changes=changes)
    # Stored last, after every check and write that could refuse: a refusal leaves no file behind.
    row.file.save(f"upload{EXTENSIONS[checked.content_type]}", upload, save=False)
    try:
        row.save()
    except Exception:
        row.file.delete(save=False)
        raise
    return row


@transaction.atomic
def case_material_attach(
    *, case: Case, user: Any, material: Material, upload: Any, idempotency_key: str | None = None
) -> CaseMaterial:
    """Attach one uploaded file to a material of the case's guide (type from the bytes, size limit, virus
    scan). Several files may answer one material (e.g. both sides of an ID card).

    The same ``idempotency_key`` again (a retry after a lost answer, a double-clicked form) returns the file
    the first request attached instead of attaching it twice; the key with another file is refused (422)."""
    case = case_lock(case, allowed={CaseStatus.DRAFT, CaseStatus.CORRECTION_REQUESTED}, doing="上传材料")
    applicant_check(case, user)
    if material.generated_online:
        raise DomainError(
            code="upload_not_needed", message=f"“{material.name}”由系统根据您填写的申请表生成，无需上传。"
        )
    material = _material_of(case, material)
    digest = upload_sha256(upload) if idempotency_key else ""
    claim, earlier = idempotency_claim(
        user=user,
        key=idempotency_key,
        fingerprint=request_fingerprint(op="upload", case=case.pk, material=material.pk, sha256=digest),
    )
    if earlier is not None:
        attached = case.materials.filter(material=material, sha256=digest).order_by("created_at").first()
        if attached is None:
            raise DomainError(
                code="upload_already_removed",
                message="这份文件已经上传过，之后又被删除了。如需重新上传，请刷新页面后再试。",
                status=409,
            )
        return attached
    row = _attach(case=case, material=material, upload=upload, trust=TrustLevel.C, user=user)
    idempotency_remember(claim, case)
    return row


# Materials the platform can supply by reference: a licence identifier or a shared-data record.
REFERENCE_SOURCES = frozenset({MaterialSource.ELICENCE, MaterialSource.SHARED})
REFERENCE_MAX_LENGTH = 200  # CaseMaterial.reference


def _reference_checked(
    case: Case, user: Any, material: Material, reference: str
) -> tuple[Case, Material, str]:
    """The case locked for a material by reference, that material of its guide, and the cleaned reference;
    refused when the applicant must supply the material or the reference is not one."""
    case = case_lock(case, allowed={CaseStatus.DRAFT, CaseStatus.CORRECTION_REQUESTED}, doing="添加材料")
    applicant_check(case, user)
    material = _material_of(case, material)
    if material.source not in REFERENCE_SOURCES:
        raise DomainError(
            code="material_not_by_reference",
            message=f"“{material.name}”须由申请人提交，不能从电子证照库或共享数据中获取。",
        )
    reference = (reference or "").strip()
    if not reference or len(reference) > REFERENCE_MAX_LENGTH:
        raise DomainError(code="reference_invalid", message="材料的证照标识或数据编号无效。")
    return case, material, reference


@transaction.atomic
def case_material_attach_reference(
    *,
    case: Case,
    user: Any,
    material: Material,
    reference: str,
    content: bytes,
    name: str,
    trust_level: str = TrustLevel.A,
) -> CaseMaterial:
    """Attach a material the platform holds (an e-licence's watermarked copy, a shared-data record) by its
    reference instead of an upload. The same reference twice for one material keeps the first row."""
    case, material, reference = _reference_checked(case, user, material, reference)
    if trust_level not in TrustLevel.values:
        raise DomainError(code="trust_level_invalid", message="材料的可信等级无效。")
    earlier = case.materials.filter(material=material, reference=reference).first()
    if earlier is not None:
        return earlier
    return _attach(
        case=case,
        material=material,
        upload=ContentFile(content, name=name),
        trust=trust_level,
        user=user,
        reference=reference,
    )


@transaction.atomic
def case_material_attach_pending(
    *, case: Case, user: Any, material: Material, reference: str, name: str, content_type: str
) -> CaseMaterial:
    """Attach a material the platform holds by its reference now and its file later: the row counts for the
    pre-review at once, and ``case_material_file_fill`` stores the file when it has been drawn (an e-licence's
    watermarked copy takes a PDF rendering, too slow to sit inside the applicant's request). The same
    reference twice for one material keeps the first row."""
    case, material, reference = _reference_checked(case, user, material, reference)
    earlier = case.materials.filter(material=material, reference=reference).first()
    if earlier is not None:
        return earlier
    row = CaseMaterial.objects.create(
        case=case,
        material=material,
        original_name=name[-200:],
        content_type=content_type,
        reference=reference,
        trust_level=TrustLevel.A,
        uploaded_by=user,
    )
    audit_record(
        actor=user,
        action="case.material_attach",
        target=case,
        changes={
            "material": material.key,
            "reference": reference,
            "trust_level": TrustLevel.A,
            "file": "pending",
        },
    )
    return row


@transaction.atomic
def case_material_file_fill(*, case_material_id: Any, content: bytes) -> CaseMaterial | None:
    """Store the drawn file of a row ``case_material_attach_pending`` wrote; nothing when the row is gone (the
    applicant removed it) or already has its file (a second run of the same job, or the first download
    drew it), so running it twice is harmless."""
    row = CaseMaterial.objects.select_for_update().filter(pk=case_material_id).first()
    if row is None or row.file.name:
        return row
    upload = ContentFile(content, name=row.original_name or "material.pdf")
    checked = upload_check(upload)
    row.content_type, row.size, row.sha256 = checked.content_type, checked.size, checked.sha256
    audit_record(
        actor=None,
        action="case.material_file_fill",
        target=row.case,
        changes={"material": row.material.key, "reference": row.reference, "sha256": checked.sha256},
    )
    row.file.save(f"upload{EXTENSIONS[checked.content_type]}", upload, save=False)
    try:
        row.save(update_fields=["file", "content_type", "size", "sha256", "updated_at"])
    except Exception:
        row.file.delete(save=False)
        raise
    return row


@transaction.atomic
def case_material_attach_shared(
    *, case: Case, actor: Any, material: Material, reference: str, content: bytes, name: str
) -> CaseMaterial:
    """The platform itself answers a material with a record fetched through the data-sharing gateway
    (国务院令716 art. 7: no resubmission): trust level A, the gateway's query reference kept. The platform acts
    here, not the applicant, so a window clerk's walk-in or a life event's next stage gets it too."""
    case = case_lock(case, allowed={CaseStatus.DRAFT, CaseStatus.CORRECTION_REQUESTED}, doing="添加材料")
    material = _material_of(case, material)
    if material.source not in REFERENCE_SOURCES:
        raise DomainError(
            code="material_not_by_reference",
            message=f"“{material.name}”须由申请人提交，不能从电子证照库或共享数据中获取。",
        )
    if not reference.startswith(SHARED_DATA_REFERENCE_PREFIX) or len(reference) > REFERENCE_MAX_LENGTH:
        raise DomainError(code="reference_invalid", message="材料的证照标识或数据编号无效。")
    earlier = case.materials.filter(material=material, reference=reference).first()
    if earlier is not None:
        return earlier
    return _attach(
        case=case,
        material=material,
        upload=ContentFile(content, name=name),
        trust=TrustLevel.A,
        user=actor,
        reference=reference,
    )


@transaction.atomic
def case_material_remove(*, case: Case, user: Any, case_material: CaseMaterial) -> None:
    """Remove an uploaded file from an application that is still being prepared or corrected."""
    case = case_lock(case, allowed={CaseStatus.DRAFT, CaseStatus.CORRECTION_REQUESTED}, doing="删除材料")
    applicant_check(case, user)
    if case_material.case_id != case.pk:
        raise NotFound("未找到该材料。")
    if case_material.status == MaterialStatus.DEFECTIVE:
        # The notice refers to it: it stays on record; a corrected file is added beside it.
        raise DomainError(
            code="material_on_notice",
            message="补正告知书所列的材料须保留，请另行上传更正后的文件。",
            status=409,
        )
    audit_record(
        actor=user, action="case.material_remove", target=case, changes={"sha256": case_material.sha256}
    )
    name, storage = case_material.file.name, case_material.file.storage
    case_material.delete()
    # After commit: a rolled-back removal must still find its file.
    transaction.on_commit(lambda: storage.delete(name) if name else None)
