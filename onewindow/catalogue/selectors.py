"""Catalogue reads. Citizens see published versions only; catalogue staff see drafts of their departments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from onewindow.catalogue.bundle_forms import BundleForm, MergedForm, merged_form
from onewindow.catalogue.models import Bundle, BundleItem, Item, ItemVersion, Material, Theme, VersionStatus
from onewindow.core.errors import NotFound
from onewindow.organisations.models import Department, Role
from onewindow.organisations.selectors import staff_is_platform_admin, staff_memberships


def items_published() -> QuerySet[Item]:
    """Items with a published guide, with what a list needs preloaded."""
    return (
        Item.objects.filter(published_version__isnull=False)
        .select_related("published_version", "department", "region", "basic")
        .order_by("-popularity", "implementation_code")
    )


def item_published_get(*, implementation_code: str) -> Item:
    """One published item with its full guide (materials, themes, joint bodies) preloaded."""
    item = (
        items_published()
        .prefetch_related(
            Prefetch("published_version__materials", queryset=Material.objects.order_by("order")),
            "published_version__themes",
            "published_version__joint_departments",
            "bundles",
        )
        .filter(implementation_code=implementation_code.upper())
        .first()
    )
    if item is None:
        raise NotFound("未找到该事项，或该事项尚未发布。")
    return item


def item_published_head(*, implementation_code: str) -> Item:
    """One published item with its version, department and region (one query, nothing prefetched): enough
    for a page's title and breadcrumbs when its body comes from the cache."""
    item = items_published().filter(implementation_code=implementation_code.upper()).first()
    if item is None:
        raise NotFound("未找到该事项，或该事项尚未发布。")
    return item


def item_versions_public_log(*, item: Item) -> QuerySet[ItemVersion]:
    """The public change log (动态调整记录): every version that was ever published, newest first."""
    return item.versions.filter(published_at__isnull=False).order_by("-number")


def themes_list(*, audience: str | None = None) -> QuerySet[Theme]:
    themes = Theme.objects.all()
    return themes.filter(audience=audience) if audience else themes


def bundles_published() -> QuerySet[Bundle]:
    return Bundle.objects.filter(is_published=True).prefetch_related(
        Prefetch(
            "entries",
            queryset=BundleItem.objects.select_related(
                "item__published_version", "item__department"
            ).order_by("stage", "order"),
        )
    )


def bundle_get(*, code: str) -> Bundle:
    bundle = bundles_published().filter(code=code).first()
    if bundle is None:
        raise NotFound("未找到该“一件事”主题。")
    return bundle


def bundle_materials(*, bundle: Bundle) -> list[tuple[Material, list[Item]]]:
    """The merged checklist: each material once (by key), with the items that need it, in first-seen order."""
    merged: dict[str, tuple[Material, list[Item]]] = {}
    entries = list(bundle.entries.all())
    versions = [entry.item.published_version for entry in entries]
    materials = Material.objects.filter(version__in=versions).order_by("version", "order")
    by_version: dict[object, list[Material]] = {}
    for material in materials:
        by_version.setdefault(material.version_id, []).append(material)
    for entry in entries:
        for material in by_version.get(entry.item.published_version_id, []):
            if material.key in merged:
                merged[material.key][1].append(entry.item)
            else:
                merged[material.key] = (material, [entry.item])
    return list(merged.values())


# Who knows an item's process: the workflow app (above the catalogue) registers itself here.
JointDepartmentsProvider = Callable[[Item], "list[Department] | None"]
_joint_department_providers: list[JointDepartmentsProvider] = []


def joint_departments_provider_register(provider: JointDepartmentsProvider) -> None:
    """Add ``provider(item) -> [departments] | None`` (None: it knows no process for the item)."""
    if provider not in _joint_department_providers:
        _joint_department_providers.append(provider)


def item_joint_departments(*, item: Item, version: ItemVersion) -> list[Department]:
    """The guide's 联办机构: the other departments with a step in the item's process, so the guide and the
    process never disagree; the version's hand-kept list only for an item without a process."""
    for provider in _joint_department_providers:
        departments = provider(item)
        if departments is not None:
            return departments
    return list(version.joint_departments.all())


# Answered questions that became the item's FAQ after review: the consult app (above the catalogue) registers.
FaqProvider = Callable[[Item], "list[dict[str, str]]"]
_faq_providers: list[FaqProvider] = []


def faq_provider_register(provider: FaqProvider) -> None:
    """Add ``provider(item) -> [{"q": ..., "a": ...}]``: published entries appended to the guide's FAQ."""
    if provider not in _faq_providers:
        _faq_providers.append(provider)


def item_faq(*, item: Item, version: ItemVersion) -> list[dict[str, str]]:
    """The guide's FAQ: the version's own entries, then every registered provider's for the item."""
    entries = [entry for entry in version.faq if isinstance(entry, dict)]
    for provider in _faq_providers:
        entries.extend(provider(item))
    return entries


# 好差评 figures of an item or a department: the ratings app (above the catalogue) registers itself here.
RatingSummaryProvider = Callable[..., "dict[str, Any] | None"]
_rating_summary_providers: list[RatingSummaryProvider] = []


def rating_summary_provider_register(provider: RatingSummaryProvider) -> None:
    """Add ``provider(item=…, department=…) -> {"count", "good_rate", …} | None``."""
    if provider not in _rating_summary_providers:
        _rating_summary_providers.append(provider)


