"""The published catalogue as JSON: items (searchable and filtered), one item's full guide, life-event bundles.

Public reads, throttled by the API-wide public look-up limit. Only published versions are ever shown."""

import uuid
from datetime import datetime
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from onewindow.catalogue.models import (
    Bundle,
    CaseType,
    CrossRegionScope,
    HandlingForm,
    Item,
    ItemType,
    ItemVersion,
    Material,
    MaterialForm,
    MaterialSource,
    Necessity,
    OnlineDepth,
    ResultType,
    ServiceObject,
)
from onewindow.catalogue.search import search_catalogue
from onewindow.catalogue.selectors import (
    bundle_get,
    bundle_materials,
    bundle_merged_form,
    bundles_published,
    item_joint_departments,
    item_published_get,
    item_versions_public_log,
    items_published,
)
from onewindow.core.pagination import Pages
from onewindow.core.schemas import COMMON_ERRORS, ErrorOut
from onewindow.organisations.models import REGION_PREFIX_LENGTH, ExerciseLevel, RegionLevel
from onewindow.organisations.selectors import region_find

router = Router(tags=["catalogue"])

# Enough ranked hits for any realistic result list; the rest of a long tail is not worth ranking.
SEARCH_LIMIT = 500


class CodeLabel(Schema):
    code: str
    label: str


class DepartmentRef(Schema):
    id: uuid.UUID
    name: str
    credit_code: str


class ItemSummaryOut(Schema):
    implementation_code: str
    name: str
    item_type: CodeLabel
    department: DepartmentRef
    region_code: str
    region_name: str
    statutory_days: int
    promised_days: int
    online: bool = Field(description="can be applied for online (computer or mobile)")
    fully_online: bool = Field(description="全程网办: online with no visit")
    onsite_visits: int
    popularity: int
    version: int
    published_at: datetime


class FeeOut(Schema):
    name: str
    standard: str
    basis: str = ""
    waivable: bool = False


class FaqOut(Schema):
    q: str
    a: str


class MaterialOut(Schema):
    id: uuid.UUID = Field(
        description="the material of this guide version: `material_id` of `POST /cases/{id}/materials`"
    )
    key: str
    name: str
    necessity: CodeLabel
    condition: str
    form: CodeLabel
    originals: int
    copies: int
    paper_size: str
    source: CodeLabel
    obtained_by_platform: bool = Field(
        description="the platform fetches it: the applicant is not asked for it"
    )
    generated_online: bool = Field(
        description="printed as a PDF from the online application form on submission: never asked as an upload"
    )
    licence_type_code: str
    legal_basis: str
    acceptance_standard: str
    filling_notes: str
    blank_form_url: str | None
    sample_url: str | None


class ThemeOut(Schema):
    code: str
    name: str
    audience: str


class BundleRef(Schema):
    code: str
    name: str


class ChangeOut(Schema):
    version: int
    published_at: datetime
    change_note: str


class ItemOut(ItemSummaryOut):
    basic_code: str
    handling_code: str
    level: CodeLabel
    legal_basis: str
    acceptance_conditions: str
    process_description: str
    keywords: str
    statutory_note: str
    promised_note: str
    case_type: CodeLabel
    charges_fee: bool
    fee_items: list[FeeOut]
    fee_basis: str
    service_objects: list[CodeLabel]
    handling_forms: list[CodeLabel]
    online_depth: list[CodeLabel]
    supports_booking: bool
    supports_online_payment: bool
    supports_postal_delivery: bool
    supports_kiosk: bool
    onsite_reason: str
    min_assurance_level: int
    cross_region_scope: CodeLabel
    result_name: str
    result_type: CodeLabel
    result_sample_url: str | None
    licence_type_code: str
    address: str
    office_hours: str
    consultation_phone: str
    complaint_phone: str
    faq: list[FaqOut]
    form_schema: dict[str, Any]
    form_ui: dict[str, Any]
    joint_departments: list[DepartmentRef]
    themes: list[ThemeOut]
    bundles: list[BundleRef]
    materials: list[MaterialOut]
    change_log: list[ChangeOut]


class ItemFilter(Schema):
    q: str | None = Field(None, max_length=100, description="what the citizen typed; results are ranked")
    department: uuid.UUID | None = Field(None, description="implementing body id")
    region: str | None = Field(
        None, min_length=6, max_length=12, description="division code; includes sub-regions"
    )
    type: ItemType | None = Field(None, description="item type code (01 … 10, 20)")
    theme: str | None = Field(None, max_length=50, description="theme code")
    online: bool | None = Field(None, description="true: can be applied for online; false: cannot")


class BundleSummaryOut(Schema):
    code: str
    name: str
    audience: str
    description: str
    item_count: int


