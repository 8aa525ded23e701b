"""Telling the applicant about their case: the in-site message always, SMS to their phone and e-mail when
they have an address, each channel's attempt kept in the delivery log (NotificationDelivery).

A failed SMS or e-mail is tried again with growing pauses by the periodic job ``cases_notifications_retry``
until ``ONEWINDOW_NOTIFY_MAX_ATTEMPTS`` attempts. The phone number is never stored here: each attempt reads
it afresh (decrypted) from the applicant's record; the log keeps only the masked number.

The acceptance SMS and e-mail carry the case number and the query password, as the provincial platforms do,
so that the applicant can track the case without signing in. The password exists in plain text only at the
moment of acceptance: it reaches this module sealed (``password_seal``), waits encrypted in the delivery row,
and the row's text is erased once the delivery is settled. The in-site message never carries it.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet

from onewindow.cases.models import (
    Case,
    CaseEvent,
    CaseMessage,
    DeliveryStatus,
    EventAction,
    NotificationChannel,
    NotificationDelivery,
)
from onewindow.core import clock, crypto
from onewindow.core.errors import DomainError
from onewindow.core.masking import mask_name, mask_phone
from onewindow.core.plugins import plugin
from onewindow.core.queue import handled_once

# Pauses before the 2nd, 3rd, … attempt; the last one repeats.
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
)
_PASSWORD_PURPOSE = "cases.notifications.query_password"  # noqa: S105 (an encryption purpose label)
SUBJECT = "【一网通办】办件通知"


def max_attempts() -> int:
    return int(settings.ONEWINDOW_NOTIFY_MAX_ATTEMPTS)


def password_seal(password: str) -> str:
    """The query password encrypted for the task queue, whose arguments are stored in plain JSON."""
    return crypto.encrypt(password, purpose=_PASSWORD_PURPOSE)


def _password_unseal(sealed: str) -> str:
    return crypto.decrypt(sealed, purpose=_PASSWORD_PURPOSE) if sealed else ""


def mask_email(address: str) -> str:
    """``zhangsan@example.com`` → ``z***@example.com``."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def _latest_note(case: Case, action: str) -> str:
    event = CaseEvent.objects.filter(case=case, action=action).order_by("-at", "-created_at").first()
    return event.note if event is not None else ""


def _correction_list(case: Case) -> str:
    notice = case.correction_requests.order_by("-sent_at").first()
    if notice is None:
        return ""
    return "；".join(f"{entry['material']}（{entry['problem']}）" for entry in notice.items)


def notification_text(case: Case, event: str, *, query_password: str = "") -> str:
    """The Chinese text for one event, the same on every channel (SMS-length where it can be)."""
    # A bundle's parent case speaks for the bundle; its children speak for their own items.
    name = case.bundle.name if case.bundle is not None else case.item_version.name
    number = f"（受理编号 {case.number}）" if case.number else ""
    due = case.due_on
    password = f"，查询密码 {query_password}（请妥善保管）" if query_password else ""
    action = EventAction(event)
    if case.bundle is not None and action == EventAction.SUBMITTED:
        return f"您申请的“{name}”已一次提交，{_latest_note(case, event)}请在“我的办件”中查看各事项进度。"
    if action == EventAction.SUBMITTED:
        return f"您申请的“{name}”已提交，{case.department.name}将在 5 个工作日内完成预审。"
    if action == EventAction.RESUBMITTED:
        return f"您为“{name}”补正的材料已提交，{case.department.name}将尽快审核。"
    if action == EventAction.CORRECTION_REQUESTED:
        return (
            f"您申请的“{name}”需要补齐补正材料：{_correction_list(case)}。"
            "请在“我的办件”中查看补正告知书并一次性补正。"
        )
    if action in (EventAction.ACCEPTED, EventAction.ACCEPTED_BY_DEFAULT):
        how = "已依法自收件之日起视为受理" if action == EventAction.ACCEPTED_BY_DEFAULT else "已受理"
        return (
            f"您申请的“{name}”{how}，受理编号 {case.number}{password}，承诺办结日期 {due}。"
            "凭受理编号和查询密码可查询办理进度。"
        )
    if action == EventAction.NOT_ACCEPTED:
        return f"您申请的“{name}”不予受理，理由：{case.refusal_reason}"
    if action == EventAction.PROCESS_STARTED:
        return f"您申请的“{name}”{number}已进入办理环节。"
    if action == EventAction.SUSPENDED:
        procedure = case.special_procedures.order_by("-created_at").first()
        reason = f"，原因：{procedure.reason}" if procedure is not None else ""
        return f"您申请的“{name}”{number}进入特别程序{reason}；{_latest_note(case, event)}"
    if action == EventAction.RESUMED:
        return f"您申请的“{name}”{number}特别程序已结束，恢复计时，承诺办结日期 {due}。"
    if action == EventAction.EXTENDED:
        extension = case.special_procedures.filter(kind="extension").order_by("-created_at").first()
        reason = f"，理由：{extension.reason}" if extension is not None else ""
        return f"您申请的“{name}”{number}办理时限已延长{reason}，承诺办结日期调整为 {due}。"
    if action == EventAction.CONCLUDED:
        return f"您申请的“{name}”{number}已办结：{_latest_note(case, event)}请在“我的办件”中查看结果。"
    if action == EventAction.DELIVERED:
        return f"您申请的“{name}”{number}办理结果已送达（{_latest_note(case, event)}）。"
    if action == EventAction.WITHDRAWN:
        return f"您申请的“{name}”已撤回（退件）。{_latest_note(case, event)}"
    if action == EventAction.FEE_DUE:
        return f"您申请的“{name}”{number}{_latest_note(case, event)}请在“我的办件”中缴费。"
    if action in (EventAction.FEE_PAID, EventAction.FEE_WAIVED, EventAction.FEE_REFUNDED):
        return f"您申请的“{name}”{number}{_latest_note(case, event)}"
    return f"您申请的“{name}”{number}状态已更新。"


