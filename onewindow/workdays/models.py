"""The working-day calendar (holidays and make-up working days) and the deadlines counted on it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import BaseModel


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("holiday (no work)")
    WORKDAY = "workday", _("adjusted working day (调休上班)")


class CalendarDay(BaseModel):
    """A day that differs from the Mon–Fri rule: a statutory holiday, or a weekend made a working day."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. 国庆节"))
    source = models.CharField(_("source"), max_length=200, help_text=_("e.g. 国办发明电〔2025〕7号"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.name}（{self.get_kind_display()}）"


class CalendarYear(BaseModel):
    """A year whose official holiday list has been loaded. Years without a row are computed Mon–Fri and
    every deadline that touches them is provisional."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("official calendar year")
        verbose_name_plural = _("official calendar years")

    def __str__(self) -> str:
        return f"{self.year}（{self.source}）"


class Deadline(BaseModel):
    """A legal clock: ``working_days`` counted from ``start_on`` with paused intervals removed.

    Cases and workflow steps point at one. ``due_on`` is derived and stored so that lists and e-supervision
    can filter on it; ``provisional`` says it was counted over a year with no official holiday list and will
    be recomputed when that list is imported.
    """

    label = models.CharField(_("label"), max_length=200)
    start_on = models.DateField(_("start date"))
    working_days = models.PositiveIntegerField(_("working days"))
    due_on = models.DateField(_("due date"), db_index=True)
    provisional = models.BooleanField(_("provisional"), default=False, db_index=True)

    class Meta:
        ordering = ["due_on"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")

    def __str__(self) -> str:
        return f"{self.label}: {self.due_on}"


class DeadlinePause(BaseModel):
    """A stop of the clock (特别程序): the working days from ``start_on`` to ``end_on`` inclusive don't count."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="pauses")
    start_on = models.DateField(_("paused from"))
    end_on = models.DateField(
        _("paused until"), null=True, blank=True, help_text=_("empty while still paused")
    )
    reason = models.CharField(_("reason"), max_length=300)
    basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    class Meta:
        ordering = ["start_on"]
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__isnull=True) | models.Q(end_on__gte=models.F("start_on")),
                name="deadline_pause_ends_after_start",
            )
        ]
