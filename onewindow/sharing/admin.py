from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.sharing.models import AccessLogEntry, FormCheck, SharedResource, SharingApproval


@admin.register(SharedResource)
class SharedResourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "provider", "registry", "sharing_class", "update_frequency"]
    list_filter = ["sharing_class", "registry"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the access log refers to it


@admin.register(SharingApproval)
class SharingApprovalAdmin(admin.ModelAdmin):
    """Read-only: approvals change through the workbench services (audited)."""

    list_display = ["resource", "consumer", "purpose", "status", "valid_until"]
    list_filter = ["status"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(SharingApprovalAdmin):
    """The signed access log: append-only, never edited here."""

    list_display = ["seq", "reference", "at", "resource", "consumer", "official_label", "purpose", "outcome"]
    list_filter = ["outcome"]


@admin.register(FormCheck)
class FormCheckAdmin(SharingApprovalAdmin):
    list_display = ["case", "field", "outcome"]
    list_filter = ["outcome"]
