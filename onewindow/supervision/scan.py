"""The scan: finds what is due from indexed due dates and raises each alert once.

Every query starts from an indexed due date (or, for breaches, an indexed time since the previous run), so the
cost follows what is due, not how many cases exist (bench/supervision.py).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from onewindow.cases.models import Case, CaseStatus
from onewindow.consult.models import Question, QuestionStatus
from onewindow.core import clock
from onewindow.core.services import audit_record
from onewindow.hotline.models import OPEN_STATUSES as TICKET_OPEN_STATUSES
from onewindow.hotline.models import Ticket
from onewindow.ratings.models import Rectification, RectificationStatus
from onewindow.supervision.events import alerts_raised_announce
from onewindow.supervision.models import Alert, AlertKind, AlertLevel, RuleVersion, ScanRun
from onewindow.supervision.rules import rule_version_current
from onewindow.workdays.calendar import WorkCalendar
from onewindow.workflow.models import OPEN_TASK_STATUSES, TaskAction, WorkTask

# Without a previous run, breaches are looked for this far back.
FIRST_SCAN_LOOKBACK = dt.timedelta(days=30)
# A red card comes ``red_after_days`` working days after the due date: in calendar days at most 7/5 of that plus
# the longest run of holidays (Spring Festival, up to 9 days with its weekend), rounded up generously.
HOLIDAY_MARGIN_DAYS = 14


@dataclass(frozen=True)
class Due:
    """One watched object with a due date, as the scan sees it."""

    kind: str
    object_type: str
    object_id: str
    reference: str
    department_id: Any
    person_id: Any
    case_id: Any
    due_on: dt.date | None
    start_on: dt.date | None
    limit_days: int | None


@dataclass(frozen=True)
class Breach:
    kind: str
    object_type: str
    object_id: str
    reference: str
    department_id: Any
    person_id: Any
    case_id: Any
    detail: str


def _day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


def _due_window_start(previous: ScanRun | None, rules: RuleVersion) -> dt.date | None:
    """The earliest due date that can have crossed a threshold since the previous run, or None for all.

    Every level is reached on a date fixed by the due date (the warning before it, the yellow card the day
    after, the red card ``red_after_days`` working days later), so an open object due earlier than this has
    crossed its last threshold before the previous run and holds its alerts already: the scan reads what is
    due around now, not the whole overdue backlog (issue #15: the cost follows what is due, not the stock).
    The first run, and the first under new rules, reads everything open."""
    if previous is None or previous.rule_version_id != rules.pk:
        return None
    last_day = timezone.localdate(previous.started_at)
    return last_day - dt.timedelta(days=math.ceil(rules.red_after_days * 7 / 5) + 1 + HOLIDAY_MARGIN_DAYS)


def _due_objects(horizon: dt.date, rules: RuleVersion, since: dt.date | None) -> Iterator[Due]:
    """Everything open whose due date is on or before ``horizon`` (and on or after ``since`` when given)."""

    def due(field: str) -> dict[str, dt.date]:
        return {f"{field}__lte": horizon} | ({f"{field}__gte": since} if since is not None else {})

    # Only the columns an alert takes: a whole case row opens its sealed personal fields (decryption and JSON),
    # which was most of the scan's time on the HTTP suite's data (bench/README.md, periodic jobs).
    cases = (
        Case.objects.filter(
            status__in=[CaseStatus.ACCEPTED, CaseStatus.IN_PROCESS], **due("deadline__due_on")
        )
        .select_related("deadline")
        .only(
            "number",
            "department",
            "accepted_by",
            "deadline__due_on",
            "deadline__start_on",
            "deadline__working_days",
        )
    )
    for case in cases:
        if (deadline := case.deadline) is None:
            continue
        yield Due(
            AlertKind.CASE, "cases.case", str(case.pk), case.number or "", case.department_id,
            case.accepted_by_id, case.pk, deadline.due_on, deadline.start_on, deadline.working_days,
        )  # fmt: skip
    tasks = (
        WorkTask.objects.filter(status__in=OPEN_TASK_STATUSES, **due("due_on"))
        .select_related("deadline", "case")
        .only(
            "name", "department", "assignee", "due_on", "case__number", "deadline__start_on",
            "deadline__working_days",
        )
    )  # fmt: skip
    for task in tasks:
        deadline = task.deadline
        yield Due(
            AlertKind.TASK, "workflow.worktask", str(task.pk), f"{task.case.number} · {task.name}",
            task.department_id, task.assignee_id, task.case_id, task.due_on,
            deadline.start_on if deadline else None, deadline.working_days if deadline else None,
        )  # fmt: skip
    intakes = Case.objects.filter(status=CaseStatus.SUBMITTED, **due("intake_due_on")).only(
        "number", "department", "filed_by", "intake_due_on", "submitted_at", "resubmitted_at"
    )
    for case in intakes:
        yield Due(
            AlertKind.CORRECTION, "cases.case", str(case.pk), case.number or str(case.pk)[:8], case.department_id,
            case.filed_by_id, case.pk, case.intake_due_on, _day(case.received_at), rules.correction_days,
        )  # fmt: skip
    deliveries = (
        Case.objects.filter(
            status=CaseStatus.CONCLUDED, delivered_at__isnull=True, **due("delivery_deadline__due_on")
        )
        .select_related("delivery_deadline")
        .only(
            "number", "department", "accepted_by", "delivery_deadline__due_on", "delivery_deadline__start_on",
            "delivery_deadline__working_days",
        )
    )  # fmt: skip
    for case in deliveries:
        if (deadline := case.delivery_deadline) is None:
            continue
        yield Due(
            AlertKind.DELIVERY, "cases.case", str(case.pk), case.number or "", case.department_id,
            case.accepted_by_id, case.pk, deadline.due_on, deadline.start_on, deadline.working_days,
        )  # fmt: skip
    for question in Question.objects.filter(status=QuestionStatus.OPEN, **due("due_on")):
        yield Due(
            AlertKind.QUESTION, "consult.question", str(question.pk), question.title, question.department_id,
            None, None, question.due_on, _day(question.asked_at), None,
        )  # fmt: skip
    rectifications = Rectification.objects.filter(
        status__in=[RectificationStatus.OPEN, RectificationStatus.CALLED_BACK], **due("due_on")
    ).select_related("rating__case")
    for rectification in rectifications:
        rated = rectification.rating.case
        yield Due(
            AlertKind.RECTIFICATION, "ratings.rectification", str(rectification.pk),
            (rated.number if rated is not None else "") or str(rectification.pk)[:8], rectification.department_id,
            None, rectification.rating.case_id, rectification.due_on, _day(rectification.created_at), None,
        )  # fmt: skip
    tickets = Ticket.objects.filter(
        status__in=TICKET_OPEN_STATUSES, lead_department__isnull=False, **due("due_on")
    )
    for ticket in tickets:
        yield Due(
            AlertKind.TICKET, "hotline.ticket", str(ticket.pk), ticket.number, ticket.lead_department_id,
            None, None, ticket.due_on, ticket.clock_start_on, None,
        )  # fmt: skip


def _level(due: Due, today: dt.date, rules: RuleVersion, calendar: WorkCalendar) -> str | None:
    """The highest level ``due`` has reached today, or None."""
    if due.due_on is None:
        return None
    if today > due.due_on:
        overdue = calendar.working_days_between(due.due_on, today)
        return AlertLevel.RED if overdue > rules.red_after_days else AlertLevel.YELLOW
    limit = due.limit_days
    if limit is None and due.start_on is not None:
        limit = calendar.working_days_between(due.start_on, due.due_on)
    if not limit:
        return None
    remaining = calendar.working_days_between(today, due.due_on)
    return AlertLevel.WARNING if (limit - remaining) * 100 >= rules.warn_percent * limit else None


def _breaches(since: dt.datetime, rules: RuleVersion) -> Iterator[Breach]:
    """What happened since the previous run that is a breach in itself."""
    deemed = Case.objects.filter(accepted_by_default=True, accepted_at__gte=since)
    for case in deemed:
        yield Breach(
            AlertKind.DEEMED_ACCEPTANCE, "cases.case", str(case.pk), case.number or "", case.department_id,
            None, case.pk, "5 个工作日内未作受理决定，依法自收件之日起视为受理",
        )  # fmt: skip
    late = Case.objects.filter(accepted_late=True, accepted_at__gte=since)
    for case in late:
        yield Breach(
            AlertKind.LATE_ACCEPTANCE, "cases.case", str(case.pk), case.number or "", case.department_id,
            case.accepted_by_id, case.pk, "超过 5 个工作日预审期限后才受理",
        )  # fmt: skip
    returned = WorkTask.objects.filter(action=TaskAction.RETURN, completed_at__gte=since).values("case_id")
    repeated = (
        WorkTask.objects.filter(action=TaskAction.RETURN, case_id__in=returned)
        .values("case_id", "case__number", "case__department_id")
        .annotate(returns=Count("id"))
        .filter(returns__gte=rules.returns_breach)
    )
    for row in repeated:
        last = (
            WorkTask.objects.filter(action=TaskAction.RETURN, case_id=row["case_id"])
            .order_by("-completed_at")
            .only("completed_by_id", "department_id")
            .first()
        )
        yield Breach(
            AlertKind.REPEATED_RETURN, "cases.case", str(row["case_id"]), row["case__number"] or "",
            last.department_id if last else row["case__department_id"], last.completed_by_id if last else None,
            row["case_id"], f"办理环节已退回 {row['returns']} 次",
        )  # fmt: skip
    rectifications = Rectification.objects.filter(escalated_at__gte=since).select_related("rating__case")
    for rectification in rectifications:
        rated = rectification.rating.case
        yield Breach(
            AlertKind.ESCALATION, "ratings.rectification", str(rectification.pk),
            (rated.number if rated is not None else "") or str(rectification.pk)[:8], rectification.department_id,
            None, rectification.rating.case_id, "差评整改逾期，已由好差评提请督办",
        )  # fmt: skip
    escalated = Ticket.objects.filter(escalated_at__gte=since, lead_department__isnull=False)
    for ticket in escalated:
        yield Breach(
            AlertKind.ESCALATION, "hotline.ticket", str(ticket.pk), ticket.number, ticket.lead_department_id,
            None, None, "12345 工单逾期，已由热线办提请督办",
        )  # fmt: skip


def _existing(keys: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    object_ids = {object_id for _, object_id, _ in keys}
    found: set[tuple[str, str, str]] = set()
    ids = list(object_ids)
    for start in range(0, len(ids), 500):
        found.update(
            Alert.objects.filter(object_id__in=ids[start : start + 500]).values_list(
                "kind", "object_id", "level"
            )
        )
    return found


@transaction.atomic
def supervision_scan(*, today: dt.date | None = None) -> ScanRun:
    """Raise the warnings, cards and breaches due now; running it again raises nothing new."""
    now = clock.now()
    today = today or clock.today()
    rules = rule_version_current()
    calendar = WorkCalendar()
    previous = ScanRun.objects.order_by("-started_at").first()
    since = previous.started_at if previous is not None else now - FIRST_SCAN_LOOKBACK
    due_from = _due_window_start(previous, rules)
    run = ScanRun.objects.create(started_at=now, rule_version=rules)
    ahead = math.ceil(rules.max_limit_days * (100 - rules.warn_percent) / 100)
    horizon = calendar.add_working_days(today, ahead).date
    alerts: dict[tuple[str, str, str], Alert] = {}
    for due in _due_objects(horizon, rules, due_from):
        level = _level(due, today, rules, calendar)
        if level is None:
            continue
        alerts[(due.kind, due.object_id, level)] = Alert(
            kind=due.kind, level=level, object_type=due.object_type, object_id=due.object_id,
            reference=due.reference[:120], case_id=due.case_id, department_id=due.department_id,
            person_id=due.person_id, due_on=due.due_on, rule_version=rules, raised_at=now,
        )  # fmt: skip
    for breach in _breaches(since, rules):
        alerts[(breach.kind, breach.object_id, AlertLevel.BREACH)] = _breach_alert(breach, rules, now)
    existing = _existing(set(alerts))
    new = [alert for key, alert in alerts.items() if key not in existing]
    Alert.objects.bulk_create(new, ignore_conflicts=True)
    run.raised, run.finished_at = len(new), clock.now()
    run.save(update_fields=["raised", "finished_at", "updated_at"])
    if new:
        audit_record(actor=None, action="supervision.scan", target=run, changes={"raised": len(new)})
        alerts_raised_announce(new)
    return run


def _breach_alert(breach: Breach, rules: RuleVersion, now: dt.datetime) -> Alert:
    return Alert(
        kind=breach.kind, level=AlertLevel.BREACH, object_type=breach.object_type, object_id=breach.object_id,
        reference=breach.reference[:120], case_id=breach.case_id, department_id=breach.department_id,
        person_id=breach.person_id, detail=breach.detail[:500], rule_version=rules, raised_at=now,
    )  # fmt: skip
