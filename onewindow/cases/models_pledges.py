"""证明事项告知承诺制 (国办发〔2020〕42号): the department's post-checks of pledges, and false pledges on record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case, CaseMaterial
from onewindow.core.models import BaseModel
from onewindow.identity.models import Company, Person
from onewindow.organisations.models import Department


class PledgeCheckStatus(models.TextChoices):
    OPEN = "open", _("to check")
    CONFIRMED = "confirmed", _("pledge confirmed")
    FALSE = "false", _("pledge found false")


class PledgeCheck(BaseModel):
    """The department's post-check (事后核查) of one pledge that replaced a material (国办发〔2020〕42号)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pledge_checks")
    case_material = models.OneToOneField(CaseMaterial, on_delete=models.CASCADE, related_name="pledge_check")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("check by"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PledgeCheckStatus.choices, default=PledgeCheckStatus.OPEN
    )
    finding = models.TextField(_("finding"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "created_at"]
        verbose_name = _("pledge check")
        verbose_name_plural = _("pledge checks")
        indexes = [models.Index(fields=["department", "status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.case} {self.case_material} ({self.get_status_display()})"


class FalsePledge(BaseModel):
    """A pledge found false: the record the window sees on the person's (or company's) later applications,
    and the reason they may no longer pledge (信用记录, 国办发〔2020〕42号)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="false_pledges")
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.PROTECT, related_name="false_pledges"
    )
    pledge_check = models.OneToOneField(PledgeCheck, on_delete=models.PROTECT, related_name="false_pledge")
    material_name = models.CharField(_("material"), max_length=200)
    finding = models.TextField(_("finding"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("false pledge")
        verbose_name_plural = _("false pledges")

    def __str__(self) -> str:
        return f"{self.person} {self.material_name}"