class BundleItemOut(Schema):
    implementation_code: str
    name: str
    department: str
    optional: bool
    online: bool


class BundleStageOut(Schema):
    stage: int
    items: list[BundleItemOut]


class BundleMaterialOut(Schema):
    material: MaterialOut
    needed_by: list[str] = Field(description="implementation codes of the items that need it")


class BundleSharedFieldOut(Schema):
    name: str = Field(description="the shared field's name in the merged form")
    title: str
    filled_into: list[str] = Field(
        description="implementation code.field of each item form it is copied into"
    )


class BundleOut(BundleSummaryOut):
    keywords: str
    stages: list[BundleStageOut]
    materials: list[BundleMaterialOut]
    shared_fields: list[BundleSharedFieldOut] = Field(
        description="the merged form (一表申请): fields asked once for several items"
    )


def _code(value: Any, choices: Any) -> dict[str, str]:
    return {"code": str(value), "label": str(dict(choices).get(value, value))}


def _codes(values: list[str], choices: Any) -> list[dict[str, str]]:
    return [_code(value, choices) for value in values]


def _file_url(file: Any) -> str | None:
    return file.url if file else None


def _department(department: Any) -> dict[str, Any]:
    return {"id": department.pk, "name": department.name, "credit_code": department.credit_code}


def _summary(item: Item) -> dict[str, Any]:
    version = item.published_version
    assert version is not None  # items_published() only
    return {
        "implementation_code": item.implementation_code,
        "name": version.name,
        "item_type": _code(version.item_type, ItemType.choices),
        "department": _department(item.department),
        "region_code": item.region.code,
        "region_name": item.region.name,
        "statutory_days": version.statutory_days,
        "promised_days": version.promised_days,
        "online": version.is_online,
        "fully_online": version.is_fully_online,
        "onsite_visits": version.onsite_visits,
        "popularity": item.popularity,
        "version": version.number,
        "published_at": version.published_at,
    }


def _material(material: Material) -> dict[str, Any]:
    return {
        "id": material.pk,
        "key": material.key,
        "name": material.name,
        "necessity": _code(material.necessity, Necessity.choices),
        "condition": material.condition,
        "form": _code(material.form, MaterialForm.choices),
        "originals": material.originals,
        "copies": material.copies,
        "paper_size": material.paper_size,
        "source": _code(material.source, MaterialSource.choices),
        "obtained_by_platform": material.obtained_by_platform,
        "generated_online": material.generated_online,
        "licence_type_code": material.licence_type_code,
        "legal_basis": material.legal_basis,
        "acceptance_standard": material.acceptance_standard,
        "filling_notes": material.filling_notes,
        "blank_form_url": _file_url(material.blank_form),
        "sample_url": _file_url(material.sample),
    }


def _items_filtered(filters: ItemFilter) -> QuerySet[Item]:
    items = items_published()
    if filters.department:
        items = items.filter(department_id=filters.department)
    if filters.region:
        region = region_find(code=filters.region)
        if region is None:
            return items.none()
        items = items.filter(
            region__code__startswith=region.code[: REGION_PREFIX_LENGTH[RegionLevel(region.level)]]
        )
    if filters.type:
        items = items.filter(published_version__item_type=filters.type)
    if filters.theme:
        items = items.filter(published_version__themes__code=filters.theme)
    if filters.online is not None:
        # handling_forms is a JSON list of one-character codes: a quoted code matches exactly one element, and
        # this works on SQLite, where JSON containment does not.
        online = Q(published_version__handling_forms__icontains=f'"{HandlingForm.ONLINE_PC.value}"') | Q(
            published_version__handling_forms__icontains=f'"{HandlingForm.ONLINE_MOBILE.value}"'
        )
        items = items.filter(online) if filters.online else items.exclude(online)
    q = (filters.q or "").strip()
    if not q:
        return items
    codes = [hit.ref for hit in search_catalogue(q, SEARCH_LIMIT).hits if hit.kind == "item"]
    if not codes:
        # Nothing in the search index (a word it does not know): a plain name match still answers.
        return items.filter(published_version__name__icontains=q)
    rank = Case(
        *[When(implementation_code=code, then=Value(i)) for i, code in enumerate(codes)],
        output_field=IntegerField(),
    )
    return items.filter(implementation_code__in=codes).order_by(rank)


class _Summaries:
    """A queryset the paginator can count and slice, giving item summaries for the page it takes."""

    def __init__(self, queryset: QuerySet[Item]) -> None:
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def all(self) -> "_Summaries":
        return self

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        return [_summary(item) for item in self.queryset[page]]


@router.get(
    "/items",
    response={200: list[ItemSummaryOut], **COMMON_ERRORS},
    summary="Published items, filtered; ranked by relevance when q is given",
)
@paginate(Pages, page_size=20)
def items(request: HttpRequest, filters: Query[ItemFilter]) -> list[dict[str, Any]]:
    return _Summaries(_items_filtered(filters))  # type: ignore[return-value]


