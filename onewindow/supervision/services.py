"""E-supervision writes: acknowledging and closing alerts, supervision orders (督办单) and their replies, and
the breach recorded when a correction notice named a material outside the guide."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from onewindow.core import clock
from onewindow.core.errors import DomainError, PermissionDenied
from onewindow.core.services import audit_record
from onewindow.organisations.selectors import staff_memberships
from onewindow.supervision.events import alerts_raised_announce, order_announce
from onewindow.supervision.models import (
    Alert,
    AlertKind,
    AlertLevel,
    AlertStatus,
    OrderStatus,
    SupervisionOrder,
)
from onewindow.supervision.rules import rule_version_current
from onewindow.supervision.selectors import supervised_departments, supervisor_is
from onewindow.workdays.selectors import working_days_add
from onewindow.workflow.models import OPEN_TASK_STATUSES, WorkTask

TEXT_MAX = 2000


def _supervisor_check(actor: Any, alert: Alert, doing: str) -> None:
    if (
        not supervisor_is(user=actor)
        or not supervised_departments(user=actor).filter(pk=alert.department_id).exists()
    ):
        raise PermissionDenied(f"只有监察{alert.department.name}的电子监察人员可以{doing}。")


def _text(value: str, *, code: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(code=code, message=message)
    if len(value) > TEXT_MAX:
        raise DomainError(code=f"{code}_too_long", message=f"内容不能超过 {TEXT_MAX} 字。")
    return value


def _alert_lock(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().select_related("department").get(pk=alert.pk)


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor: Any) -> Alert:
    """The supervisor has seen the alert (签收)."""
    _supervisor_check(actor, alert, "签收预警")
    alert = _alert_lock(alert)
    if alert.status != AlertStatus.OPEN:
        raise DomainError(code="alert_not_open", message="该预警已签收或已处理。", status=409)
    alert.status, alert.acknowledged_at, alert.acknowledged_by = AlertStatus.ACKNOWLEDGED, clock.now(), actor
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "updated_at"])
    audit_record(actor=actor, action="supervision.alert_acknowledge", target=alert)
    return alert


@transaction.atomic
def alert_close(*, alert: Alert, actor: Any) -> Alert:
    """Close an alert that needs no order, or whose order was closed."""
    _supervisor_check(actor, alert, "关闭预警")
    alert = _alert_lock(alert)
    if alert.status == AlertStatus.CLOSED:
        raise DomainError(code="alert_closed", message="该预警已关闭。", status=409)
    order = SupervisionOrder.objects.filter(alert=alert).first()
    if order is not None and order.status != OrderStatus.CLOSED:
        raise DomainError(
            code="alert_order_open", message="该预警的督办单尚未办结，请先办结督办单。", status=409
        )
    before = alert.status
    alert.status, alert.closed_at = AlertStatus.CLOSED, clock.now()
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = alert.closed_at, actor
    alert.save(update_fields=["status", "closed_at", "acknowledged_at", "acknowledged_by", "updated_at"])
    audit_record(
        actor=actor, action="supervision.alert_close", target=alert, changes={"status": [before, "closed"]}
    )
    return alert


def _order_number() -> str:
    today = clock.today()
    prefix = f"DB{today:%Y%m%d}"
    count = SupervisionOrder.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{count + 1:04d}"


@transaction.atomic
def order_issue(*, alert: Alert, actor: Any, instruction: str) -> SupervisionOrder:
    """Turn an alert into a supervision order (督办单) the department must answer within the rule's days."""
    _supervisor_check(actor, alert, "发出督办单")
    alert = _alert_lock(alert)
    if alert.status == AlertStatus.CLOSED:
        raise DomainError(code="alert_closed", message="该预警已关闭，不能再督办。", status=409)
    if SupervisionOrder.objects.filter(alert=alert).exists():
        raise DomainError(code="order_exists", message="该预警已发出督办单。", status=409)
    instruction = _text(instruction, code="order_instruction_required", message="请填写督办要求。")
    rules = rule_version_current()
    now = clock.now()
    try:
        with transaction.atomic():
            order = SupervisionOrder.objects.create(
                number=_order_number(),
                alert=alert,
                department_id=alert.department_id,
                instruction=instruction,
                issued_at=now,
                issued_by=actor,
                reply_due_on=working_days_add(clock.today(), rules.order_reply_days).date,
            )
    except IntegrityError:
        raise DomainError(code="order_number_taken", message="督办单编号冲突，请重试。", status=409) from None
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, actor
    alert.status = AlertStatus.ORDERED
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "updated_at"])
    audit_record(
        actor=actor, action="supervision.order_issue", target=order, changes={"alert": str(alert.pk)}
    )
    order_announce(order, event_type="supervision.order_issued", actor=actor)
    return order


