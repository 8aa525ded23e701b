"""Admin views of the assisted services: read-only records (they are written through the services)."""

from django.contrib import admin

from onewindow.assist.models import AssistedFiling, CallbackRequest, FeaturedItem


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AssistedFiling)
class AssistedFilingAdmin(ReadOnlyAdmin):
    list_display = ["consented_at", "centre", "helper", "consent_method"]
    list_filter = ["centre", "consent_method"]
    exclude = ["consent_signature"]


@admin.register(CallbackRequest)
class CallbackRequestAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "name", "status", "handled_by", "handled_at"]
    list_filter = ["status"]
    exclude = ["phone"]


@admin.register(FeaturedItem)
class FeaturedItemAdmin(ReadOnlyAdmin):
    list_display = ["listing", "position", "label", "item"]
    list_filter = ["listing"]
