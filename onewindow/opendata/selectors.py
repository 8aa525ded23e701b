"""Reads of the data portal: the public sees only datasets whose latest confidentiality review approved them
(anything else is a 404, as if it did not exist); reviewers are the platform administrators."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.opendata.models import ConfidentialityReview, Dataset, ReviewStatus
from onewindow.organisations.selectors import staff_is_platform_admin

REVIEWER_ONLY = "只有平台管理员可以进行数据开放的保密审查。"


def datasets_published() -> QuerySet[Dataset]:
    return Dataset.objects.filter(review_status=ReviewStatus.APPROVED).select_related("publisher")


def dataset_published_get(*, slug: str) -> Dataset:
    dataset = (
        datasets_published()
        .prefetch_related(
            Prefetch("reviews", queryset=ConfidentialityReview.objects.select_related("reviewer"))
        )
        .filter(slug=slug)
        .first()
    )
    if dataset is None:
        raise NotFound
    return dataset


def reviewer_check(*, user: Any) -> None:
    if not (user.is_authenticated and staff_is_platform_admin(user=user)):
        raise PermissionDenied(REVIEWER_ONLY)


def staff_datasets(*, user: Any) -> QuerySet[Dataset]:
    reviewer_check(user=user)
    return Dataset.objects.select_related("publisher").order_by("review_status", "title")


def staff_dataset_get(*, user: Any, slug: str) -> Dataset:
    reviewer_check(user=user)
    dataset = (
        Dataset.objects.select_related("publisher")
        .prefetch_related(
            Prefetch("reviews", queryset=ConfidentialityReview.objects.select_related("reviewer"))
        )
        .filter(slug=slug)
        .first()
    )
    if dataset is None:
        raise NotFound
    return dataset
