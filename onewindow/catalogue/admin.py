"""The admin for the catalogue. Guides are written and reviewed in the workbench (versioned, audited); here
they are read-only, and bundles are saved through ``bundle_save`` so they stay valid and searchable."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from onewindow.catalogue.models import (
    BasicItem,
    Bundle,
    BundleItem,
    IntermediaryInstitution,
    IntermediaryService,
    Item,
    ItemVersion,
    Material,
    NegativeListEntry,
    Theme,
    VersionStatus,
)
from onewindow.catalogue.selectors import bundle_merged_form
from onewindow.catalogue.services import basic_item_ensure, bundle_save
from onewindow.organisations.admin import DomainErrorAdminMixin


class ReadOnlyAdminMixin:
    """Records written only through the workbench's services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "audience", "order")
    list_filter = ("audience",)
    search_fields = ("code", "name")
    ordering = ("audience", "order", "code")


@admin.register(BasicItem)
class BasicItemAdmin(DomainErrorAdminMixin, admin.ModelAdmin):
    list_display = ("basic_code", "name", "item_type")
    list_filter = ("item_type",)
    search_fields = ("basic_code", "name")
    fields = ("basic_code", "name", "item_type")

    def get_readonly_fields(self, request: HttpRequest, obj: BasicItem | None = None) -> tuple[str, ...]:
        # Implementation codes embed the basic code: once registered, an entry is never renamed or recoded here.
        return () if obj is None else ("basic_code", "name", "item_type")

    def has_delete_permission(self, request: HttpRequest, obj: BasicItem | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: BasicItem, form: ModelForm, change: bool) -> None:
        basic = basic_item_ensure(
            actor=request.user,
            basic_code=form.cleaned_data["basic_code"],
            name=form.cleaned_data["name"],
            item_type=form.cleaned_data["item_type"],
        )
        obj.pk = basic.pk


def _version_link(version: ItemVersion | None) -> str:
    if version is None:
        return "—"
    url = reverse("admin:catalogue_itemversion_change", args=[version.pk])
    return format_html('<a href="{}">v{} {}</a>', url, version.number, version.get_status_display())


@admin.register(Item)
class ItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("implementation_code", "name", "department", "published", "popularity")
    list_filter = (("department", admin.RelatedOnlyFieldListFilter), "basic__item_type")
    search_fields = ("implementation_code", "basic__basic_code", "basic__name", "published_version__name")
    list_select_related = ("department", "basic", "published_version")
    fields = (
        "implementation_code",
        "basic",
        "department",
        "region",
        "published",
        "popularity",
        "versions_list",
        "workbench",
    )
    readonly_fields = fields

    @admin.display(description=_("item name"))
    def name(self, item: Item) -> str:
        return item.published_version.name if item.published_version else item.basic.name

    @admin.display(description=_("published version"), ordering="published_version__number")
    def published(self, item: Item) -> str:
        return _version_link(item.published_version)

    @admin.display(description=_("versions"))
    def versions_list(self, item: Item) -> str:
        versions = item.versions.order_by("-number")
        return (
            format_html_join("", "<div>{}</div>", ((_version_link(version),) for version in versions)) or "—"
        )

    @admin.display(description=_("staff workbench"))
    def workbench(self, item: Item) -> str:
        url = reverse("catalogue_staff:item_detail", args=[item.pk])
        return format_html('<a href="{}">{}</a>', url, _("Edit the guide in the catalogue workbench"))


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    can_delete = False
    fields = (
        "order",
        "key",
        "name",
        "necessity",
        "condition",
        "form",
        "originals",
        "copies",
        "source",
        "blank_form",
        "sample",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ItemVersion)
class ItemVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every version read-only: published and superseded ones never change, drafts change in the workbench."""

    list_display = ("name", "item_code", "number", "status", "reviewed_by", "published_at")
    list_filter = ("status", "item_type", "level")
    search_fields = ("name", "item__implementation_code")
    list_select_related = ("item", "reviewed_by")
    date_hierarchy = "published_at"
    inlines = (MaterialInline,)
    exclude = ("themes", "joint_departments")
    readonly_fields = ("theme_names", "joint_names", "workbench")

    def get_readonly_fields(self, request: HttpRequest, obj: ItemVersion | None = None) -> list[str]:
        names = [f.name for f in ItemVersion._meta.concrete_fields if f.name not in {"id"}]
        return [*names, *self.readonly_fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ItemVersion]:
        return super().get_queryset(request).prefetch_related("themes", "joint_departments")

    @admin.display(description=_("implementation code"), ordering="item__implementation_code")
    def item_code(self, version: ItemVersion) -> str:
        return version.item.implementation_code

    @admin.display(description=_("themes"))
    def theme_names(self, version: ItemVersion) -> str:
        return "、".join(theme.name for theme in version.themes.all()) or "—"

    @admin.display(description=_("joint bodies"))
    def joint_names(self, version: ItemVersion) -> str:
        return "、".join(d.name for d in version.joint_departments.all()) or "—"

    @admin.display(description=_("staff workbench"))
    def workbench(self, version: ItemVersion) -> str:
        editable = version.status in {VersionStatus.DRAFT, VersionStatus.REJECTED}
        url = reverse(
            "catalogue_staff:version_edit" if editable else "catalogue_staff:version_detail",
            args=[version.pk],
        )
        return format_html('<a href="{}">{}</a>', url, _("Open in the catalogue workbench"))


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    extra = 2
    fields = ("item", "stage", "order", "optional")
    autocomplete_fields = ("item",)
    verbose_name = _("item in the bundle")
    verbose_name_plural = _("items in the bundle (same stage = handled in parallel)")


@admin.register(Bundle)
class BundleAdmin(DomainErrorAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "audience", "item_count", "popularity", "is_published")
    list_filter = ("audience", "is_published")
    search_fields = ("code", "name", "keywords")
    fields = (
        "code",
        "name",
        "audience",
        "description",
        "keywords",
        "field_map",
        "merged_form",
        "popularity",
        "is_published",
    )
    readonly_fields = ("merged_form", "popularity", "is_published")
    inlines = (BundleItemInline,)

    @admin.display(description=_("asked once (merged form)"))
    def merged_form(self, bundle: Bundle) -> str:
        """What the field map gives: each shared field and the items it is copied into, to check an edit."""
        if bundle.pk is None:
            return "—"
        shared = bundle_merged_form(bundle=bundle).shared
        return (
            "；".join(f"{field.title}（{field.name}）→ {'、'.join(field.item_names)}" for field in shared)
            or "—"
        )

    def has_delete_permission(self, request: HttpRequest, obj: Bundle | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Bundle]:
        return super().get_queryset(request).prefetch_related("entries")

    @admin.display(description=_("items"))
    def item_count(self, bundle: Bundle) -> int:
        return len(bundle.entries.all())

    def save_model(self, request: HttpRequest, obj: Bundle, form: ModelForm, change: bool) -> None:
        """Saved with its items in ``save_related``, through the service."""

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: list[Any], change: bool) -> None:
        rows = [
            row
            for formset in formsets
            for row in formset.cleaned_data
            if row and row.get("item") is not None and not row.get("DELETE")
        ]
        rows.sort(key=lambda row: (row.get("stage") or 1, row.get("order") or 0))
        data = form.cleaned_data
        bundle = bundle_save(
            actor=request.user,
            code=data["code"],
            name=data["name"],
            audience=data["audience"],
            description=data["description"],
            keywords=data.get("keywords", ""),
            items=[(row["item"], row.get("stage") or 1, bool(row.get("optional"))) for row in rows],
            field_map=data.get("field_map") or {},
        )
        form.instance.pk = bundle.pk
        form.instance._state.adding = False
        for formset in formsets:
            # The admin's change message reads these; the service replaced the rows as a whole.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(NegativeListEntry)
class NegativeListEntryAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "category")
    list_filter = ("category",)
    search_fields = ("code", "title", "measures")
    autocomplete_fields = ("items",)


@admin.register(IntermediaryService)
class IntermediaryServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "department", "time_limit_days")
    list_filter = (("department", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("code", "name")
    list_select_related = ("department",)
    autocomplete_fields = ("department", "items")


@admin.register(IntermediaryInstitution)
class IntermediaryInstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "region", "phone")
    list_filter = (("region", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "credit_code", "qualification")
    list_select_related = ("region",)
    autocomplete_fields = ("region", "services")
