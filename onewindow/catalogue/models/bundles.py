"""Life-event bundles (一件事): several items applied for together, in stages."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.catalogue.models.guides import Audience, Item
from onewindow.core.models import BaseModel


class Bundle(BaseModel):
    """A life-event bundle (一件事一次办): several items handled as one application."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    description = models.TextField(_("description"))
    items = models.ManyToManyField(
        Item, through="BundleItem", related_name="bundles", verbose_name=_("items")
    )
    is_published = models.BooleanField(_("published"), default=True)
    popularity = models.PositiveIntegerField(_("popularity"), default=0)
    keywords = models.CharField(_("search keywords"), max_length=500, blank=True)
    # The merged form (一表申请): a field several items ask for is asked once. Fields merge by name by default;
    # an override maps one item's field to another shared name, or to "" to keep it separate:
    # {"<implementation code>": {"<field>": "<shared name>"}}. See catalogue/bundle_forms.py.
    field_map = models.JSONField(
        _("merged form field map"),
        default=dict,
        blank=True,
        help_text=_(
            '{"implementation code": {"field": "shared name"}}; fields with the same name merge anyway'
        ),
    )

    class Meta:
        ordering = ["-popularity", "name"]
        verbose_name = _("life-event bundle")
        verbose_name_plural = _("life-event bundles")

    def __str__(self) -> str:
        return self.name


class BundleItem(BaseModel):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="bundle_entries")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # Items in the same stage run in parallel across departments (并联); stages run one after another.
    stage = models.PositiveSmallIntegerField(_("stage"), default=1)
    optional = models.BooleanField(_("optional"), default=False)

    class Meta:
        ordering = ["bundle", "stage", "order"]
        verbose_name = _("bundle item")
        verbose_name_plural = _("bundle items")
        constraints = [models.UniqueConstraint(fields=["bundle", "item"], name="bundle_item_unique")]

    def __str__(self) -> str:
        return f"{self.bundle} · {self.item}"