def case_notification_send(
    *, case_id: str, event: str, sealed_password: str = "", case_event_id: str = ""
) -> list[NotificationDelivery]:
    """Notify the applicant of ``event`` on every channel they have, and log each channel.

    The in-site message is written at once; SMS and e-mail get their first attempt now and, if the gateway
    fails, wait for the retry job. Once per ``case_event_id``: a task that runs again (retried after its
    worker died, or queued twice) finds the key and sends nothing more — the deliveries it returns are the
    first run's, and a delivery the first run left queued is sent by the retry job, once (its row lock)."""
    case = Case.objects.select_related(
        "applicant__user", "item_version", "department", "deadline", "bundle"
    ).get(pk=case_id)
    person = case.applicant
    user = person.user
    password = _password_unseal(sealed_password)
    now = clock.now()
    # The in-site message never holds the query password; SMS and e-mail carry it at acceptance.
    site_text = notification_text(case, event)
    outside = notification_text(case, event, query_password=password) if password else site_text
    with transaction.atomic():
        if case_event_id and not handled_once(f"case_notify:{case_event_id}"):
            return list(NotificationDelivery.objects.filter(case=case, event=event).order_by("created_at"))
        CaseMessage.objects.create(case=case, recipient=user, event=event, text=site_text)
        deliveries = [
            NotificationDelivery.objects.create(
                case=case,
                event=event,
                channel=NotificationChannel.SITE,
                recipient=mask_name(user.name) if user.name else user.get_username(),
                status=DeliveryStatus.SENT,
                attempts=1,
                sent_at=now,
            )
        ]
        if person.phone:
            deliveries.append(
                NotificationDelivery.objects.create(
                    case=case,
                    event=event,
                    channel=NotificationChannel.SMS,
                    recipient=mask_phone(person.phone),
                    text=outside,
                    next_attempt_at=now,
                )
            )
        if user.email:
            deliveries.append(
                NotificationDelivery.objects.create(
                    case=case,
                    event=event,
                    channel=NotificationChannel.EMAIL,
                    recipient=mask_email(user.email),
                    text=outside,
                    next_attempt_at=now,
                )
            )
    return [
        delivery_attempt(delivery_id=delivery.pk) if delivery.status == DeliveryStatus.QUEUED else delivery
        for delivery in deliveries
    ]


def _send(delivery: NotificationDelivery) -> str:
    """One attempt on the delivery's channel; the provider's message id (empty for e-mail)."""
    person = delivery.case.applicant
    if delivery.channel == NotificationChannel.SMS:
        if not person.phone:
            raise DomainError(code="notify.no_phone", message="申请人没有登记手机号码。")
        return str(plugin("sms").send(phone=person.phone, text=delivery.text))
    if not person.user.email:
        raise DomainError(code="notify.no_email", message="申请人没有登记电子邮箱。")
    send_mail(SUBJECT, delivery.text, None, [person.user.email])
    return ""


def _retry_delay(attempts: int) -> dt.timedelta:
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def delivery_attempt(*, delivery_id: Any) -> NotificationDelivery:
    """Try one queued delivery once. The row stays locked meanwhile, so the retry job and a first attempt
    never send the same message twice."""
    with transaction.atomic():
        delivery = (
            NotificationDelivery.objects.select_for_update(of=("self",))
            .select_related("case__applicant__user")
            .get(pk=delivery_id)
        )
        if delivery.status != DeliveryStatus.QUEUED:
            return delivery
        delivery.attempts += 1
        try:
            delivery.provider_message_id = _send(delivery)[:100]
        except (DomainError, OSError, smtplib.SMTPException) as failure:
            delivery.last_error = str(getattr(failure, "message", failure))[:300]
            if delivery.attempts >= max_attempts():
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
                delivery.text = ""
            else:
                delivery.next_attempt_at = clock.now() + _retry_delay(delivery.attempts)
        else:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = clock.now()
            delivery.next_attempt_at = None
            delivery.text = ""
        delivery.save()
    return delivery


def deliveries_retry_due() -> int:
    """The retry job: attempt every queued delivery whose pause is over; how many were sent."""
    due = NotificationDelivery.objects.filter(
        status=DeliveryStatus.QUEUED, next_attempt_at__lte=clock.now()
    ).values_list("pk", flat=True)
    return sum(
        delivery_attempt(delivery_id=delivery_id).status == DeliveryStatus.SENT for delivery_id in list(due)
    )


def case_notifications(case: Case) -> QuerySet[NotificationDelivery]:
    """The delivery log of a case the caller was allowed to see, oldest first."""
    return NotificationDelivery.objects.filter(case=case).order_by("created_at")
