"""Read-only admin views of parcels: changes go through the services (and the audit)."""

from django.contrib import admin

from onewindow.delivery.models import Shipment


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ["tracking_number", "courier", "direction", "status", "created_at"]
    list_filter = ["direction", "status", "courier"]
    search_fields = ["tracking_number"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