def rating_summary(
    *, item: Item | None = None, department: Department | None = None
) -> dict[str, Any] | None:
    """The public 好评率 and count of ratings of an item or a department (None without a ratings app)."""
    for provider in _rating_summary_providers:
        summary = provider(item=item, department=department)
        if summary is not None:
            return summary
    return None


def theme_names(themes: Any) -> list[str]:
    """Theme names once each: the national 自然人 and 法人 lists share names (社会保障, 医疗卫生, 设立变更,
    准营准办), and an item under both would otherwise show the same label twice."""
    return list(dict.fromkeys(theme.name for theme in themes))


def bundle_forms(*, bundle: Bundle, items: list[Item] | None = None) -> list[BundleForm]:
    """The published forms of the bundle's items (or of ``items`` only), in stage order."""
    wanted = {item.pk for item in items} if items is not None else None
    forms = []
    for entry in bundle.entries.all():
        version = entry.item.published_version
        if version is None or (wanted is not None and entry.item_id not in wanted):
            continue
        forms.append(
            BundleForm(
                item_id=entry.item_id,
                implementation_code=entry.item.implementation_code,
                item_name=version.name,
                schema=version.form_schema or {},
                ui=version.form_ui or {},
            )
        )
    return forms


def bundle_merged_form(*, bundle: Bundle, items: list[Item] | None = None) -> MergedForm:
    """The merged form (一表申请) of the bundle, or of the items an applicant chose from it."""
    return merged_form(bundle_forms(bundle=bundle, items=items), bundle.field_map)


# --- the catalogue workbench (staff): scoped by the departments the caller may edit --------------------

PENDING_STATUSES = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW, VersionStatus.REJECTED)


def staff_items(
    *,
    departments: QuerySet[Department],
    q: str = "",
    status: str = "",
    department: Department | None = None,
    item_type: str = "",
) -> QuerySet[Item]:
    """Items of ``departments`` with their published version and newest unpublished version (``pending_*``)."""
    pending = ItemVersion.objects.filter(item=OuterRef("pk"), status__in=PENDING_STATUSES).order_by("-number")
    items = (
        Item.objects.filter(department__in=departments)
        .select_related("published_version", "department", "region", "basic")
        .annotate(
            pending_id=Subquery(pending.values("pk")[:1]),
            pending_number=Subquery(pending.values("number")[:1]),
            pending_status=Subquery(pending.values("status")[:1]),
            pending_name=Subquery(pending.values("name")[:1]),
        )
        .order_by("department__name", "implementation_code")
    )
    if department is not None:
        items = items.filter(department=department)
    if item_type:
        items = items.filter(basic__item_type=item_type)
    if q:
        items = items.filter(
            Q(implementation_code__icontains=q)
            | Q(basic__basic_code__icontains=q)
            | Exists(ItemVersion.objects.filter(item=OuterRef("pk"), name__icontains=q))
        )
    if status == "published":
        items = items.filter(published_version__isnull=False)
    elif status == "unpublished":
        items = items.filter(published_version__isnull=True)
    elif status in {"draft", "in_review", "rejected"}:
        items = items.filter(pending_status=status)
    return items


def staff_item_get(*, departments: QuerySet[Department], item_id: Any) -> Item:
    """One item of ``departments`` (anything else is "not found", never "forbidden")."""
    item = (
        Item.objects.filter(department__in=departments, pk=item_id)
        .select_related("published_version", "department", "region", "basic")
        .first()
    )
    if item is None:
        raise NotFound("未找到该事项，或您无权管理该事项。")
    return item


def staff_version_get(*, departments: QuerySet[Department], version_id: Any) -> ItemVersion:
    """One version of an item of ``departments``, with its item and reviewers."""
    version = (
        ItemVersion.objects.filter(item__department__in=departments, pk=version_id)
        .select_related(
            "item__department",
            "item__region",
            "item__basic",
            "item__published_version",
            "submitted_by",
            "reviewed_by",
        )
        .first()
    )
    if version is None:
        raise NotFound("未找到该版本，或您无权管理该事项。")
    return version


def versions_in_review() -> QuerySet[ItemVersion]:
    """The review queue: versions waiting for a platform administrator, oldest first."""
    return (
        ItemVersion.objects.filter(status=VersionStatus.IN_REVIEW)
        .select_related("item__department", "item__published_version", "submitted_by")
        .order_by("updated_at")
    )


# Besides the platform's administrators, who keeps a department's items (and, in the workflow app, its
# processes). The workbench menu shows those links for the same roles.
EDITOR_ROLES = (Role.DEPARTMENT_ADMIN,)


@dataclass(frozen=True)
class CatalogueAccess:
    """What the signed-in staff member may do in the catalogue."""

    departments: QuerySet[Department]
    is_platform_admin: bool


def catalogue_access(user: Any) -> CatalogueAccess | None:
    """Platform administrators edit every item and review; department administrators edit their departments'."""
    if staff_is_platform_admin(user=user):
        return CatalogueAccess(Department.objects.filter(is_active=True).order_by("name"), True)
    own = staff_memberships(user=user).filter(role__in=list(EDITOR_ROLES)).values("department")
    departments = Department.objects.filter(pk__in=own, is_active=True).order_by("name")
    return CatalogueAccess(departments, False) if departments.exists() else None