@transaction.atomic
def order_reply(*, order: SupervisionOrder, actor: Any, reply: str) -> SupervisionOrder:
    """The department's answer to a supervision order (what was done, by whom)."""
    if not staff_memberships(user=actor).filter(department_id=order.department_id).exists():
        raise PermissionDenied(f"只有{order.department.name}的工作人员可以答复该督办单。")
    order = SupervisionOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.ISSUED:
        raise DomainError(code="order_not_awaiting_reply", message="该督办单已答复或已办结。", status=409)
    order.reply = _text(reply, code="order_reply_required", message="请填写整改落实情况。")
    order.status, order.replied_at, order.replied_by = OrderStatus.REPLIED, clock.now(), actor
    order.save(update_fields=["reply", "status", "replied_at", "replied_by", "updated_at"])
    audit_record(actor=actor, action="supervision.order_reply", target=order)
    order_announce(order, event_type="supervision.order_replied", actor=actor)
    return order


@transaction.atomic
def order_close(*, order: SupervisionOrder, actor: Any, note: str = "") -> SupervisionOrder:
    """The supervisor accepts the reply: the order and its alert are closed (办结)."""
    alert = order.alert
    _supervisor_check(actor, alert, "办结督办单")
    order = SupervisionOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.REPLIED:
        raise DomainError(code="order_not_replied", message="部门尚未答复，不能办结该督办单。", status=409)
    order.status, order.closed_at, order.closing_note = (
        OrderStatus.CLOSED,
        clock.now(),
        (note or "").strip()[:TEXT_MAX],
    )
    order.save(update_fields=["status", "closed_at", "closing_note", "updated_at"])
    Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.CLOSED, closed_at=order.closed_at)
    audit_record(actor=actor, action="supervision.order_close", target=order)
    return order


def breach_correction_refused(*, case: Any, actor: Any, outside: list[str], **_: Any) -> None:
    """Record a correction notice that tried to ask for materials outside the guide (no extra requirements,
    行政许可法 art. 32); each attempt on a case is one breach record naming the clerk."""
    rules = rule_version_current()
    attempt = Alert.objects.filter(kind=AlertKind.OUT_OF_GUIDE, case_id=case.pk).count() + 1
    alert = Alert.objects.create(
        kind=AlertKind.OUT_OF_GUIDE,
        level=AlertLevel.BREACH,
        object_type="cases.case",
        object_id=f"{case.pk.hex}:{attempt}",
        reference=case.number or str(case.pk)[:8],
        case_id=case.pk,
        department_id=case.department_id,
        person=actor,
        detail=f"补正告知列出了指南以外的材料：{'、'.join(outside)}"[:500],
        rule_version=rules,
        raised_at=clock.now(),
    )
    audit_record(actor=actor, action="supervision.breach_record", target=alert)
    alerts_raised_announce([alert])


def breach_decision_off_platform(*, case: Any, actor: Any, code: int, **_: Any) -> None:
    """A decision recorded while the case's steps were still open was not taken through the platform's
    handling (承办 → 审核 → 批准): recorded as a breach naming who recorded it. Runs before workflow cancels
    those steps."""
    open_steps = list(
        WorkTask.objects.filter(case_id=case.pk, status__in=OPEN_TASK_STATUSES).values_list("name", flat=True)
    )
    if not open_steps:
        return
    alert, created = Alert.objects.get_or_create(
        kind=AlertKind.OFF_PLATFORM,
        object_id=str(case.pk),
        level=AlertLevel.BREACH,
        defaults={
            "object_type": "cases.case",
            "reference": case.number or str(case.pk)[:8],
            "case_id": case.pk,
            "department_id": case.department_id,
            "person": actor,
            "detail": f"办结决定在以下环节办完之前录入：{'、'.join(sorted(open_steps))}"[:500],
            "rule_version": rule_version_current(),
            "raised_at": clock.now(),
        },
    )
    if created:
        audit_record(actor=actor, action="supervision.breach_record", target=alert)
        alerts_raised_announce([alert])
