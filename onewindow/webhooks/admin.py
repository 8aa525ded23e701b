from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    """Read-only: subscriptions are made on the workbench page or over the API, through the services."""

    list_display = ("application", "department", "url", "active", "created_at")
    list_filter = ("active",)
    exclude = ("secret",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookEvent, WebhookDelivery, WebhookAttempt)
class WebhookLogAdmin(admin.ModelAdmin):
    """The outbox and the delivery log are records: never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
