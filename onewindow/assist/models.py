"""Assisted services for people who cannot (or would rather not) go online (双轨, 适老化, 基层网点):

- ``AssistedFiling``: a grassroots point (便民服务中心 / 便民服务站) filed a case in a resident's name, with the
  resident's recorded consent (a signature drawn on the screen, or an SMS code);
- ``CallbackRequest``: "请给我回电话" from the elderly mode, worked from a list in the workbench;
- ``FeaturedItem``: the short list of items the elderly mode shows first.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.fields import EncryptedTextField
from onewindow.core.masking import mask_phone
from onewindow.core.models import BaseModel


class ConsentMethod(models.TextChoices):
    """How the resident agreed to the point filing for them."""

    SIGNATURE = "signature", _("signature on the screen")
    SMS = "sms", _("SMS confirmation code")


class AssistedFiling(BaseModel):
    """One case a grassroots point's staff member filed for a resident (帮办代办), and the consent given."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="assisted_filing", verbose_name=_("case")
    )
    centre = models.ForeignKey(
        "halls.ServiceCentre",
        on_delete=models.PROTECT,
        related_name="assisted_filings",
        verbose_name=_("grassroots point"),
    )
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assisted_filings",
        verbose_name=_("assisting staff member"),
    )
    resident = models.ForeignKey(
        "identity.Person",
        on_delete=models.PROTECT,
        related_name="assisted_filings",
        verbose_name=_("resident"),
    )
    consent_method = models.CharField(_("consent"), max_length=10, choices=ConsentMethod.choices)
    # The signature is a PNG (data: URL) drawn by the resident; it identifies them, so it is encrypted.
    consent_signature = EncryptedTextField(_("signature"), blank=True)
    consent_text = models.TextField(_("consent text"))
    consented_at = models.DateTimeField(_("consented at"))

    class Meta:
        ordering = ["-consented_at"]
        verbose_name = _("assisted filing")
        verbose_name_plural = _("assisted filings")
        indexes = [models.Index(fields=["centre", "-consented_at"])]

    def __str__(self) -> str:
        return f"{self.centre} · {self.case_id}"


class CallbackStatus(models.TextChoices):
    OPEN = "open", _("waiting for a call")
    DONE = "done", _("called back")


class CallbackRequest(BaseModel):
    """ "Please call me back" (请给我回电话): someone who finds the site hard asks staff to phone them."""

    name = models.CharField(_("name"), max_length=100)
    phone = EncryptedTextField(_("phone"))
    topic = models.CharField(_("what it is about"), max_length=300, blank=True)
    item = models.ForeignKey(
        "catalogue.Item",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("service item"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("signed-in user"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CallbackStatus.choices, default=CallbackStatus.OPEN
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("called back by"),
    )
    handled_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("call-back request")
        verbose_name_plural = _("call-back requests")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        # Never the phone number: str() ends up in audit labels.
        return f"{self.name} · {self.created_at:%Y-%m-%d %H:%M}" if self.created_at else self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone) if self.phone else ""


class FeaturedList(models.TextChoices):
    ELDERLY = "elderly", _("elderly mode")


class FeaturedItem(BaseModel):
    """An item the elderly mode (长辈版) shows among its few large choices, in ``position`` order."""

    listing = models.CharField(_("list"), max_length=20, choices=FeaturedList.choices)
    item = models.ForeignKey(
        "catalogue.Item", on_delete=models.CASCADE, related_name="+", verbose_name=_("service item")
    )
    label = models.CharField(_("short label"), max_length=20)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["listing", "position"]
        verbose_name = _("featured item")
        verbose_name_plural = _("featured items")
        constraints = [models.UniqueConstraint(fields=["listing", "item"], name="featured_item_unique")]

    def __str__(self) -> str:
        return self.label
