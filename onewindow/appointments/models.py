"""Appointments (预约办理): slots of a hall's line with their capacity, bookings for one or several people and
services, and the triage questions an item asks before booking.

A booking's life follows the ZMS ``eappointment`` holds (docs/architecture.md, "Appointments"):
reserved (a place held 30 minutes while the details are filled in) → preconfirmed (details given, held 60
minutes until the applicant confirms) → confirmed → checked in (a queue ticket issued) or no-show; cancelled,
changed (moved to another slot) and expired end it. A cancelled or changed booking keeps its places for 30
minutes more, so a place cannot be handed to a friend by cancelling it (slot trading).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import BaseModel


class TriageAnswer(models.TextChoices):
    YES = "yes", _("yes")
    NO = "no", _("no")


class TriageQuestion(BaseModel):
    """A question an item asks before booking (Open Forms' triage). The ``stop_answer`` means the person
    need not (or cannot yet) come, and ``stop_message`` says what to do instead."""

    item = models.ForeignKey(
        "catalogue.Item", on_delete=models.CASCADE, related_name="triage_questions", verbose_name=_("item")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("question"), max_length=200)
    stop_answer = models.CharField(
        _("answer that stops the booking"), max_length=3, choices=TriageAnswer.choices, blank=True
    )
    stop_message = models.CharField(_("message when stopped"), max_length=300, blank=True)

    class Meta:
        ordering = ["item", "position"]
        verbose_name = _("triage question")
        verbose_name_plural = _("triage questions")

    def __str__(self) -> str:
        return self.text


class Slot(BaseModel):
    """A time of a hall's line (window type) that ``capacity`` people may book; for one item, or for every
    item the line's windows serve."""

    line = models.ForeignKey(
        "queueing.QueueLine", on_delete=models.CASCADE, related_name="slots", verbose_name=_("line")
    )
    item = models.ForeignKey(
        "catalogue.Item",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="slots",
        verbose_name=_("item"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))

    class Meta:
        ordering = ["starts_at", "line"]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        constraints = [
            models.UniqueConstraint(
                fields=["line", "starts_at"],
                condition=models.Q(item__isnull=True),
                name="slot_unique_line_start",
            ),
            models.UniqueConstraint(fields=["line", "item", "starts_at"], name="slot_unique_item_start"),
            models.CheckConstraint(condition=models.Q(starts_at__lt=models.F("ends_at")), name="slot_order"),
        ]

    def __str__(self) -> str:
        return f"{self.line} {self.starts_at:%Y-%m-%d %H:%M}"


class BookingStatus(models.TextChoices):
    RESERVED = "reserved", _("reserved")
    PRECONFIRMED = "preconfirmed", _("awaiting your confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    CHECKED_IN = "checked_in", _("checked in")
    NO_SHOW = "no_show", _("not attended")
    CANCELLED = "cancelled", _("cancelled")
    CHANGED = "changed", _("moved to another time")
    EXPIRED = "expired", _("expired unconfirmed")


HELD_STATUSES = (BookingStatus.RESERVED, BookingStatus.PRECONFIRMED)
KEPT_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW)
RELEASED_LATE_STATUSES = (BookingStatus.CANCELLED, BookingStatus.CHANGED)


class Booking(BaseModel):
    """One appointment in a slot, made by a signed-in person, for one or several people and services."""

    code = models.CharField(_("booking code"), max_length=8, unique=True)
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("slot"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="bookings",
        verbose_name=_("booked by"),
    )
    person = models.ForeignKey(
        "identity.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.RESERVED
    )
    held_until = models.DateTimeField(_("held until"), null=True, blank=True)
    answers = models.JSONField(_("triage answers"), default=dict, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("cancelled or changed at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    ticket = models.OneToOneField(
        "queueing.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="booking",
        verbose_name=_("queue ticket"),
    )
    replaced_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("moved to")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [models.Index(fields=["status", "held_until"], name="booking_status_held")]

    def __str__(self) -> str:
        return self.code

    def can_change(self) -> bool:
        return self.status == BookingStatus.CONFIRMED

    def can_cancel(self) -> bool:
        return self.status in (*HELD_STATUSES, BookingStatus.CONFIRMED)


class BookingEntry(BaseModel):
    """One person and one service of a booking: each takes one place of the slot."""

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="entries", verbose_name=_("booking")
    )
    item = models.ForeignKey(
        "catalogue.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    person_name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ["booking", "created_at"]
        verbose_name = _("booking entry")
        verbose_name_plural = _("booking entries")

    def __str__(self) -> str:
        return f"{self.booking} · {self.item}"
