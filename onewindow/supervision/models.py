"""E-supervision (电子监察): versioned rules, the alerts and cards they raise, and supervision orders (督办单)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import BaseModel
from onewindow.organisations.models import Department


class RuleVersion(BaseModel):
    """One version of the supervision rules: a change never edits a version, it adds the next one, so every
    alert says which rules raised it."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    warn_percent = models.PositiveSmallIntegerField(
        _("warning at (percent of the limit)"),
        default=80,
        help_text=_("a warning once this share of the limit has run"),
    )
    red_after_days = models.PositiveSmallIntegerField(
        _("red card after (working days overdue)"),
        default=5,
        help_text=_("the supervision deadline: overdue by more than this many working days is a red card"),
    )
    correction_days = models.PositiveSmallIntegerField(_("correction notice limit (working days)"), default=5)
    delivery_days = models.PositiveSmallIntegerField(_("delivery limit (working days)"), default=10)
    order_reply_days = models.PositiveSmallIntegerField(
        _("supervision order reply limit (working days)"), default=5
    )
    max_limit_days = models.PositiveSmallIntegerField(
        _("longest watched limit (working days)"),
        default=60,
        help_text=_("bounds the due-date window searched for warnings (45 + 15 for joint handling)"),
    )
    returns_breach = models.PositiveSmallIntegerField(
        _("returns of one case that count as repeated"), default=2
    )
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("supervision rule version")
        verbose_name_plural = _("supervision rule versions")

    def __str__(self) -> str:
        return f"v{self.number}"


class AlertKind(models.TextChoices):
    CASE = "case", _("case time limit")
    TASK = "task", _("workflow step")
    CORRECTION = "correction", _("pre-review and correction notice")
    DELIVERY = "delivery", _("delivery of the licence")
    RECTIFICATION = "rectification", _("rectification of a bad rating")
    QUESTION = "question", _("consultation")
    TICKET = "ticket", _("12345 ticket")
    ESCALATION = "escalation", _("escalated by the 12345 office")
    OUT_OF_GUIDE = "out_of_guide", _("correction naming a material outside the guide")
    REPEATED_RETURN = "repeated_return", _("repeated returns")
    DEEMED_ACCEPTANCE = "deemed_acceptance", _("deemed acceptance")
    LATE_ACCEPTANCE = "late_acceptance", _("accepted after the pre-review window")
    OFF_PLATFORM = "off_platform", _("decision taken outside the platform's steps")


class AlertLevel(models.TextChoices):
    WARNING = "warning", _("warning")
    YELLOW = "yellow", _("yellow card")
    RED = "red", _("red card")
    BREACH = "breach", _("breach")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    ORDERED = "ordered", _("supervision order issued")
    CLOSED = "closed", _("alert closed")


class Alert(BaseModel):
    """A warning, a card or a breach on one watched object, naming the department and the person."""

    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    level = models.CharField(_("level"), max_length=10, choices=AlertLevel.choices)
    status = models.CharField(
        _("status"), max_length=14, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object"), max_length=40)
    reference = models.CharField(_("reference"), max_length=120)
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("case"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    rule_version = models.ForeignKey(
        RuleVersion, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("rule version")
    )
    raised_at = models.DateTimeField(_("raised at"), db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("supervision alert")
        verbose_name_plural = _("supervision alerts")
        constraints = [
            # Idempotent scans: one alert per object and level (a breach per kind and object).
            models.UniqueConstraint(fields=["kind", "object_id", "level"], name="supervision_alert_once"),
        ]
        indexes = [
            models.Index(fields=["department", "status", "-raised_at"], name="supervision_alert_department"),
            models.Index(fields=["status", "-raised_at"], name="supervision_alert_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.reference}"


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("awaiting the department's reply")
    REPLIED = "replied", _("replied")
    CLOSED = "closed", _("order concluded")


class SupervisionOrder(BaseModel):
    """A supervision order (督办单) issued on an alert: the department must reply by ``reply_due_on``."""

    number = models.CharField(_("order number"), max_length=30, unique=True)
    alert = models.OneToOneField(
        Alert, on_delete=models.PROTECT, related_name="order", verbose_name=_("alert")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    instruction = models.TextField(_("instruction"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.ISSUED
    )
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reply_due_on = models.DateField(_("reply due on"))
    reply = models.TextField(_("reply"), max_length=2000, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        indexes = [models.Index(fields=["department", "status"], name="supervision_order_department")]

    def __str__(self) -> str:
        return self.number


class ScanRun(BaseModel):
    """One run of the scan: breaches are looked for in what happened since the previous run."""

    started_at = models.DateTimeField(_("started at"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rule_version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="+")
    raised = models.PositiveIntegerField(_("alerts raised"), default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("supervision scan")
        verbose_name_plural = _("supervision scans")
