"""Writes of ratings: a case's handling rated by its applicant (web, mobile, QR on the notice, SMS reply or
phone keypad through the inbound plug-in) and a window visit rated at the counter (QR, hall tablet, kiosk)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from onewindow.cases.models import Case, CaseStatus
from onewindow.core import clock
from onewindow.core.errors import DomainError, FieldProblem, PermissionDenied
from onewindow.core.services import audit_record
from onewindow.halls.models import ServiceCentre
from onewindow.identity.models import Person
from onewindow.identity.services.people import phone_hash
from onewindow.ratings.models import (
    BAD_LEVELS,
    OFFLINE_INDICATORS,
    ONLINE_INDICATORS,
    Channel,
    Level,
    Rating,
    Rectification,
)
from onewindow.ratings.services.counters import counter_add, month_of
from onewindow.workdays.calendar import WorkCalendar

# GOV.UK's lesson (issue #14): ask at every end state, not only on success.
END_STATUSES = frozenset(
    {CaseStatus.CONCLUDED, CaseStatus.DELIVERED, CaseStatus.NOT_ACCEPTED, CaseStatus.WITHDRAWN}
)
CASE_CHANNELS = frozenset({Channel.WEB, Channel.MOBILE, Channel.QR})
WINDOW_CHANNELS = frozenset({Channel.QR, Channel.TABLET, Channel.KIOSK})
INBOUND_CHANNELS = frozenset({Channel.SMS, Channel.PHONE})
COMMENT_MAX = 500
WINDOW_CODE_MAX = 20
# An SMS or keypad reply rates the sender's latest ended case within this many days.
INBOUND_REPLY_DAYS = 30

STAFF_MAY_NOT_RATE = "工作人员不能代替申请人评价：评价只能由申请人本人提交。"


def handled_at(case: Case) -> dt.datetime | None:
    """When the handling rated ended: the decision, or the refusal / withdrawal that closed the case."""
    if case.status not in END_STATUSES:
        return None
    return case.concluded_at or case.closed_at or case.updated_at


def case_rateable(case: Case) -> bool:
    return case.bundle_id is None and handled_at(case) is not None


def _clean(
    *, level: Any, indicators: dict[str, Any] | None, comment: str, online: bool
) -> tuple[int, dict[str, int], str]:
    problems = []
    try:
        level_value = int(level)
    except (TypeError, ValueError):
        level_value = 0
    if level_value not in Level.values:
        problems.append(FieldProblem("level", "rating.level", "请选择总体评价（非常满意至非常不满意）。"))
    allowed = ONLINE_INDICATORS if online else OFFLINE_INDICATORS
    cleaned: dict[str, int] = {}
    for key, value in (indicators or {}).items():
        if value in (None, ""):
            continue  # every indicator is optional: only the overall level is asked for
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if key not in allowed or number not in Level.values:
            problems.append(FieldProblem(key, "rating.indicator", "分项评价只能选择五个等级之一。"))
            continue
        cleaned[key] = number
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        problems.append(
            FieldProblem("comment", "rating.comment_too_long", f"评价内容不能超过 {COMMENT_MAX} 字。")
        )
    if problems:
        raise DomainError("rating.invalid", "评价未提交，请按提示修改。", problems=problems)
    return level_value, cleaned, comment


def _rectify_due_on(day: dt.date) -> dt.date:
    days = int(settings.ONEWINDOW_RATINGS_RECTIFY_WORKING_DAYS)
    return WorkCalendar().add_working_days(day, days).date


def _save(rating: Rating) -> Rating:
    try:
        with transaction.atomic():
            rating.save(force_insert=True)
    except IntegrityError:
        raise DomainError(
            "rating.already_rated", "这次办理已经评价过了，每次办理只能评价一次。", status=409
        ) from None
    counter_add(rating, ratings=1)
    if rating.level in BAD_LEVELS:
        # 谁办理谁负责: the department that handled the case answers for the bad rating.
        rectification = Rectification.objects.create(
            rating=rating,
            department=rating.department,
            due_on=_rectify_due_on(timezone.localdate(rating.rated_at)),
        )
        audit_record(
            actor=None,
            action="rectification.open",
            target=rectification,
            changes={"due_on": rectification.due_on.isoformat()},
        )
    return rating


@transaction.atomic
def rating_submit(
    *,
    case: Case,
    rater: Any,
    channel: str,
    level: Any,
    indicators: dict[str, Any] | None = None,
    comment: str = "",
) -> Rating:
    """The applicant rates the handling of their ended case (one rating per case per handling)."""
    case = Case.objects.select_for_update().select_related("applicant", "item").get(pk=case.pk)
    person = case.applicant
    if not getattr(rater, "is_authenticated", False) or person.user_id != rater.pk:
        # Staff (a clerk at the counter, a department) never rate in the applicant's name (51号: voluntary).
        audit_record(actor=rater, action="rating.refused", target=case, changes={"reason": "not_applicant"})
        raise PermissionDenied(STAFF_MAY_NOT_RATE)
    if channel not in CASE_CHANNELS | INBOUND_CHANNELS:
        raise DomainError("rating.channel", "评价渠道无效。")
    if not case_rateable(case):
        raise DomainError(
            "rating.not_ended", "办件尚未办结（或受理、撤回），办理结束后即可评价。", status=409
        )
    online = not case.walk_in
    level_value, cleaned, comment = _clean(level=level, indicators=indicators, comment=comment, online=online)
    now = clock.now()
    rating = _save(
        Rating(
            case=case,
            handled_at=handled_at(case),
            department_id=case.department_id,
            item_id=case.item_id,
            channel=channel,
            level=level_value,
            online=online,
            indicators=cleaned,
            comment=comment,
            rater=rater,
            rated_at=now,
            month=month_of(timezone.localdate(now)),
        )
    )
    audit_record(
        actor=rater, action="rating.submit", target=rating, changes={"level": level_value, "channel": channel}
    )
    return rating


@transaction.atomic
def rating_window_submit(
    *,
    centre: ServiceCentre,
    window_code: str,
    rater: Any,
    channel: str,
    level: Any,
    indicators: dict[str, Any] | None = None,
    comment: str = "",
) -> Rating:
    """A visit to a window without a case, rated at the counter (anonymous unless the visitor signed in)."""
    if getattr(rater, "is_authenticated", False) and rater.is_staff:
        raise PermissionDenied(STAFF_MAY_NOT_RATE)
    if channel not in WINDOW_CHANNELS:
        raise DomainError("rating.channel", "评价渠道无效。")
    window_code = (window_code or "").strip()
    if not window_code or len(window_code) > WINDOW_CODE_MAX:
        raise DomainError(
            "rating.window",
            "请填写窗口编号。",
            problems=[FieldProblem("window_code", "rating.window", "请填写窗口编号（不超过 20 个字符）。")],
        )
    level_value, cleaned, comment = _clean(level=level, indicators=indicators, comment=comment, online=False)
    now = clock.now()
    rating = _save(
        Rating(
            centre=centre,
            window_code=window_code,
            department_id=centre.window_department_id,
            channel=channel,
            level=level_value,
            online=False,
            indicators=cleaned,
            comment=comment,
            rater=rater if getattr(rater, "is_authenticated", False) else None,
            rated_at=now,
            month=month_of(timezone.localdate(now)),
        )
    )
    audit_record(
        actor=rater if rating.rater_id else None,
        action="rating.submit_window",
        target=rating,
        changes={"level": level_value, "channel": channel, "window": window_code},
    )
    return rating


def _inbound_case(person: Person) -> Case | None:
    since = clock.now() - dt.timedelta(days=INBOUND_REPLY_DAYS)
    rated = Rating.objects.filter(case__applicant=person).values_list("case_id", "handled_at")
    done = set(rated)
    candidates = Case.objects.filter(
        applicant=person, status__in=END_STATUSES, bundle__isnull=True, updated_at__gte=since
    ).order_by("-updated_at")
    for case in candidates[:20]:
        if (case.pk, handled_at(case)) not in done:
            return case
    return None


@transaction.atomic
def rating_inbound_submit(*, phone: str, text: str, channel: str) -> Rating:
    """An SMS reply or a phone keypad answer: ``<level 1–5> [comment]`` from the applicant's registered
    phone rates their latest ended case that is not rated yet."""
    if channel not in INBOUND_CHANNELS:
        raise DomainError("rating.channel", "评价渠道无效。")
    text = (text or "").strip()
    if not text or text[0] not in "12345":
        raise DomainError(
            "rating.inbound_text", "请回复数字 1—5：1 非常满意，2 满意，3 基本满意，4 不满意，5 非常不满意。"
        )
    person = (
        Person.objects.select_related("user").filter(phone_hash=phone_hash(phone)).first() if phone else None
    )
    if person is None:
        raise DomainError("rating.inbound_unknown", "该号码没有待评价的办件。", status=404)
    case = _inbound_case(person)
    if case is None:
        raise DomainError("rating.inbound_unknown", "该号码没有待评价的办件。", status=404)
    return rating_submit(
        case=case, rater=person.user, channel=channel, level=text[0], comment=text[1:].strip(" ，,。")
    )
