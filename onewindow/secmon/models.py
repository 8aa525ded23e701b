"""Security monitoring 安全防范、监测、通报、处置 (issue #17): events, alerts over thresholds, incidents.

Events are kept at least six months (网络安全法 art. 21 requires network logs for no less than six months):
``secmon.tasks.security_events_prune`` never deletes an event younger than ``ONEWINDOW_SECMON_RETENTION_DAYS``,
which cannot be set below 180.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import BaseModel


class EventKind(models.TextChoices):
    SIGN_IN_FAILED = "sign_in_failed", _("failed sign-in")
    LOCKOUT = "lockout", _("account locked")
    PERMISSION_REFUSED = "permission_refused", _("permission refused (403/404)")
    PERSONAL_DATA_LOOKUP = "personal_data_lookup", _("personal data look-up")
    KEY_ROTATION = "key_rotation", _("key rotation")
    DATA_EXPORT = "data_export", _("data export")
    RATE_LIMITED = "rate_limited", _("rate limit exceeded (mass look-ups)")


class SecurityEvent(BaseModel):
    """One security-relevant occurrence, counted per window against the thresholds."""

    kind = models.CharField(_("kind"), max_length=40, choices=EventKind.choices)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        verbose_name=_("actor"),
    )
    # What the threshold counts per: the account name tried, the client address, or the acting user.
    subject = models.CharField(_("subject"), max_length=200)
    ip = models.GenericIPAddressField(_("source IP"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    audit_seq = models.BigIntegerField(_("audit entry"), null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        indexes = [models.Index(fields=["kind", "subject", "at"]), models.Index(fields=["kind", "ip", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject}"


class AlertStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")


class SecurityAlert(BaseModel):
    """A threshold crossed: so many events of one kind for one subject within the window."""

    kind = models.CharField(_("kind"), max_length=40, choices=EventKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    count = models.PositiveIntegerField(_("events"))
    threshold = models.PositiveIntegerField(_("threshold"))
    window_seconds = models.PositiveIntegerField(_("window (seconds)"))
    first_at = models.DateTimeField(_("first event"))
    last_at = models.DateTimeField(_("last event"))
    status = models.CharField(
        _("status"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_at"]
        verbose_name = _("security alert")
        verbose_name_plural = _("security alerts")
        indexes = [models.Index(fields=["kind", "subject", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject} ×{self.count}"


class IncidentSeverity(models.TextChoices):
    """The four grades of the national cyber-security incident emergency plan (国家网络安全事件应急预案)."""

    EXTREMELY_SERIOUS = "I", _("Grade I — extremely serious")
    SERIOUS = "II", _("Grade II — serious")
    RELATIVELY_SERIOUS = "III", _("Grade III — relatively serious")
    GENERAL = "IV", _("Grade IV — general")


class IncidentStage(models.TextChoices):
    """The handling steps, in order: 报告、研判、处置、通报、关闭."""

    REPORTED = "reported", _("reported")
    ASSESSED = "assessed", _("assessed")
    CONTAINED = "contained", _("handled")
    NOTIFIED = "notified", _("notified")
    CLOSED = "closed", _("closed")


STAGE_ORDER = [stage.value for stage in IncidentStage]


class Incident(BaseModel):
    """A security incident 安全事件 and where its handling stands."""

    title = models.CharField(_("title"), max_length=200)
    severity = models.CharField(_("severity"), max_length=3, choices=IncidentSeverity.choices)
    stage = models.CharField(
        _("stage"), max_length=20, choices=IncidentStage.choices, default=IncidentStage.REPORTED
    )
    alert = models.ForeignKey(
        SecurityAlert, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("security incident")
        verbose_name_plural = _("security incidents")

    def __str__(self) -> str:
        return self.title

    def next_stage(self) -> str | None:
        index = STAGE_ORDER.index(self.stage)
        return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


class IncidentStep(BaseModel):
    """One handling step: who did what at which stage, with the note they wrote."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="steps")
    stage = models.CharField(_("stage"), max_length=20, choices=IncidentStage.choices)
    note = models.TextField(_("note"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("incident step")
        verbose_name_plural = _("incident steps")

    def __str__(self) -> str:
        return f"{self.incident} · {self.get_stage_display()}"
