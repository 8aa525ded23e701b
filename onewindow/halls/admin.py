"""Platform administrators open service centres and station departments here; which items a stationed
department takes and who works the comprehensive window are set on the centre's workbench page. Every
write goes through ``halls.services`` (validated and audited); what exists is shown read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from onewindow.halls.models import ServiceCentre, Stationing
from onewindow.halls.services import centre_create, stationing_create
from onewindow.organisations.admin import DomainErrorAdminMixin

CENTRE_FIELDS = ("name", "kind", "region", "window_department", "address", "opening_hours", "phone")


@admin.register(ServiceCentre)
class ServiceCentreAdmin(DomainErrorAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "region", "window_department", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "address")
    list_select_related = ("region", "window_department")
    autocomplete_fields = ("region", "window_department")
    fields = CENTRE_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: ServiceCentre | None = None) -> Any:
        return CENTRE_FIELDS if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: ServiceCentre | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ServiceCentre, form: ModelForm, change: bool) -> None:
        if change:
            return
        centre = centre_create(
            actor=request.user, **{name: form.cleaned_data[name] for name in CENTRE_FIELDS}
        )
        obj.pk = centre.pk


@admin.register(Stationing)
class StationingAdmin(DomainErrorAdminMixin, admin.ModelAdmin):
    list_display = ("centre", "department", "mode", "stationed_on")
    list_filter = ("mode", "centre")
    list_select_related = ("centre", "department")
    autocomplete_fields = ("centre", "department")
    fields = ("centre", "department", "mode", "stationed_on")

    def get_readonly_fields(self, request: HttpRequest, obj: Stationing | None = None) -> Any:
        return self.fields if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Stationing | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Stationing, form: ModelForm, change: bool) -> None:
        if change:
            return
        stationing = stationing_create(
            actor=request.user,
            centre=form.cleaned_data["centre"],
            department=form.cleaned_data["department"],
            mode=form.cleaned_data["mode"],
            stationed_on=form.cleaned_data["stationed_on"],
        )
        obj.pk = stationing.pk
