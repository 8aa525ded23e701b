"""Rollups of the measures (issue #15): the additive counts the dashboard sums instead of scanning the cases.

One ``DailyRollup`` row per (local day, department, item) holds the numerators and denominators of the
period measures, each on the day that places it in a period: received cases and their materials on the day of
receipt, concluded cases (on time, working days, visits) on the day of conclusion, ratings on the day rated.
A period's figure is the sum of its days' rows, so any [start, end] of whole days is exact and ratios are
always computed from summed counts, never from averaged ratios. ``BacklogSnapshot`` holds the "as of now"
backlogs per (department, item), replaced at each refresh. ``RollupRun`` records each refresh: the latest
finished one is the "as of" time the dashboard states, and its start is the next incremental refresh's
watermark. Written only by ``rollups.rollups_refresh``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.catalogue.models import Item
from onewindow.core.models import BaseModel
from onewindow.organisations.models import Department

# The counts a DailyRollup row carries, in the names figures.figures() reads.
ROLLUP_COUNTS = (
    "received",
    "materials",
    "materials_a",
    "concluded",
    "concluded_with_due",
    "on_time",
    "visits",
    "timed",
    "working_days",
    "ratings",
    "good",
    "bad",
    "bad_fixed",
)


class DailyRollup(models.Model):
    # A bigint key, not a UUID: the rows are rewritten in bulk and never exposed.
    id = models.BigAutoField(primary_key=True)
    day = models.DateField(_("day"))
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    # Null only for ratings not tied to an item.
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    received = models.PositiveIntegerField(default=0)
    materials = models.PositiveIntegerField(default=0)
    materials_a = models.PositiveIntegerField(default=0)
    concluded = models.PositiveIntegerField(default=0)
    concluded_with_due = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)
    timed = models.PositiveIntegerField(default=0)
    working_days = models.PositiveIntegerField(default=0)
    ratings = models.PositiveIntegerField(default=0)
    good = models.PositiveIntegerField(default=0)
    bad = models.PositiveIntegerField(default=0)
    bad_fixed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day"]
        verbose_name = _("daily rollup of the measures")
        verbose_name_plural = _("daily rollups of the measures")
        indexes = [
            # The dashboard sums a date range, optionally narrowed to departments or one item.
            models.Index(fields=["day", "department"], name="rollup_day_department"),
            models.Index(fields=["item", "day"], name="rollup_item_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id} {self.item_id}"


class BacklogSnapshot(models.Model):
    id = models.BigAutoField(primary_key=True)
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    backlog = models.PositiveIntegerField(default=0)
    overdue_backlog = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("backlog snapshot")
        verbose_name_plural = _("backlog snapshots")

    def __str__(self) -> str:
        return f"{self.department_id} {self.item_id}: {self.backlog}"


class RollupRun(BaseModel):
    started_at = models.DateTimeField(_("started at"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"))
    full = models.BooleanField(_("full refresh"), default=False)
    days = models.PositiveIntegerField(_("days recomputed"), default=0)
    rows = models.PositiveIntegerField(_("rows written"), default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("rollup refresh")
        verbose_name_plural = _("rollup refreshes")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.rows} rows)"
