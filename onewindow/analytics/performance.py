"""Staff and hall performance (工作绩效): per person — cases accepted at the window, process steps completed,
steps on time, returns, average handling time, queue tickets served, days on duty — ranked for a month; per
window — the queueing app's served / missed tickets and waiting and handling times, with the staff on duty."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDate

from onewindow.analytics.figures import Period
from onewindow.analytics.scope import Scope, analytics_scope
from onewindow.cases.models import Case
from onewindow.halls.models import ServiceCentre, Window, WindowDuty
from onewindow.queueing.models import Ticket, TicketStatus
from onewindow.queueing.selectors import WindowStatistics, window_statistics
from onewindow.ratings.models import BAD_LEVELS, Rating
from onewindow.workflow.models import TaskAction, TaskStatus, WorkTask


@dataclass
class StaffRow:
    user_id: uuid.UUID
    name: str
    accepted: int = 0
    steps: int = 0
    steps_on_time: int = 0
    returns: int = 0
    average_hours: float | None = None
    tickets: int = 0
    duty_days: int = 0
    ratings: int = 0
    good_ratings: int = 0
    rank: int = 0

    @property
    def handled(self) -> int:
        return self.accepted + self.steps

    @property
    def on_time_rate(self) -> float | None:
        return self.steps_on_time / self.steps if self.steps else None


@dataclass
class WindowRow:
    centre: str
    window: str
    label: str
    statistics: WindowStatistics
    staff: list[str]


def _in_scope(scope: Scope, field: str) -> Q:
    return Q() if scope.department_ids is None else Q(**{f"{field}__in": scope.department_ids})


def staff_performance(*, user: Any, period: Period) -> list[StaffRow]:
    """Everyone who accepted a case, completed a step, served a ticket or was on duty in the period, in the
    reader's scope; ranked by cases handled, then on-time rate."""
    scope = analytics_scope(user=user)
    rows: dict[uuid.UUID, StaffRow] = {}

    def row(user_id: uuid.UUID) -> StaffRow:
        return rows.setdefault(user_id, StaffRow(user_id=user_id, name=""))

    accepted = (
        Case.objects.filter(
            _in_scope(scope, "department_id"), accepted_at__gte=period.since, accepted_at__lt=period.until
        )
        .exclude(accepted_by__isnull=True)
        .values("accepted_by")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for entry in accepted:
        row(entry["accepted_by"]).accepted = entry["n"]
    steps = (
        WorkTask.objects.filter(
            _in_scope(scope, "department_id"),
            status=TaskStatus.DONE,
            completed_at__gte=period.since,
            completed_at__lt=period.until,
        )
        .exclude(completed_by__isnull=True)
        .annotate(completed_on=TruncDate("completed_at"))
        .values("completed_by")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(deadline__isnull=True) | Q(completed_on__lte=F("deadline__due_on"))),
            returns=Count("pk", filter=Q(action=TaskAction.RETURN)),
            average=Avg(ExpressionWrapper(F("completed_at") - F("opened_at"), output_field=DurationField())),
        )
        .order_by()
    )
    for step in steps:
        staff = row(step["completed_by"])
        staff.steps, staff.steps_on_time, staff.returns = step["n"], step["on_time"], step["returns"]
        if step["average"] is not None:
            staff.average_hours = round(step["average"].total_seconds() / 3600, 1)
    windows = Window.objects.filter(_window_scope(scope))
    tickets = (
        Ticket.objects.filter(
            window__in=windows, status=TicketStatus.DONE, day__range=(period.start, period.end)
        )
        .exclude(served_by__isnull=True)
        .values("served_by")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for served in tickets:
        row(served["served_by"]).tickets = served["n"]
    duties = (
        WindowDuty.objects.filter(window__in=windows, day__range=(period.start, period.end))
        .values("user")
        .annotate(n=Count("day", distinct=True))
        .order_by()
    )
    for duty in duties:
        row(duty["user"]).duty_days = duty["n"]
    # 好差评 per person: the ratings of the cases the person accepted at the window (谁办理谁负责).
    rated = (
        Rating.objects.filter(
            excluded=False,
            rated_at__gte=period.since,
            rated_at__lt=period.until,
            case__accepted_by__in=list(rows.keys()),
        )
        .values("case__accepted_by")
        .annotate(n=Count("pk"), good=Count("pk", filter=~Q(level__in=BAD_LEVELS)))
        .order_by()
    )
    for rating in rated:
        staff = row(rating["case__accepted_by"])
        staff.ratings, staff.good_ratings = rating["n"], rating["good"]
    names = dict(get_user_model().objects.filter(pk__in=rows.keys()).values_list("pk", "name"))
    usernames = dict(get_user_model().objects.filter(pk__in=rows.keys()).values_list("pk", "username"))
    for staff in rows.values():
        staff.name = names.get(staff.user_id) or usernames.get(staff.user_id, "")
    ranked = sorted(rows.values(), key=lambda r: (-r.handled, -(r.on_time_rate or 0), -r.tickets, r.name))
    for position, staff in enumerate(ranked, start=1):
        staff.rank = position
    return ranked


def _window_scope(scope: Scope) -> Q:
    if scope.department_ids is None:
        return Q()
    return Q(department_id__in=scope.department_ids) | Q(
        centre__window_department_id__in=scope.department_ids
    )


def window_performance(*, user: Any, period: Period) -> list[WindowRow]:
    """Per window of the halls in scope: the queueing app's statistics and who was on duty."""
    scope = analytics_scope(user=user)
    windows = Window.objects.filter(_window_scope(scope))
    centres = ServiceCentre.objects.filter(pk__in=windows.values("centre_id")).order_by("name")
    on_duty: dict[uuid.UUID, Counter[str]] = defaultdict(Counter)
    for window_id, name, username in WindowDuty.objects.filter(
        window__in=windows, day__range=(period.start, period.end)
    ).values_list("window_id", "user__name", "user__username"):
        on_duty[window_id][name or username] += 1
    labels = dict(windows.values_list("pk", "label"))
    result = []
    for centre in centres:
        for stats in window_statistics(centre=centre, day_from=period.start, day_to=period.end):
            if stats.window_id not in labels:
                continue
            staff = [f"{name}（{days}天）" for name, days in sorted(on_duty[stats.window_id].items())]
            result.append(WindowRow(centre.name, stats.window_number, labels[stats.window_id], stats, staff))
    return result


def month_period(month: dt.date) -> Period:
    """The calendar month holding ``month``."""
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return Period(start=start, end=end)
