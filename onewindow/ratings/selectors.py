"""Reads of the ratings app: the applicant's own rateable cases, the departments' and supervisors' work items,
and the public figures (from the monthly counters, never from the ratings themselves)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet, Sum

from onewindow.cases.models import Case
from onewindow.catalogue.models import Item
from onewindow.core import clock
from onewindow.core.errors import NotFound
from onewindow.organisations.models import Department
from onewindow.organisations.selectors import staff_memberships
from onewindow.ratings.access import supervised_department_ids
from onewindow.ratings.models import (
    BAD_LEVELS,
    Channel,
    Level,
    Rating,
    RatingCounter,
    Rectification,
    RectificationStatus,
)
from onewindow.ratings.services.ratings import case_rateable, handled_at

GOOD_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED, Level.BASICALLY_SATISFIED)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def rateable_case_get(*, user: Any, case_id: uuid.UUID | str) -> Case:
    """The signed-in applicant's own case (another person's is a 404, whatever its state)."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound("未找到该办件，或您无权评价。")
    case = (
        Case.objects.select_related("item__published_version", "department", "applicant", "item_version")
        .filter(pk=case_id, applicant__user_id=user.pk)
        .first()
    )
    if case is None:
        raise NotFound("未找到该办件，或您无权评价。")
    return case


def rating_of_handling(*, case: Case) -> Rating | None:
    """The rating already given to the case's latest handling, if any."""
    ended = handled_at(case)
    if ended is None:
        return None
    return Rating.objects.filter(case=case, handled_at=ended).select_related("rectification").first()


def rating_pending(*, case: Case) -> bool:
    """True when the case ended and its handling is not rated yet (the case page offers the rating)."""
    return case_rateable(case) and rating_of_handling(case=case) is None


def my_ratings(*, user: Any) -> QuerySet[Rating]:
    """The ratings a person gave, with their rectification (to re-rate the fix)."""
    return (
        Rating.objects.filter(rater_id=getattr(user, "pk", None))
        .select_related("case", "item__published_version", "department", "centre", "rectification")
        .order_by("-rated_at")
    )


def my_rectification_get(*, user: Any, rectification_id: uuid.UUID | str) -> Rectification:
    found = (
        Rectification.objects.select_related("rating__case", "rating__item__published_version", "department")
        .filter(pk=rectification_id, rating__rater_id=getattr(user, "pk", None))
        .first()
    )
    if found is None:
        raise NotFound()
    return found


# --- staff ------------------------------------------------------------------------------------------------


def _staff_rectifications() -> QuerySet[Rectification]:
    return Rectification.objects.select_related(
        "rating__case", "rating__item__published_version", "rating__centre", "department"
    )


def rectifications_of_departments(*, user: Any, status: str = "") -> QuerySet[Rectification]:
    """The work items of the departments the staff member works in, oldest deadline first."""
    department_ids = staff_memberships(user=user).values_list("department_id", flat=True)
    rows = _staff_rectifications().filter(department_id__in=department_ids)
    if status == "open":
        rows = rows.filter(status__in=[RectificationStatus.OPEN, RectificationStatus.CALLED_BACK])
    elif status:
        rows = rows.filter(status=status)
    return rows.order_by("due_on", "created_at")


def rectifications_supervised(*, user: Any, what: str = "appeals") -> QuerySet[Rectification]:
    """For supervisors: appeals to review, or escalated (overdue) work items, of the departments they cover."""
    ids = supervised_department_ids(user=user)
    rows = _staff_rectifications()
    if ids is not None:
        rows = rows.filter(department_id__in=ids)
    if what == "escalated":
        return rows.filter(escalated_at__isnull=False).order_by("-escalated_at")
    return rows.filter(status=RectificationStatus.APPEALED).order_by("appealed_at")


def rectification_staff_get(*, user: Any, rectification_id: uuid.UUID | str) -> Rectification:
    """A work item of one of the user's departments, or of a department they supervise; else 404."""
    found = _staff_rectifications().prefetch_related("callbacks").filter(pk=rectification_id).first()
    if found is None:
        raise NotFound()
    ids = supervised_department_ids(user=user)
    mine = staff_memberships(user=user).filter(department_id=found.department_id).exists()
    if not mine and not (ids is None or found.department_id in ids):
        raise NotFound()
    return found


# --- public figures ------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Counts of a scope (a month, a department, an item): total, good, bad, bad fixed in time."""

    total: int = 0
    good: int = 0
    bad: int = 0
    rectified: int = 0

    @property
    def good_rate(self) -> float | None:  # 好评率: ratings 1–3 ÷ all ratings
        return percent(self.good, self.total)

    @property
    def rectify_rate(self) -> float | None:  # 差评整改率: bad ratings fixed in time ÷ bad ratings
        return percent(self.rectified, self.bad)

    def add(self, level: int, ratings: int, rectified: int) -> None:
        self.total += ratings
        if level in BAD_LEVELS:
            self.bad += ratings
            self.rectified += rectified
        else:
            self.good += ratings


