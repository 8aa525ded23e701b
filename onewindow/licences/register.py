"""The public register of licensing decisions (行政许可决定公示, 行政许可法 art. 40): every concluded 行政许可
case approved (准予) or denied (不予), with the item, the holder — a company's name in full, a person masked —
the deciding department, the date and the licence identifier.

It lives with the e-licence library because it joins cases and licences (this app sits above both). A person
is never searchable by name: searching "张三" would confirm who holds what, which the mask exists to prevent.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from onewindow.cases.models import Case, ConclusionCode
from onewindow.catalogue.models import ItemType
from onewindow.core.masking import mask_name
from onewindow.licences.models import Licence
from onewindow.organisations.models import Department

DECISION_CODES = (ConclusionCode.APPROVED, ConclusionCode.DENIED)
# An export is a page of the register, not a copy of the database.
EXPORT_MAX_ROWS = 5000


@dataclass(frozen=True)
class DecisionFilter:
    """What the register is searched by; every part optional."""

    item: str = ""
    holder: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    department_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Decision:
    """One row of the register, already safe to publish."""

    item_name: str
    holder: str
    approved: bool
    decided_on: dt.date
    department: str
    licence_identifiers: tuple[str, ...]


def decisions_public(filters: DecisionFilter) -> QuerySet[Case]:
    """The concluded licensing decisions matching ``filters``, newest first, with what a row shows loaded."""
    cases = Case.objects.filter(
        conclusion_code__in=DECISION_CODES,
        concluded_at__isnull=False,
        bundle=None,
        item_version__item_type=ItemType.LICENSING,
    )
    if filters.item:
        cases = cases.filter(item_version__name__icontains=filters.item)
    if filters.holder:
        # Companies only (see the module's docstring): a person's name is not a search key.
        cases = cases.filter(
            Q(company__name__icontains=filters.holder) | Q(company__credit_code=filters.holder.upper())
        )
    if filters.date_from:
        cases = cases.filter(concluded_at__date__gte=filters.date_from)
    if filters.date_to:
        cases = cases.filter(concluded_at__date__lte=filters.date_to)
    if filters.department_id:
        cases = cases.filter(department_id=filters.department_id)
    return (
        cases.select_related("item_version", "department", "company", "applicant__user")
        .only(
            "id",
            "conclusion_code",
            "concluded_at",
            "item_version__name",
            "department__name",
            "company__name",
            "applicant__user__name",
        )
        .prefetch_related(
            Prefetch(
                "licences", queryset=Licence.objects.only("id", "identifier", "case_id").order_by("version")
            )
        )
        .order_by("-concluded_at", "-pk")
    )


def decision_rows(cases: Iterable[Case]) -> Iterator[Decision]:
    """The publishable rows of (a page of) ``decisions_public``."""
    for case in cases:
        assert case.concluded_at is not None
        holder = (
            case.company.name if case.company_id and case.company else mask_name(case.applicant.user.name)
        )
        yield Decision(
            item_name=case.item_version.name,
            holder=holder,
            approved=case.conclusion_code == ConclusionCode.APPROVED,
            decided_on=timezone.localtime(case.concluded_at).date(),
            department=case.department.name,
            licence_identifiers=tuple(licence.identifier for licence in case.licences.all()),
        )


def decision_departments() -> QuerySet[Department]:
    """The departments to filter by: those that decide licensing items."""
    return (
        Department.objects.filter(is_active=True, items__published_version__item_type=ItemType.LICENSING)
        .distinct()
        .order_by("name")
    )


def decision_filter_parse(params: Any) -> tuple[DecisionFilter, list[str]]:
    """The filter from a query string, and the Chinese problems with it (a bad date is named, not ignored)."""
    problems: list[str] = []

    def date_of(key: str, label: str) -> dt.date | None:
        text = (params.get(key) or "").strip()
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            problems.append(f"{label}“{text[:20]}”不是有效日期，请按 YYYY-MM-DD 填写。")
            return None

    department_id = None
    if raw := (params.get("department") or "").strip():
        try:
            department_id = uuid.UUID(raw)
        except ValueError:
            problems.append("所选部门不存在，请从列表中选择。")
    filters = DecisionFilter(
        item=(params.get("item") or "").strip()[:100],
        holder=(params.get("holder") or "").strip()[:100],
        date_from=date_of("from", "起始日期"),
        date_to=date_of("to", "截止日期"),
        department_id=department_id,
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        problems.append("起始日期晚于截止日期，请调整日期范围。")
    return filters, problems
