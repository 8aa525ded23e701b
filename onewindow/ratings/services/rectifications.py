"""The bad-rating loop (差评整改): call-back, the fix and its outcome, the rater's re-rating, the appeal and
its review by the supervisor, and the escalation of overdue work items."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from onewindow.core import clock
from onewindow.core.errors import DomainError, FieldProblem, PermissionDenied
from onewindow.core.masking import mask_name
from onewindow.core.queue import enqueue_in_transaction
from onewindow.core.services import audit_record
from onewindow.ratings.access import staff_may_call_back, staff_supervises
from onewindow.ratings.models import (
    CallBack,
    Outcome,
    Rectification,
    RectificationStatus,
    Rerate,
)
from onewindow.ratings.services.counters import counter_add

TEXT_MAX = 2000
NOT_YOURS = "只有办理该办件的部门负责人、部门管理员或监察人员可以处理差评整改。"


def _locked(rectification: Rectification) -> Rectification:
    return (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("rating", "department")
        .get(pk=rectification.pk)
    )


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value or len(value) > TEXT_MAX:
        raise DomainError(
            "rectification.invalid", message, problems=[FieldProblem(field, "required", message)]
        )
    return value


def _department_check(actor: Any, rectification: Rectification) -> None:
    if not staff_may_call_back(user=actor, department=rectification.department):
        raise PermissionDenied(NOT_YOURS)


@dataclass(frozen=True)
class RaterContact:
    name: str
    phone: str
    real_name: bool


@transaction.atomic
def rater_contact_view(*, rectification: Rectification, actor: Any) -> RaterContact:
    """The rater's name and phone for the call-back, to the roles that call back only; every look-up is
    written to the audit trail."""
    _department_check(actor, rectification)
    rater = rectification.rating.rater
    person = getattr(rater, "person", None) if rater is not None else None
    contact = RaterContact(
        name=(getattr(rater, "name", "") or str(person or "")) if rater else "",
        phone=person.phone if person is not None else "",
        real_name=rater is not None,
    )
    audit_record(
        actor=actor,
        action="rating.rater_view",
        target=rectification.rating,
        changes={"rater": mask_name(contact.name) if contact.name else "匿名"},
    )
    return contact


@transaction.atomic
def rectification_callback_record(
    *, rectification: Rectification, actor: Any, reached: bool, result: str
) -> CallBack:
    """Record one call-back to the rater (time, who called, outcome); the first opens the fix."""
    rectification = _locked(rectification)
    _department_check(actor, rectification)
    if rectification.status not in {RectificationStatus.OPEN, RectificationStatus.CALLED_BACK}:
        raise DomainError(
            "rectification.state", "该差评已整改完毕或正在申诉复核，不能再登记回访。", status=409
        )
    result = _text(result, "result", "请填写回访情况（不超过 2000 字）。")
    name = getattr(actor, "name", "") or actor.get_username()
    callback = CallBack.objects.create(
        rectification=rectification,
        called_at=clock.now(),
        caller=actor,
        caller_label=name[:200],
        reached=reached,
        result=result,
    )
    if reached and rectification.status == RectificationStatus.OPEN:
        rectification.status = RectificationStatus.CALLED_BACK
        rectification.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="rectification.callback", target=rectification, changes={"reached": reached}
    )
    return callback


@transaction.atomic
def rectification_resolve(
    *, rectification: Rectification, actor: Any, outcome: str, note: str
) -> Rectification:
    """The fix: fixed at once, fixed by the deadline, or explained; a real-name rater must have been called
    back first (100 % call-back)."""
    rectification = _locked(rectification)
    _department_check(actor, rectification)
    if not rectification.is_open:
        raise DomainError("rectification.state", "该差评已整改完毕或正在申诉复核。", status=409)
    if outcome not in Outcome.values:
        raise DomainError(
            "rectification.outcome",
            "请选择整改结果。",
            problems=[FieldProblem("outcome", "required", "请选择整改结果：立行立改、限期整改或解释说明。")],
        )
    if rectification.rating.rater_id and not rectification.callbacks.filter(reached=True).exists():
        raise DomainError(
            "rectification.callback_required",
            "实名差评须先回访评价人（回访率 100%），再登记整改结果。",
            status=409,
        )
    note = _text(note, "note", "请填写整改情况（不超过 2000 字）。")
    now = clock.now()
    rectification.outcome, rectification.outcome_note = outcome, note
    rectification.resolved_at, rectification.resolved_by = now, actor
    rectification.in_time = timezone.localdate(now) <= rectification.due_on
    rectification.status = RectificationStatus.RESOLVED
    rectification.save()
    if rectification.in_time:
        counter_add(rectification.rating, rectified_in_time=1)
    audit_record(
        actor=actor,
        action="rectification.resolve",
        target=rectification,
        changes={"outcome": outcome, "in_time": rectification.in_time},
    )
    return rectification


@transaction.atomic
def rectification_rerate(*, rectification: Rectification, rater: Any, rerate: str) -> Rectification:
    """The rater judges the fix (满意 / 基本满意 / 不满意); only the person who rated may."""
    rectification = _locked(rectification)
    if not getattr(rater, "is_authenticated", False) or rectification.rating.rater_id != rater.pk:
        raise PermissionDenied("只有评价人本人可以对整改结果进行复评。")
    if rectification.status != RectificationStatus.RESOLVED:
        raise DomainError("rectification.state", "整改结果登记后才能复评，且只能复评一次。", status=409)
    if rerate not in Rerate.values:
        raise DomainError(
            "rectification.rerate",
            "请选择对整改结果的评价。",
            problems=[FieldProblem("rerate", "required", "请选择满意、基本满意或不满意。")],
        )
    rectification.rerate, rectification.rerated_at = rerate, clock.now()
    rectification.status = RectificationStatus.CLOSED
    rectification.save(update_fields=["rerate", "rerated_at", "status", "updated_at"])
    audit_record(actor=rater, action="rectification.rerate", target=rectification, changes={"rerate": rerate})
    return rectification


@transaction.atomic
def rectification_appeal(*, rectification: Rectification, actor: Any, reason: str) -> Rectification:
    """The department appeals a malicious or mistaken rating (申诉); the supervisor reviews it."""
    rectification = _locked(rectification)
    _department_check(actor, rectification)
    if rectification.status in {RectificationStatus.APPEALED, RectificationStatus.EXCLUDED}:
        raise DomainError("rectification.state", "该差评已在申诉复核中或已被剔除。", status=409)
    if rectification.review_upheld is False:
        raise DomainError("rectification.appeal_once", "该差评的申诉已被驳回，不能再次申诉。", status=409)
    reason = _text(reason, "reason", "请写明申诉理由（不超过 2000 字）。")
    rectification.appeal_status_before = rectification.status
    rectification.status = RectificationStatus.APPEALED
    rectification.appeal_reason, rectification.appealed_at = reason, clock.now()
    rectification.save()
    audit_record(actor=actor, action="rectification.appeal", target=rectification)
    return rectification


@transaction.atomic
def rectification_review(
    *, rectification: Rectification, actor: Any, upheld: bool, reason: str
) -> Rectification:
    """The supervisor's review (复核): upheld excludes the rating from every figure, with the reason kept."""
    rectification = _locked(rectification)
    if not staff_supervises(user=actor, department=rectification.department):
        raise PermissionDenied("只有监察人员可以复核申诉。")
    if rectification.status != RectificationStatus.APPEALED:
        raise DomainError("rectification.state", "该差评没有待复核的申诉。", status=409)
    reason = _text(reason, "reason", "请写明复核意见（不超过 2000 字）。")
    rectification.review_upheld, rectification.review_reason = upheld, reason
    rectification.reviewed_at, rectification.reviewed_by = clock.now(), actor
    rating = rectification.rating
    if upheld:
        rectification.status = RectificationStatus.EXCLUDED
        rating.excluded, rating.excluded_reason = True, reason
        rating.save(update_fields=["excluded", "excluded_reason", "updated_at"])
        counter_add(rating, ratings=-1, rectified_in_time=-1 if rectification.in_time else 0)
    else:
        rectification.status = rectification.appeal_status_before or RectificationStatus.OPEN
    rectification.save()
    audit_record(actor=actor, action="rectification.review", target=rectification, changes={"upheld": upheld})
    return rectification


@transaction.atomic
def rectifications_escalate() -> int:
    """Mark open rectifications past their deadline as escalated (e-supervision reads the flag) and tell the
    supervisors; each is escalated once."""
    from onewindow.ratings.tasks import rectification_escalated_notify

    today = clock.today()
    overdue = list(
        Rectification.objects.select_for_update(skip_locked=True)
        .filter(
            status__in=[RectificationStatus.OPEN, RectificationStatus.CALLED_BACK],
            due_on__lt=today,
            escalated_at__isnull=True,
        )
        .order_by("due_on")[:500]
    )
    now = clock.now()
    for rectification in overdue:
        rectification.escalated_at = now
        rectification.save(update_fields=["escalated_at", "updated_at"])
        audit_record(
            actor=None,
            action="rectification.escalate",
            target=rectification,
            changes={"due_on": rectification.due_on.isoformat()},
        )
        enqueue_in_transaction(rectification_escalated_notify, rectification_id=str(rectification.pk))
    return len(overdue)
