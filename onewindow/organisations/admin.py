"""The admin for regions, departments and staff roles. Every write goes through services (validated, audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import DomainError
from onewindow.organisations.forms import DepartmentAdminForm
from onewindow.organisations.models import Department, Membership, Region
from onewindow.organisations.services import (
    DEPARTMENT_FIELDS,
    department_create,
    department_update,
    membership_grant,
    membership_revoke,
    region_create,
)


class DomainErrorAdminMixin:
    """Shows a service's refusal as an error message on the same page instead of a server error."""

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changeform_view(request, *args, **kwargs)  # type: ignore[misc]
        except DomainError as error:
            self.message_user(request, error.message, level=messages.ERROR)  # type: ignore[attr-defined]
            return HttpResponseRedirect(request.get_full_path())


@admin.register(Region)
class RegionAdmin(DomainErrorAdminMixin, admin.ModelAdmin):
    list_display = ("code", "indented_name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    ordering = ("code",)
    list_per_page = 100
    fields = ("code", "name", "level", "parent")

    @admin.display(description=_("name"), ordering="name")
    def indented_name(self, region: Region) -> str:
        # Codes sort parents before children, so an indent per level reads as a tree.
        return "\u3000" * (region.level - 1) + region.name

    def get_readonly_fields(self, request: HttpRequest, obj: Region | None = None) -> list[str]:
        # A region's code is its identity and its level follows from it; renaming has no audited service yet.
        return ["level"] if obj is None else ["code", "name", "level", "parent"]

    def has_delete_permission(self, request: HttpRequest, obj: Region | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Region, form: ModelForm, change: bool) -> None:
        region = region_create(
            actor=request.user,
            code=form.cleaned_data["code"],
            name=form.cleaned_data["name"],
            parent=form.cleaned_data.get("parent"),
        )
        obj.pk, obj.level = region.pk, region.level


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    fields = ("user", "role")
    autocomplete_fields = ("user",)
    verbose_name = _("staff role")
    verbose_name_plural = _("staff roles")


@admin.register(Department)
class DepartmentAdmin(DomainErrorAdminMixin, admin.ModelAdmin):
    form = DepartmentAdminForm
    list_display = (
        "name",
        "short_name",
        "region",
        "level",
        "credit_code",
        "credit_code_override_reason",
        "is_active",
    )
    list_filter = ("is_active", "level", "nature", ("region", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "short_name", "credit_code")
    list_select_related = ("region",)
    autocomplete_fields = ("region", "parent")
    readonly_fields = ("credit_code_override_reason", "credit_code_override_by")
    fieldsets = (
        (None, {"fields": ("name", "short_name", "region", "level", "nature", "parent", "is_active")}),
        (
            _("unified social credit code"),
            {
                "fields": (
                    "credit_code",
                    "override_reason",
                    "credit_code_override_reason",
                    "credit_code_override_by",
                ),
            },
        ),
    )
    inlines = (MembershipInline,)
    actions = ("deactivate",)

    def has_delete_permission(self, request: HttpRequest, obj: Department | None = None) -> bool:
        # Cases, items and staff roles point at departments: retire one with "active" instead.
        return False

    def save_model(self, request: HttpRequest, obj: Department, form: ModelForm, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in DEPARTMENT_FIELDS if name in form.cleaned_data}
        reason = form.cleaned_data.get("override_reason", "")
        if change:
            saved = department_update(
                actor=request.user,
                department=Department.objects.get(pk=obj.pk),
                override_reason=reason,
                **data,
            )
        else:
            saved = department_create(actor=request.user, override_reason=reason, **data)
        obj.pk = saved.pk

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        department = Department.objects.get(pk=form.instance.pk)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.cleaned_data:
                continue
            original = Membership.objects.filter(pk=inline_form.instance.pk).first()
            if original is not None:
                membership_revoke(actor=request.user, membership=original)
                formset.deleted_objects.append(original)
            if inline_form in formset.deleted_forms:
                continue
            formset.new_objects.append(
                membership_grant(
                    actor=request.user,
                    user=inline_form.cleaned_data["user"],
                    department=department,
                    role=inline_form.cleaned_data["role"],
                )
            )

    @admin.action(description=_("Deactivate selected departments"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Department]) -> None:
        for department in queryset.filter(is_active=True):
            department_update(actor=request.user, department=department, is_active=False)


@admin.register(Membership)
class MembershipAdmin(DomainErrorAdminMixin, admin.ModelAdmin):
    list_display = ("user", "department", "role", "created_at")
    list_filter = ("role", ("department", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "user__name", "department__name")
    list_select_related = ("user", "department")
    autocomplete_fields = ("user", "department")
    fields = ("user", "department", "role")

    def has_change_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        # A role is granted or revoked, never edited in place: the audit trail then reads as grants and revocations.
        return False

    def save_model(self, request: HttpRequest, obj: Membership, form: ModelForm, change: bool) -> None:
        membership = membership_grant(
            actor=request.user,
            user=form.cleaned_data["user"],
            department=form.cleaned_data["department"],
            role=form.cleaned_data["role"],
        )
        obj.pk = membership.pk

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        membership_revoke(actor=request.user, membership=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset:
            membership_revoke(actor=request.user, membership=membership)
