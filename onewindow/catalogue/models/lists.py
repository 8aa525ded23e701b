"""The published lists: the market-access negative list (负面清单) and intermediary services (中介服务)
with their institutions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.catalogue.models.guides import Item
from onewindow.core.models import BaseModel
from onewindow.organisations.models import Department, Region


class NegativeListEntry(BaseModel):
    """An entry of the market-access negative list (市场准入负面清单): prohibited or licence-required."""

    class Category(models.TextChoices):
        PROHIBITED = "prohibited", _("prohibited")  # 禁止准入类
        LICENSED = "licensed", _("licence required")  # 许可准入类

    code = models.CharField(_("code"), max_length=20, unique=True)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    title = models.CharField(_("title"), max_length=300)
    measures = models.TextField(_("measures"))
    legal_basis = models.TextField(_("legal basis"))
    items = models.ManyToManyField(
        Item, blank=True, related_name="negative_list_entries", verbose_name=_("items")
    )

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("negative list entry")
        verbose_name_plural = _("negative list")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class IntermediaryService(BaseModel):
    """An intermediary service an item requires (中介服务事项), e.g. a surveying report."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.TextField(_("legal basis"))
    fee_basis = models.CharField(_("fee basis"), max_length=300, blank=True)
    time_limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"), null=True, blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="intermediary_services",
        verbose_name=_("competent department"),
    )
    items = models.ManyToManyField(
        Item, blank=True, related_name="intermediary_services", verbose_name=_("items")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("intermediary service")
        verbose_name_plural = _("intermediary services")

    def __str__(self) -> str:
        return self.name


class IntermediaryInstitution(BaseModel):
    """An institution in the intermediary directory (中介机构名录) qualified for some services."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    qualification = models.CharField(_("qualification"), max_length=300)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    phone = models.CharField(_("phone"), max_length=50)
    address = models.CharField(_("address"), max_length=300)
    services = models.ManyToManyField(
        IntermediaryService, related_name="institutions", verbose_name=_("services")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("intermediary institution")
        verbose_name_plural = _("intermediary institutions")

    def __str__(self) -> str:
        return self.name
