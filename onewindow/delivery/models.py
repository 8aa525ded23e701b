"""Postal delivery (邮寄): parcels sent through a courier — the result to the applicant (outbound), or the
applicant's materials to the hall (inbound) — with their tracking updates in one normalised status list."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case
from onewindow.core.models import BaseModel


class ShipmentStatus(models.TextChoices):
    """The normalised courier statuses every adapter maps its own codes onto."""

    CREATED = "created", _("order placed")
    PICKED_UP = "picked_up", _("picked up")
    IN_TRANSIT = "in_transit", _("in transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("out for delivery")
    DELIVERED = "delivered", _("delivered")
    RETURNED = "returned", _("returned to sender")
    EXCEPTION = "exception", _("delivery problem")


# A parcel only moves forward; "exception" may happen at any point and does not move it.
STATUS_RANK = {
    ShipmentStatus.CREATED: 0,
    ShipmentStatus.PICKED_UP: 1,
    ShipmentStatus.IN_TRANSIT: 2,
    ShipmentStatus.OUT_FOR_DELIVERY: 3,
    ShipmentStatus.DELIVERED: 4,
    ShipmentStatus.RETURNED: 4,
}
FINAL_STATUSES = frozenset({ShipmentStatus.DELIVERED, ShipmentStatus.RETURNED})


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("result to the applicant")
    INBOUND = "inbound", _("materials to the hall")


class Shipment(BaseModel):
    """One parcel of a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shipments", verbose_name=_("case"))
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    courier = models.CharField(_("courier"), max_length=40)
    tracking_number = models.CharField(_("tracking number"), max_length=50)
    status = models.CharField(_("status"), max_length=16, choices=ShipmentStatus.choices)
    rank = models.PositiveSmallIntegerField(_("progress"), default=0)
    address = models.CharField(_("address"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("received by"),
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [
            models.UniqueConstraint(fields=["courier", "tracking_number"], name="delivery_tracking_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.courier} {self.tracking_number}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class ShipmentUpdate(BaseModel):
    """One tracking update as the courier reported it (a repeated one is recorded once)."""

    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="updates", verbose_name=_("shipment")
    )
    status = models.CharField(_("status"), max_length=16, choices=ShipmentStatus.choices)
    at = models.DateTimeField(_("time"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    applied = models.BooleanField(_("changed the status"), default=False)

    class Meta:
        ordering = ["shipment", "at"]
        verbose_name = _("tracking update")
        verbose_name_plural = _("tracking updates")
        constraints = [
            models.UniqueConstraint(fields=["shipment", "status", "at"], name="delivery_update_once"),
        ]

    def __str__(self) -> str:
        return f"{self.shipment} {self.status}"
