"""Catalogue writes: items and their versioned guides (draft → review → published), materials, bundles."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from onewindow.catalogue.bundle_forms import BundleForm, field_map_problems
from onewindow.catalogue.models import (
    BasicItem,
    Bundle,
    BundleItem,
    Item,
    ItemVersion,
    Material,
    VersionStatus,
)
from onewindow.catalogue.quality import item_version_quality_problems
from onewindow.catalogue.search import search_index_bundle, search_index_item
from onewindow.core import clock
from onewindow.core.errors import DomainError, FieldProblem
from onewindow.core.identifiers import basic_code_check, implementation_code_check
from onewindow.core.services import audit_record
from onewindow.organisations.models import Department, Region

# The guide fields a version carries (everything but its identity and review bookkeeping).
GUIDE_FIELDS = (
    "name",
    "item_type",
    "level",
    "legal_basis",
    "acceptance_conditions",
    "process_description",
    "keywords",
    "statutory_days",
    "statutory_note",
    "promised_days",
    "promised_note",
    "case_type",
    "charges_fee",
    "fee_items",
    "fee_basis",
    "service_objects",
    "handling_forms",
    "supports_booking",
    "supports_online_payment",
    "supports_postal_delivery",
    "supports_kiosk",
    "onsite_visits",
    "onsite_reason",
    "online_depth",
    "min_assurance_level",
    "cross_region_scope",
    "result_name",
    "result_type",
    "result_sample",
    "licence_type_code",
    "address",
    "office_hours",
    "consultation_phone",
    "complaint_phone",
    "faq",
    "form_schema",
    "form_ui",
)
MATERIAL_FIELDS = (
    "order",
    "key",
    "name",
    "legal_basis",
    "acceptance_standard",
    "necessity",
    "condition",
    "form",
    "originals",
    "copies",
    "paper_size",
    "blank_form",
    "sample",
    "filling_notes",
    "source",
    "licence_type_code",
    "pledge_allowed",
    "pledge_text",
    "generated_online",
)


def _refuse_unknown(fields: dict[str, Any], allowed: tuple[str, ...], what: str) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise DomainError(
            code="catalogue.unknown_field", message=f"{what}没有这些字段：{'、'.join(unknown)}。"
        )


@transaction.atomic
def basic_item_ensure(*, actor: Any | None, basic_code: str, name: str, item_type: str) -> BasicItem:
    """The basic catalogue entry with this code, created if new."""
    code = basic_code_check(basic_code)
    if code[2:4] != item_type:
        raise DomainError(
            code="basic_code.item_type_mismatch",
            message=f"基本编码“{code}”的事项类型位与事项类型“{item_type}”不一致。",
        )
    basic, created = BasicItem.objects.get_or_create(
        basic_code=code, defaults={"name": name, "item_type": item_type}
    )
    if created:
        audit_record(actor=actor, action="catalogue.basic_create", target=basic, changes={"name": name})
    return basic


@transaction.atomic
def item_create(
    *,
    actor: Any | None,
    basic: BasicItem,
    department: Department,
    region: Region,
    materials: list[dict[str, Any]] | None = None,
    themes: list[Any] | None = None,
    joint_departments: list[Department] | None = None,
    **guide: Any,
) -> ItemVersion:
    """Register an implementation entry and its first draft guide (version 1)."""
    _refuse_unknown(guide, GUIDE_FIELDS, "办事指南")
    level = guide.get("level")
    code = implementation_code_check(f"{department.credit_code}{level}{basic.basic_code}")
    if Item.objects.filter(implementation_code=code).exists():
        raise DomainError(code="item.duplicate", message=f"实施编码“{code}”已存在。", status=409)
    item = Item.objects.create(implementation_code=code, basic=basic, department=department, region=region)
    version = ItemVersion(item=item, number=1, **guide)
    _version_validate(version)
    version.save()
    _version_relations_set(
        version=version, materials=materials, themes=themes, joint_departments=joint_departments
    )
    audit_record(actor=actor, action="catalogue.item_create", target=item, changes={"name": version.name})
    return version


def _version_validate(version: ItemVersion) -> None:
    version.full_clean(exclude=["item", "result_sample"], validate_unique=False, validate_constraints=False)
    # The database refuses it too (a check constraint): say so in words instead of failing on save.
    if version.promised_days > version.statutory_days:
        raise DomainError(
            code="version.promised_over_statutory", message="承诺办结时限不能超过法定办结时限。"
        )


def _version_relations_set(
    *,
    version: ItemVersion,
    materials: list[dict[str, Any]] | None,
    themes: list[Any] | None,
    joint_departments: list[Department] | None,
) -> None:
    if themes is not None:
        version.themes.set(themes)
    if joint_departments is not None:
        version.joint_departments.set(joint_departments)
    if materials is not None:
        keys = [m.get("key") for m in materials]
        if len(keys) != len(set(keys)):
            raise DomainError(code="material.duplicate_key", message="同一事项中材料编码（key）不能重复。")
        version.materials.all().delete()
        for order, fields in enumerate(materials, start=1):
            _refuse_unknown(fields, MATERIAL_FIELDS, "申请材料")
            if not str(fields.get("name", "")).strip() or not str(fields.get("key", "")).strip():
                raise DomainError(code="material.name_required", message=f"第 {order} 项材料须有名称和编码。")
            Material.objects.create(version=version, **({"order": order} | fields))


@transaction.atomic
def item_version_update(
    *,
    actor: Any | None,
    version: ItemVersion,
    materials: list[dict[str, Any]] | None = None,
    themes: list[Any] | None = None,
    joint_departments: list[Department] | None = None,
    change_note: str | None = None,
    **guide: Any,
) -> ItemVersion:
    """Edit a draft (or a version sent back). Published versions never change: make a new draft instead."""
    if not version.is_editable():
        raise DomainError(
            code="version.not_editable",
            message="已提交审核或已发布的版本不能修改；如需调整，请新建版本。",
            status=409,
        )
    _refuse_unknown(guide, GUIDE_FIELDS, "办事指南")
    changes = {
        name: [str(getattr(version, name)), str(value)]
        for name, value in guide.items()
        if getattr(version, name) != value
    }
    for name, value in guide.items():
        setattr(version, name, value)
    if change_note is not None and change_note.strip() != version.change_note:
        changes["change_note"] = [version.change_note, change_note.strip()]
        version.change_note = change_note.strip()
    _version_validate(version)
    version.save()
    _version_relations_set(
        version=version, materials=materials, themes=themes, joint_departments=joint_departments
    )
    audit_record(actor=actor, action="catalogue.version_update", target=version, changes=changes)
    return version


@transaction.atomic
def item_version_new_draft(*, actor: Any | None, item: Item, change_note: str = "") -> ItemVersion:
    """Start the next version as a copy of the newest one (dynamic adjustment, 动态调整)."""
    if item.versions.filter(
        status__in=[VersionStatus.DRAFT, VersionStatus.IN_REVIEW, VersionStatus.REJECTED]
    ).exists():
        raise DomainError(
            code="version.draft_exists", message="该事项已有未发布的版本，请先处理该版本。", status=409
        )
    source = item.versions.order_by("-number").first()
    if source is None:
        raise DomainError(code="version.none", message="该事项还没有任何版本。")
    number = (item.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = ItemVersion(
        item=item, number=number, change_note=change_note, **{f: getattr(source, f) for f in GUIDE_FIELDS}
    )
    draft.save()
    draft.themes.set(source.themes.all())
    draft.joint_departments.set(source.joint_departments.all())
    for material in source.materials.all():
        Material.objects.create(version=draft, **{f: getattr(material, f) for f in MATERIAL_FIELDS})
    audit_record(actor=actor, action="catalogue.version_new", target=draft, changes={"from": source.number})
    return draft


@transaction.atomic
def item_version_submit(
    *, actor: Any | None, version: ItemVersion, change_note: str | None = None
) -> ItemVersion:
    """Send a draft for review; it is refused with every quality problem listed if any rule is broken."""
    if not version.is_editable():
        raise DomainError(
            code="version.not_submittable", message="只有草稿或被退回的版本可以提交审核。", status=409
        )
    if change_note is not None:
        version.change_note = change_note.strip()
    if version.number > 1 and not version.change_note:
        raise DomainError(
            code="version.change_note_required", message="请说明本次调整的内容（将在公开的变更记录中显示）。"
        )
    problems = item_version_quality_problems(version)
    if problems:
        raise DomainError(
            code="quality.failed",
            message=f"办事指南有 {len(problems)} 处不符合数据质量要求，请修改后再提交。",
            problems=problems,
        )
    version.status, version.submitted_by = VersionStatus.IN_REVIEW, actor
    version.save(update_fields=["status", "submitted_by", "change_note", "updated_at"])
    audit_record(actor=actor, action="catalogue.version_submit", target=version)
    return version


@transaction.atomic
def item_version_review(
    *, actor: Any | None, version: ItemVersion, approve: bool, opinion: str = ""
) -> ItemVersion:
    """Publish a version in review, or send it back with an opinion. The reviewer is recorded."""
    if version.status != VersionStatus.IN_REVIEW:
        raise DomainError(code="version.not_in_review", message="该版本不在审核中。", status=409)
    if actor is not None and version.submitted_by_id == getattr(actor, "pk", None):
        raise DomainError(code="version.self_review", message="不能审核自己提交的版本。", status=403)
    if not approve and not opinion.strip():
        raise DomainError(code="version.opinion_required", message="退回时请填写审核意见。")
    problems = item_version_quality_problems(version) if approve else []
    if problems:
        raise DomainError(
            code="quality.failed", message="办事指南不符合数据质量要求，不能发布。", problems=problems
        )
    now = clock.now()
    version.reviewed_by, version.reviewed_at, version.review_opinion = actor, now, opinion.strip()
    if not approve:
        version.status = VersionStatus.REJECTED
        version.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_opinion", "updated_at"])
        audit_record(
            actor=actor, action="catalogue.version_reject", target=version, changes={"opinion": opinion}
        )
        return version
    item = version.item
    ItemVersion.objects.filter(item=item, status=VersionStatus.PUBLISHED).update(
        status=VersionStatus.SUPERSEDED
    )
    version.status, version.published_at = VersionStatus.PUBLISHED, now
    version.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "review_opinion", "published_at", "updated_at"]
    )
    item.published_version = version
    item.save(update_fields=["published_version", "updated_at"])
    # Indexed inside the transaction: the index lives in the same database, so the search document commits or
    # rolls back with the publication itself (an on_commit hook could be lost between commit and indexing).
    search_index_item(item)
    audit_record(
        actor=actor, action="catalogue.version_publish", target=version, changes={"number": version.number}
    )
    return version


@transaction.atomic
def bundle_save(
    *,
    actor: Any | None,
    code: str,
    name: str,
    audience: str,
    description: str,
    items: list[tuple[Item, int, bool]],
    keywords: str = "",
    field_map: dict[str, dict[str, str]] | None = None,
) -> Bundle:
    """Create or replace a life-event bundle; ``items`` are (item, stage, optional) in order. ``field_map``
    overrides how the items' forms merge into one (see ``catalogue/bundle_forms.py``)."""
    if len(items) < 2:
        raise DomainError(code="bundle.too_few_items", message="“一件事”至少包含两个事项。")
    unpublished = [str(item) for item, _, _ in items if item.published_version_id is None]
    if unpublished:
        raise DomainError(
            code="bundle.unpublished_item", message=f"这些事项尚未发布：{'、'.join(unpublished)}。"
        )
    forms = [
        BundleForm(
            item_id=item.pk,
            implementation_code=item.implementation_code,
            item_name=item.published_version.name,
            schema=item.published_version.form_schema or {},
            ui=item.published_version.form_ui or {},
        )
        for item, _, _ in items
        if item.published_version is not None
    ]
    problems = field_map_problems(forms, field_map)
    if problems:
        raise DomainError(
            code="bundle.field_map_invalid",
            message="合并表单字段对照有误：" + "；".join(message for _, message in problems),
            problems=[
                FieldProblem(field=where, code="field_map_invalid", message=msg) for where, msg in problems
            ],
        )
    bundle, created = Bundle.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "audience": audience,
            "description": description,
            "keywords": keywords,
            "field_map": field_map or {},
        },
    )
    bundle.entries.all().delete()
    BundleItem.objects.bulk_create(
        BundleItem(bundle=bundle, item=item, order=order, stage=stage, optional=optional)
        for order, (item, stage, optional) in enumerate(items, start=1)
    )
    search_index_bundle(bundle)  # in the transaction, as for items (see item_version_review)
    audit_record(
        actor=actor, action="catalogue.bundle_create" if created else "catalogue.bundle_update", target=bundle
    )
    return bundle
