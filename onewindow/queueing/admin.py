"""Queue lines and tickets, read-only: lines are opened on the centre's workbench page, tickets change only
through the calling desk (validated and audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.queueing.models import QueueLine, Ticket


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(QueueLine)
class QueueLineAdmin(_ReadOnly):
    list_display = ("centre", "prefix", "name", "first_number", "last_number")
    list_select_related = ("centre",)


@admin.register(Ticket)
class TicketAdmin(_ReadOnly):
    list_display = ("day", "display_number", "status", "source", "priority", "window", "calls")
    list_filter = ("status", "source", "priority", "day")
    list_select_related = ("line", "window")
    exclude = ("person",)  # a person is looked up at the window, not browsed here
