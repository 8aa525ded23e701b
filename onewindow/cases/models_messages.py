"""What a case tells its applicant: in-site messages (站内消息) and the per-channel notification delivery log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case, EventAction
from onewindow.core.fields import EncryptedTextField
from onewindow.core.models import BaseModel


class CaseMessage(BaseModel):
    """An in-site message (站内消息) about a case for its applicant."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_messages"
    )
    event = models.CharField(_("event"), max_length=24, choices=EventAction.choices)
    text = models.TextField(_("text"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.text[:50]


class NotificationChannel(models.TextChoices):
    SITE = "site", _("in-site message")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("e-mail")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("queued")  # waiting for its first or next attempt
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")  # gave up after the last attempt, or nobody to send to


class NotificationDelivery(BaseModel):
    """One channel's delivery of one case notification (the staff-visible delivery log).

    The recipient is kept masked only: each attempt reads the phone or address afresh from the applicant's
    record. The text waits encrypted (it may carry the query password) and is erased once the delivery is
    settled, sent or given up.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notification_deliveries")
    event = models.CharField(_("event"), max_length=24, choices=EventAction.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=NotificationChannel.choices)
    recipient = models.CharField(_("recipient (masked)"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    text = EncryptedTextField(_("text"), blank=True)

    class Meta:
        ordering = ["case", "created_at"]
        verbose_name = _("notification delivery")
        verbose_name_plural = _("notification deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.recipient} {self.get_status_display()}"
