"""Catalogue reads. Citizens see published versions only; catalogue staff see drafts of their departments."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from onewindow.catalogue.models import Bundle, BundleItem, Item, ItemVersion, Material, Theme
from onewindow.core.errors import NotFound


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
