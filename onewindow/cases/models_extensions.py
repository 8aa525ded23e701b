"""Extension requests (延期): the handling staff ask, the head of the agency decides (行政许可法 art. 42)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case, SpecialProcedure
from onewindow.core.models import BaseModel


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("awaiting the head's decision")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class ExtensionRequest(BaseModel):
    """A request to extend a case's time limit, decided by the head of the agency (负责人, 行政许可法 art. 42):
    the handling staff ask, only the head approves. An approval adds an extension ``SpecialProcedure``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extension_requests")
    working_days = models.PositiveIntegerField(_("extend by (working days)"))
    reason = models.TextField(_("reason"))
    basis = models.CharField(_("legal basis"), max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(
        _("status"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by (head)"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("head's opinion"), blank=True)
    procedure = models.OneToOneField(
        SpecialProcedure, null=True, blank=True, on_delete=models.PROTECT, related_name="extension_request"
    )

    class Meta:
        ordering = ["case", "-requested_at"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="pending"), name="one_pending_extension_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} +{self.working_days} ({self.get_status_display()})"
