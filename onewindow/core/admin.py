"""The audit trail in the admin: read-only, because the chain only ever grows (the services append to it)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from onewindow.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("seq", "at", "actor_label", "action", "target_type", "target_label", "ip")
    list_filter = ("action", "target_type", ("at", admin.DateFieldListFilter))
    search_fields = ("actor_label", "action", "target_id", "target_label", "ip")
    date_hierarchy = "at"
    ordering = ("-seq",)
    list_per_page = 100
    show_full_result_count = False  # counting a long trail on every page is slow and tells nobody anything

    def get_readonly_fields(self, request: HttpRequest, obj: AuditEntry | None = None) -> list[str]:
        return [field.name for field in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False


# The index links to the import pages, which live in the workbench (they are forms, not model admins).
admin.site.index_template = "admin/onewindow_index.html"
