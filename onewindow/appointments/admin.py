"""Appointments in the admin: triage questions are edited here (through ``triage_question_save``, audited);
slots and bookings are read-only — they change through the booking pages and the jobs."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from onewindow.appointments.models import Booking, Slot, TriageQuestion
from onewindow.appointments.services import triage_question_save
from onewindow.organisations.admin import DomainErrorAdminMixin


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TriageQuestion)
class TriageQuestionAdmin(DomainErrorAdminMixin, admin.ModelAdmin):
    list_display = ("item", "position", "text", "stop_answer")
    list_select_related = ("item",)
    autocomplete_fields = ("item",)
    fields = ("item", "position", "text", "stop_answer", "stop_message")

    def has_delete_permission(self, request: HttpRequest, obj: TriageQuestion | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: TriageQuestion, form: ModelForm, change: bool) -> None:
        saved = triage_question_save(actor=request.user, question=obj)
        obj.pk = saved.pk


@admin.register(Slot)
class SlotAdmin(_ReadOnly):
    list_display = ("line", "starts_at", "ends_at", "capacity", "item")
    list_filter = ("line__centre",)
    list_select_related = ("line", "item")


@admin.register(Booking)
class BookingAdmin(_ReadOnly):
    list_display = ("code", "status", "slot", "held_until", "confirmed_at")
    list_filter = ("status",)
    list_select_related = ("slot__line",)
    exclude = ("person", "user", "answers")
