"""The calendar and deadlines in the admin. Calendar edits go through services so affected deadlines move."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from onewindow.workdays.models import CalendarDay, CalendarYear, Deadline, DeadlinePause
from onewindow.workdays.services import calendar_day_delete, calendar_day_set


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> QuerySet[CalendarDay]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


class CalendarDayForm(ModelForm):
    """A holiday or make-up working day; the service's checks run as form validation."""

    class Meta:
        model = CalendarDay
        fields = ("date", "kind", "name", "source")

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        date, kind = cleaned.get("date"), cleaned.get("kind")
        if date and kind == "workday" and date.weekday() < 5:
            self.add_error(
                "kind",
                _(
                    "A Monday–Friday date is a working day already; only weekends can be adjusted working days."
                ),
            )
        return cleaned


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    form = CalendarDayForm
    list_display = ("date", "weekday", "kind", "name", "source")
    list_filter = (YearFilter, "kind")
    search_fields = ("name", "source")
    ordering = ("-date",)
    list_per_page = 100

    @admin.display(description=_("weekday"))
    def weekday(self, day: CalendarDay) -> str:
        return date_format(day.date, "l")

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: ModelForm, change: bool) -> None:
        if change and "date" in form.changed_data:
            calendar_day_delete(actor=request.user, day=CalendarDay.objects.get(pk=obj.pk))
        day = calendar_day_set(
            actor=request.user, **{k: form.cleaned_data[k] for k in ("date", "kind", "name", "source")}
        )
        obj.pk = day.pk

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        calendar_day_delete(actor=request.user, day=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in queryset:
            calendar_day_delete(actor=request.user, day=day)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """Years with an official list. A year is loaded through the import page, which recomputes deadlines."""

    list_display = ("year", "source", "updated_at")
    ordering = ("-year",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CalendarYear | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CalendarYear | None = None) -> bool:
        return False


class DeadlinePauseInline(admin.TabularInline):
    model = DeadlinePause
    fields = ("start_on", "end_on", "reason", "basis")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Deadline | None = None) -> bool:
        return False


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    """Deadlines are started and paused by the cases they belong to, never by hand."""

    list_display = ("label", "start_on", "working_days", "due_on", "provisional")
    list_filter = ("provisional", ("due_on", admin.DateFieldListFilter))
    search_fields = ("label",)
    date_hierarchy = "due_on"
    inlines = (DeadlinePauseInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: Deadline | None = None) -> list[str]:
        return ["label", "start_on", "working_days", "due_on", "provisional"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Deadline | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Deadline | None = None) -> bool:
        return False