@router.get(
    "/items/{implementation_code}",
    response={200: ItemOut, 404: ErrorOut, **COMMON_ERRORS},
    summary="One published item: the full guide with materials, fees, FAQ, form and version",
)
def item(request: HttpRequest, implementation_code: str) -> dict[str, Any]:
    found = item_published_get(implementation_code=implementation_code[:40])
    version: ItemVersion = found.published_version  # type: ignore[assignment]
    return _summary(found) | {
        "basic_code": found.basic.basic_code,
        "handling_code": found.handling_code,
        "level": _code(version.level, ExerciseLevel.choices),
        "legal_basis": version.legal_basis,
        "acceptance_conditions": version.acceptance_conditions,
        "process_description": version.process_description,
        "keywords": version.keywords,
        "statutory_note": version.statutory_note,
        "promised_note": version.promised_note,
        "case_type": _code(version.case_type, CaseType.choices),
        "charges_fee": version.charges_fee,
        "fee_items": version.fee_items,
        "fee_basis": version.fee_basis,
        "service_objects": _codes(version.service_objects, ServiceObject.choices),
        "handling_forms": _codes(version.handling_forms, HandlingForm.choices),
        "online_depth": _codes(version.online_depth, OnlineDepth.choices),
        "supports_booking": version.supports_booking,
        "supports_online_payment": version.supports_online_payment,
        "supports_postal_delivery": version.supports_postal_delivery,
        "supports_kiosk": version.supports_kiosk,
        "onsite_reason": version.onsite_reason,
        "min_assurance_level": version.min_assurance_level,
        "cross_region_scope": _code(version.cross_region_scope, CrossRegionScope.choices),
        "result_name": version.result_name,
        "result_type": _code(version.result_type, ResultType.choices),
        "result_sample_url": _file_url(version.result_sample),
        "licence_type_code": version.licence_type_code,
        "address": version.address,
        "office_hours": version.office_hours,
        "consultation_phone": version.consultation_phone,
        "complaint_phone": version.complaint_phone,
        "faq": version.faq,
        "form_schema": version.form_schema or {},
        "form_ui": version.form_ui or {},
        "joint_departments": [_department(d) for d in item_joint_departments(item=found, version=version)],
        "themes": [{"code": t.code, "name": t.name, "audience": t.audience} for t in version.themes.all()],
        "bundles": [{"code": b.code, "name": b.name} for b in found.bundles.all() if b.is_published],
        "materials": [_material(m) for m in version.materials.all()],
        "change_log": [
            {"version": v.number, "published_at": v.published_at, "change_note": v.change_note}
            for v in item_versions_public_log(item=found)
        ],
    }


def _bundle_summary(bundle: Bundle) -> dict[str, Any]:
    return {
        "code": bundle.code,
        "name": bundle.name,
        "audience": bundle.audience,
        "description": bundle.description,
        "item_count": len(bundle.entries.all()),
    }


@router.get("/bundles", response={200: list[BundleSummaryOut], **COMMON_ERRORS}, summary="Life-event bundles")
@paginate(Pages, page_size=50)
def bundles(request: HttpRequest) -> list[dict[str, Any]]:
    return [_bundle_summary(bundle) for bundle in bundles_published()]


@router.get(
    "/bundles/{code}",
    response={200: BundleOut, 404: ErrorOut, **COMMON_ERRORS},
    summary="One life-event bundle: its items stage by stage and the merged material checklist",
)
def bundle(request: HttpRequest, code: str) -> dict[str, Any]:
    found = bundle_get(code=code[:50])
    stages: dict[int, list[dict[str, Any]]] = {}
    for entry in found.entries.all():
        version = entry.item.published_version
        if version is None:
            continue
        stages.setdefault(entry.stage, []).append(
            {
                "implementation_code": entry.item.implementation_code,
                "name": version.name,
                "department": entry.item.department.name,
                "optional": entry.optional,
                "online": version.is_online,
            }
        )
    codes = {entry.item_id: entry.item.implementation_code for entry in found.entries.all()}
    return _bundle_summary(found) | {
        "keywords": found.keywords,
        "stages": [{"stage": stage, "items": entries} for stage, entries in sorted(stages.items())],
        "materials": [
            {"material": _material(material), "needed_by": [i.implementation_code for i in needed_by]}
            for material, needed_by in bundle_materials(bundle=found)
        ],
        "shared_fields": [
            {
                "name": shared.name,
                "title": shared.title,
                "filled_into": [f"{codes[target.item_id]}.{target.field}" for target in shared.targets],
            }
            for shared in bundle_merged_form(bundle=found).shared
        ],
    }
