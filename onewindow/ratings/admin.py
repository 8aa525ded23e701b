"""Ratings in the admin, read-only: every change goes through the services (and the audit trail)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.ratings.models import Rating, Rectification


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["rated_at", "department", "channel", "level", "excluded"]
    list_filter = ["channel", "level", "excluded"]
    exclude = ["rater"]  # the rater is shown to the call-back roles only, through the audited look-up


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "department", "status", "due_on", "escalated_at"]
    list_filter = ["status"]
