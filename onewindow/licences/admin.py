"""Read-mostly admin for the e-licence library: writes (issuing, lifecycle, keys) go through the services
and the workbench pages, because each needs its signature, event and audit entry."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.licences.models import Licence, LicenceAccess, LicenceEvent, LicenceType, SigningKey


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LicenceType)
class LicenceTypeAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "issuer", "validity_years", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code")
    list_select_related = ("issuer",)


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ("key_id", "department", "algorithm", "status", "created_at", "retired_at")
    list_filter = ("algorithm", "status")
    list_select_related = ("department",)
    exclude = ("private_key",)


class LicenceEventInline(admin.TabularInline):
    model = LicenceEvent
    extra = 0
    can_delete = False
    fields = ("at", "operation", "actor", "reason", "basis")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = ("number", "licence_type", "holder_name", "status", "issued_on", "valid_until")
    list_filter = ("status", "licence_type")
    search_fields = ("number", "identifier", "holder_name")
    list_select_related = ("licence_type",)
    exclude = ("holder_code", "holder_code_hash")
    inlines = [LicenceEventInline]


@admin.register(LicenceAccess)
class LicenceAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "client_name", "department", "case_number", "purpose")
    list_select_related = ("department",)
    exclude = ("holder_code_hash",)
