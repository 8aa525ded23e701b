"""Spreadsheet import jobs (onewindow/catalogue/exchange)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import BaseModel


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("waiting to start")
    CHECKING = "checking", _("checking the rows")
    WRITING = "writing", _("writing the items")
    DONE = "done", _("import complete")
    FAILED = "failed", _("nothing imported")


class ImportJob(BaseModel):
    """One spreadsheet import of items and materials, run in the background: its file, progress and problems."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("imported by")
    )
    file = models.FileField(_("workbook"), upload_to="catalogue/imports/")
    file_name = models.CharField(_("file name"), max_length=200)
    # Only platform administrators may publish directly; everyone else's rows stay drafts for review.
    publish = models.BooleanField(_("submit and publish"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows checked"), default=0)
    created_items = models.PositiveIntegerField(_("items created"), default=0)
    updated_items = models.PositiveIntegerField(_("items given a new version"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    problems = models.JSONField(
        _("problems"), default=list, blank=True, help_text=_("[{sheet, row, column, code, message}]")
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("catalogue import")
        verbose_name_plural = _("catalogue imports")

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportJobStatus.DONE, ImportJobStatus.FAILED}

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0
