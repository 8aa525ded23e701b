"""Writes of the data portal: describing a dataset and recording its confidentiality review (保密审查)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from onewindow.core import clock
from onewindow.core.errors import DomainError, FieldProblem
from onewindow.core.services import audit_record
from onewindow.opendata.models import (
    ConfidentialityReview,
    Dataset,
    DatasetKind,
    ReviewDecision,
    ReviewStatus,
)
from onewindow.opendata.selectors import reviewer_check
from onewindow.organisations.models import Department

BASIS_MIN = 10


def _invalid(field: str, code: str, message: str) -> DomainError:
    return DomainError(code="invalid", message=message, problems=[FieldProblem(field, code, message)])


@transaction.atomic
def dataset_create(
    *,
    actor: Any | None,
    slug: str,
    kind: str,
    title: str,
    description: str,
    publisher: Department,
    keywords: str = "",
    update_frequency: str = "MONTHLY",
) -> Dataset:
    """Describe a dataset. It stays unpublished until a confidentiality review approves it."""
    if kind not in DatasetKind.values:
        raise _invalid("kind", "unknown_kind", "数据集内容类型无效。")
    if not slug or slugify(slug) != slug:
        raise _invalid("slug", "bad_slug", "标识只能由小写字母、数字和连字符组成。")
    if not title.strip() or not description.strip():
        raise _invalid("title", "required", "请填写数据集的名称和说明。")
    if Dataset.objects.filter(slug=slug).exists():
        raise DomainError(code="duplicate", message="该标识的数据集已存在。", status=409)
    dataset = Dataset.objects.create(
        slug=slug,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        keywords=keywords.strip(),
        publisher=publisher,
        update_frequency=update_frequency,
    )
    audit_record(actor=actor, action="opendata.dataset_create", target=dataset, changes={"kind": kind})
    return dataset


@transaction.atomic
def dataset_review_record(
    *,
    actor: Any,
    dataset: Dataset,
    decision: str,
    basis: str,
    reviewed_on: dt.date | None = None,
) -> ConfidentialityReview:
    """Record a 保密审查 of a dataset: an approval publishes it, a refusal withdraws it from the portal."""
    reviewer_check(user=actor)
    if decision not in ReviewDecision.values:
        raise _invalid("decision", "bad_decision", "请选择审查结论。")
    basis = (basis or "").strip()
    if len(basis) < BASIS_MIN:
        raise _invalid("basis", "basis_required", f"请写明审查依据（至少 {BASIS_MIN} 个字）。")
    today = clock.today()
    reviewed_on = reviewed_on or today
    if reviewed_on > today:
        raise _invalid("reviewed_on", "future_date", "审查日期不能晚于今天。")
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    review = ConfidentialityReview.objects.create(
        dataset=dataset, reviewer=actor, reviewed_on=reviewed_on, decision=decision, basis=basis
    )
    before = dataset.review_status
    dataset.review_status = (
        ReviewStatus.APPROVED if decision == ReviewDecision.APPROVED else ReviewStatus.REFUSED
    )
    if dataset.review_status == ReviewStatus.APPROVED and dataset.published_at is None:
        dataset.published_at = clock.now()
    dataset.save(update_fields=["review_status", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        action="opendata.dataset_review",
        target=dataset,
        changes={
            "review_status": [before, dataset.review_status],
            "reviewed_on": reviewed_on.isoformat(),
            "review": str(review.pk),
        },
    )
    return review