@dataclass
class MonthReport:
    month: dt.date
    overall: Figures
    by_channel: list[dict[str, Any]]
    levels: list[dict[str, Any]]
    departments: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)


def report_month(*, month: dt.date) -> MonthReport:
    """The month's public statistics: by channel and level, 好评率, 差评整改率 per department and item."""
    rows = (
        RatingCounter.objects.filter(month=month)
        .values("department_id", "item_id", "channel", "level")
        .annotate(n=Sum("ratings"), fixed=Sum("rectified_in_time"))
    )
    overall = Figures()
    grid: dict[str, dict[int, int]] = {c: dict.fromkeys(Level.values, 0) for c in Channel.values}
    by_department: dict[Any, Figures] = {}
    by_item: dict[Any, Figures] = {}
    for row in rows:
        n, fixed, level = row["n"] or 0, row["fixed"] or 0, row["level"]
        overall.add(level, n, fixed)
        grid[row["channel"]][level] += n
        by_department.setdefault(row["department_id"], Figures()).add(level, n, fixed)
        if row["item_id"]:
            by_item.setdefault((row["department_id"], row["item_id"]), Figures()).add(level, n, fixed)
    names = dict(Department.objects.filter(pk__in=by_department).values_list("pk", "name"))
    items = {
        item.pk: item
        for item in Item.objects.filter(pk__in=[key[1] for key in by_item])
        .select_related("published_version")
        .only("pk", "implementation_code", "published_version__name")
    }
    channel_labels = dict(Channel.choices)
    by_channel = []
    for channel, counts in grid.items():
        total = sum(counts.values())
        if total:
            good = sum(counts[level] for level in GOOD_LEVELS)
            by_channel.append(
                {
                    "channel": channel,
                    "label": channel_labels[channel],
                    "counts": [counts[level] for level in Level.values],
                    "total": total,
                    "good_rate": percent(good, total),
                }
            )
    levels = [
        {"level": level, "label": label, "count": sum(grid[c][level] for c in grid)}
        for level, label in Level.choices
    ]
    departments = sorted(
        ({"id": pk, "name": names.get(pk, ""), "figures": f} for pk, f in by_department.items()),
        key=lambda row: row["name"],
    )
    item_rows = []
    for (department_id, item_id), f in by_item.items():
        item = items.get(item_id)
        if item is None:
            continue
        item_rows.append(
            {
                "code": item.implementation_code,
                "name": item.published_version.name if item.published_version else item.implementation_code,
                "department": names.get(department_id, ""),
                "figures": f,
            }
        )
    item_rows.sort(key=lambda row: (row["department"], row["name"]))
    return MonthReport(month, overall, by_channel, levels, departments, item_rows)


def bad_ratings_public(*, month: dt.date) -> QuerySet[Rating]:
    """The month's bad ratings as the public sees them: the case number (linking its tracking summary), item,
    department, channel, level and the rectification's state — never the rater, never the comment."""
    return (
        Rating.objects.filter(month=month, level__in=list(BAD_LEVELS), excluded=False)
        .select_related("case", "item__published_version", "department", "rectification")
        .only(
            "id",
            "level",
            "channel",
            "rated_at",
            "window_code",
            "case__number",
            "item__implementation_code",
            "item__published_version__name",
            "department__name",
            "rectification__status",
            "rectification__outcome",
            "rectification__in_time",
        )
        .order_by("-rated_at")
    )


def report_months() -> list[dt.date]:
    """Months with ratings, newest first (for the report's month picker)."""
    return list(RatingCounter.objects.values_list("month", flat=True).distinct().order_by("-month")[:36])


def public_summary(
    *, item: Item | None = None, department: Department | None = None
) -> dict[str, Any] | None:
    """好评率 and the number of ratings of an item or a department over the last twelve months (the guide
    and department pages), from the counters."""
    rows = RatingCounter.objects.all()
    if item is not None:
        rows = rows.filter(item=item)
    if department is not None:
        rows = rows.filter(department=department)
    if item is None and department is None:
        return None
    today = clock.today()
    since = dt.date(today.year - 1, today.month, 1)
    figures = Figures()
    for row in (
        rows.filter(month__gte=since)
        .values("level")
        .annotate(n=Sum("ratings"), fixed=Sum("rectified_in_time"))
    ):
        figures.add(row["level"], row["n"] or 0, row["fixed"] or 0)
    return {
        "count": figures.total,
        "good_rate": figures.good_rate,
        "bad": figures.bad,
        "rectify_rate": figures.rectify_rate,
    }
