"""Open data 依法有序开放: the datasets the platform publishes and the confidentiality review (保密审查) that
must approve each one before it is public. A dataset's rows are computed from the domain apps when asked for
(``tables.py``); only its description and its reviews are stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import BaseModel
from onewindow.organisations.models import Department


class DatasetKind(models.TextChoices):
    CATALOGUE = "catalogue", _("service catalogue")
    NEGATIVE_LIST = "negative_list", _("negative list")
    INTERMEDIARY = "intermediary", _("intermediary services")
    MONTHLY_VOLUMES = "monthly_volumes", _("monthly case volumes per item")
    CASE_OUTCOMES = "case_outcomes", _("case outcomes per department")


class ReviewStatus(models.TextChoices):
    NOT_REVIEWED = "not_reviewed", _("not yet reviewed")
    APPROVED = "approved", _("approved for publication")
    REFUSED = "refused", _("publication refused")


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", _("approve publication")
    REFUSED = "refused", _("refuse publication")


class Dataset(BaseModel):
    """One published (or waiting) dataset of the data portal: what it is, who publishes it, how often."""

    slug = models.SlugField(_("identifier"), max_length=60, unique=True)
    kind = models.CharField(_("content"), max_length=20, choices=DatasetKind.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    publisher = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="datasets", verbose_name=_("publisher")
    )
    update_frequency = models.CharField(_("update frequency"), max_length=10, default="MONTHLY")
    # The latest review's decision, kept on the row so that the public list is one indexed query.
    review_status = models.CharField(
        _("review status"),
        max_length=14,
        choices=ReviewStatus.choices,
        default=ReviewStatus.NOT_REVIEWED,
        db_index=True,
    )
    published_at = models.DateTimeField(_("first published at"), null=True, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")

    def __str__(self) -> str:
        return self.title

    def is_published(self) -> bool:
        return self.review_status == ReviewStatus.APPROVED


class ConfidentialityReview(BaseModel):
    """A recorded 保密审查 of a dataset (保守国家秘密法, 数据安全法 art. 41): who, when, the decision and its
    basis. Append-only: a later review supersedes an earlier one."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewer")
    )
    reviewed_on = models.DateField(_("reviewed on"))
    decision = models.CharField(_("decision"), max_length=10, choices=ReviewDecision.choices)
    basis = models.TextField(_("basis"))

    class Meta:
        ordering = ["-created_at"]  # the latest recorded review decides, whatever date it states
        verbose_name = _("confidentiality review")
        verbose_name_plural = _("confidentiality reviews")

    def __str__(self) -> str:
        return f"{self.dataset} {self.reviewed_on} {self.decision}"
