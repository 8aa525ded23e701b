"""Queue tickets in a hall (取号叫号): lines with their ticket number ranges, and the tickets.

The state table (docs/architecture.md, "Queue tickets") — ZMS' fourteen states folded to the six a hall of
ours needs:

======== ================================================ ===========================================
state    entered by                                       left by
======== ================================================ ===========================================
waiting  ``ticket_issue`` (kiosk, phone, booking check-in) call → called; cancel → cancelled
         ``ticket_transfer`` (to another window)
called   ``ticket_call_next`` (call 1), ``ticket_recall``  start → serving; recall after the third call
         (calls 2 and 3)                                  → missed; transfer → waiting
serving  ``ticket_start``                                  finish → done; transfer → waiting
done     ``ticket_finish``                                 final
missed   ``ticket_recall`` once three calls went unheard   final (take a new ticket)
cancelled ``ticket_cancel``                                final
======== ================================================ ===========================================
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import BaseModel

MAX_CALLS = 3  # ZMS: a ticket is called three times, then it is missed


class QueueLine(BaseModel):
    """A line of a hall for a window type (综合窗口, a department's windows): its ticket prefix and number
    range, and the windows that call from it."""

    centre = models.ForeignKey(
        "halls.ServiceCentre",
        on_delete=models.CASCADE,
        related_name="queue_lines",
        verbose_name=_("service centre"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("ticket prefix"), max_length=2)
    first_number = models.PositiveIntegerField(_("first number"), default=1)
    last_number = models.PositiveIntegerField(_("last number"), default=999)
    windows = models.ManyToManyField("halls.Window", related_name="queue_lines", verbose_name=_("windows"))

    class Meta:
        ordering = ["centre__name", "prefix"]
        verbose_name = _("queue line")
        verbose_name_plural = _("queue lines")
        constraints = [
            models.UniqueConstraint(fields=["centre", "prefix"], name="queue_line_unique_prefix"),
            models.CheckConstraint(
                condition=models.Q(first_number__lte=models.F("last_number")), name="queue_line_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}"


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("waiting")
    CALLED = "called", _("called")
    SERVING = "serving", _("being served")
    DONE = "done", _("done")
    MISSED = "missed", _("missed")
    CANCELLED = "cancelled", _("cancelled")


class TicketSource(models.TextChoices):
    KIOSK = "kiosk", _("hall kiosk")
    PHONE = "phone", _("phone")
    BOOKING = "booking", _("appointment")


class Priority(models.TextChoices):
    """Served first (《关于切实解决老年人运用智能技术困难的实施方案》: priority windows for older people)."""

    NONE = "", _("none")
    ELDERLY = "elderly", _("older person")
    DISABLED = "disabled", _("person with a disability")


OPEN_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)


class Ticket(BaseModel):
    """One queue ticket of a day. Shown on the hall screen by number and window only."""

    line = models.ForeignKey(
        QueueLine, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("line")
    )
    day = models.DateField(_("day"))
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(
        _("status"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    source = models.CharField(_("source"), max_length=10, choices=TicketSource.choices)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, blank=True, default=""
    )
    # Who and what, when known (a booking's check-in, a signed-in phone): the window files the case with them.
    person = models.ForeignKey(
        "identity.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    item = models.ForeignKey(
        "catalogue.Item",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("item"),
    )
    # Where the ticket came from, opened by the clerk (a booking's workbench page); set by the issuing app.
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    reference_url = models.CharField(_("reference page"), max_length=300, blank=True)
    # The window calling or serving the ticket; while waiting after a transfer, the only window that may call it.
    window = models.ForeignKey(
        "halls.Window",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("window"),
    )
    calls = models.PositiveSmallIntegerField(_("calls"), default=0)
    transfers = models.PositiveSmallIntegerField(_("transfers"), default=0)
    issued_at = models.DateTimeField(_("issued at"))
    first_called_at = models.DateTimeField(_("first called at"), null=True, blank=True)
    last_called_at = models.DateTimeField(_("last called at"), null=True, blank=True)
    serving_at = models.DateTimeField(_("service started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("served by"),
    )

    class Meta:
        ordering = ["day", "issued_at"]
        verbose_name = _("queue ticket")
        verbose_name_plural = _("queue tickets")
        constraints = [models.UniqueConstraint(fields=["line", "day", "number"], name="ticket_unique_number")]
        indexes = [models.Index(fields=["line", "day", "status"], name="ticket_line_day_status")]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"{self.line.prefix}{self.number:03d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
