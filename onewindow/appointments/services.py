"""Appointment writes: generating slots from a hall's opening hours, reserving, confirming, changing and
cancelling a booking under the ZMS holds, checking in (a queue ticket), and the daily jobs' work.

The slot row is locked while its free places are counted, so two people can never take its last place."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from onewindow.appointments import selectors
from onewindow.appointments.models import (
    HELD_STATUSES,
    Booking,
    BookingEntry,
    BookingStatus,
    Slot,
    TriageAnswer,
    TriageQuestion,
)
from onewindow.catalogue.models import Item
from onewindow.core import clock
from onewindow.core.errors import DomainError, PermissionDenied
from onewindow.core.plugins import plugin
from onewindow.core.services import audit_record
from onewindow.halls.selectors import centre_opening_periods, centre_week_periods
from onewindow.halls.services import centre_manage_check
from onewindow.identity.models import Person
from onewindow.queueing.models import QueueLine, TicketSource
from onewindow.queueing.services import ticket_issue
from onewindow.workdays.calendar import WorkCalendar

logger = logging.getLogger(__name__)

RESERVE_HOLD = dt.timedelta(minutes=30)  # ZMS: a reservation is held 30 minutes while details are entered
PRECONFIRM_HOLD = dt.timedelta(minutes=60)  # ZMS: a preconfirmed booking waits 60 minutes for confirmation
MAX_ENTRIES = 5
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out at the counter


@transaction.atomic
def slots_generate(
    *,
    actor: Any | None,
    line: QueueLine,
    day_from: dt.date,
    day_to: dt.date,
    minutes: int = 30,
    capacity: int | None = None,
) -> int:
    """Create the line's slots from the hall's opening periods (holidays of the working-day calendar closed)
    over ``[day_from, day_to]``; existing slots are kept. Returns how many were created. The capacity defaults
    to the line's windows (one person per window per slot)."""
    if actor is not None:
        centre_manage_check(user=actor, centre=line.centre)
    if not 5 <= minutes <= 240:
        raise DomainError(code="slots.length_invalid", message="时段长度应在 5—240 分钟之间。")
    capacity = capacity if capacity is not None else max(line.windows.filter(is_active=True).count(), 1)
    if capacity < 1:
        raise DomainError(code="slots.capacity_invalid", message="每个时段至少可预约 1 人。")
    calendar = WorkCalendar()
    existing = set(
        Slot.objects.filter(
            line=line, item__isnull=True, starts_at__date__range=(day_from, day_to)
        ).values_list("starts_at", flat=True)
    )
    zone = timezone.get_current_timezone()
    week = centre_week_periods(centre=line.centre)  # once, not once per day (the daily job spans 60 days)
    new = []
    day = day_from
    while day <= day_to:
        for period in centre_opening_periods(centre=line.centre, day=day, calendar=calendar, periods=week):
            start = dt.datetime.combine(day, period.opens, tzinfo=zone)
            close = dt.datetime.combine(day, period.closes, tzinfo=zone)
            while start + dt.timedelta(minutes=minutes) <= close:
                if start not in existing:
                    new.append(
                        Slot(
                            line=line,
                            starts_at=start,
                            ends_at=start + dt.timedelta(minutes=minutes),
                            capacity=capacity,
                        )
                    )
                start += dt.timedelta(minutes=minutes)
        day += dt.timedelta(days=1)
    Slot.objects.bulk_create(new)
    if new:
        audit_record(
            actor=actor,
            action="slots.generate",
            target=line,
            changes={
                "from": day_from.isoformat(),
                "to": day_to.isoformat(),
                "created": len(new),
                "capacity": capacity,
            },
        )
    return len(new)


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
        if not Booking.objects.filter(code=code).exists():
            return code


def slot_serves(slot: Slot, item: Item) -> bool:
    """Whether the slot is for the item (its own slot, or its line's windows serve it)."""
    if slot.item_id is not None:
        return slot.item_id == item.pk
    return slot.line.windows.filter(items=item, is_active=True).exists()


def _check_slot(*, user: Any, slot: Slot, places: int, exclude: Booking | None = None) -> Slot:
    locked = Slot.objects.select_for_update(of=("self",)).select_related("line__centre").get(pk=slot.pk)
    first, last = selectors.booking_window()
    day = timezone.localdate(locked.starts_at)
    if not first <= day <= last:
        raise DomainError(
            code="booking.out_of_window",
            message=f"可预约 {first:%Y-%m-%d} 至 {last:%Y-%m-%d} 之间的时段。",
        )
    blocked = selectors.no_show_block_until(user=user)
    if blocked is not None:
        raise DomainError(
            code="booking.blocked",
            message=f"您近 {settings.ONEWINDOW_APPOINTMENT_NO_SHOW_WINDOW_DAYS} 天内已有 "
            f"{settings.ONEWINDOW_APPOINTMENT_NO_SHOW_LIMIT} 次预约未到，{blocked:%Y-%m-%d} 前不能在线预约，请现场取号办理。",
            status=403,
        )
    taken = selectors.slot_places_taken(slot=locked)
    if exclude is not None and exclude.slot_id == locked.pk:
        taken -= exclude.entries.count()
    if taken + places > locked.capacity:
        raise DomainError(code="booking.slot_full", message="该时段已约满，请选择其他时段。", status=409)
    return locked


@transaction.atomic
def triage_question_save(*, actor: Any | None, question: TriageQuestion) -> TriageQuestion:
    """Add or change a question an item asks before booking; a stop answer needs its advice."""
    question.text = (question.text or "").strip()
    if not question.text:
        raise DomainError(code="triage.text_required", message="请填写问题。")
    if question.stop_answer and not (question.stop_message or "").strip():
        raise DomainError(
            code="triage.stop_message_required", message="设置了终止预约的回答时，请填写给办事人的提示。"
        )
    created = question._state.adding
    question.save()
    audit_record(
        actor=actor,
        action="triage_question.create" if created else "triage_question.change",
        target=question,
        changes={"item": str(question.item_id), "text": question.text, "stop_answer": question.stop_answer},
    )
    return question


@transaction.atomic
def booking_reserve(*, user: Any, slot: Slot, item: Item) -> Booking:
    """Hold one place of the slot for 30 minutes while the applicant fills in who comes and for what."""
    if not item.published_version_id:
        raise DomainError(code="booking.item_unpublished", message="该事项暂未发布，不能预约。")
    if not slot_serves(slot, item):
        raise DomainError(code="booking.item_not_served", message="该时段的窗口不办理此事项，请重新选择。")
    locked = _check_slot(user=user, slot=slot, places=1)
    now = clock.now()
    booking = Booking.objects.create(
        code=_new_code(),
        slot=locked,
        user=user,
        person=Person.objects.filter(user=user).first(),
        status=BookingStatus.RESERVED,
        held_until=now + RESERVE_HOLD,
    )
    BookingEntry.objects.create(
        booking=booking, item=item, person_name=getattr(user, "name", "") or str(user)
    )
    audit_record(
        actor=user,
        action="booking.reserve",
        target=booking,
        changes={"slot": str(locked.pk), "item": str(item.pk)},
    )
    return booking


def _check_answers(*, items: Sequence[Item], answers: dict[str, str]) -> dict[str, str]:
    kept: dict[str, str] = {}
    for question in selectors.triage_questions(items=list(items)):
        answer = answers.get(str(question.pk), "")
        if answer not in TriageAnswer.values:
            raise DomainError(code="booking.triage_unanswered", message=f"请回答：{question.text}")
        if question.stop_answer and answer == question.stop_answer:
            raise DomainError(
                code="booking.triage_stop", message=question.stop_message or "根据您的回答，无需预约此事项。"
            )
        kept[str(question.pk)] = answer
    return kept


@transaction.atomic
def booking_preconfirm(
    *, user: Any, booking: Booking, entries: Sequence[tuple[Item, str]], answers: dict[str, str]
) -> Booking:
    """Give who comes for what (several people and services, each taking a place) and the triage answers;
    the places are then held 60 minutes for the applicant's confirmation."""
    booking = _locked(booking, user=user, states=HELD_STATUSES)
    if not entries or len(entries) > MAX_ENTRIES:
        raise DomainError(code="booking.entries_count", message=f"一次预约可为 1—{MAX_ENTRIES} 人次办理。")
    for item, name in entries:
        if not name.strip() or len(name) > 50:
            raise DomainError(code="booking.name_required", message="请填写每位办事人的姓名（50 字以内）。")
        if not slot_serves(booking.slot, item):
            raise DomainError(code="booking.item_not_served", message=f"该时段的窗口不办理“{item}”。")
    kept = _check_answers(items=[item for item, _name in entries], answers=answers)
    _check_slot(user=user, slot=booking.slot, places=len(entries), exclude=booking)
    booking.entries.all().delete()
    BookingEntry.objects.bulk_create(
        BookingEntry(booking=booking, item=item, person_name=name.strip()) for item, name in entries
    )
    booking.status, booking.answers, booking.held_until = (
        BookingStatus.PRECONFIRMED,
        kept,
        clock.now() + PRECONFIRM_HOLD,
    )
    booking.save(update_fields=["status", "answers", "held_until", "updated_at"])
    audit_record(actor=user, action="booking.preconfirm", target=booking, changes={"entries": len(entries)})
    return booking


def _locked(booking: Booking, *, user: Any, states: Sequence[str]) -> Booking:
    fresh = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("slot__line__centre")
        .get(pk=booking.pk)
    )
    if user is not None and fresh.user_id != user.pk:
        raise PermissionDenied("只能处理本人的预约。")
    if fresh.status in HELD_STATUSES and fresh.held_until and fresh.held_until <= clock.now():
        raise DomainError(
            code="booking.hold_expired", message="预约保留时间已过，请重新选择时段。", status=409
        )
    if fresh.status not in states:
        raise DomainError(
            code="booking.wrong_state",
            message=f"该预约当前为“{fresh.get_status_display()}”，不能执行此操作。",
            status=409,
        )
    return fresh


@transaction.atomic
def booking_confirm(*, user: Any, booking: Booking) -> Booking:
    """The applicant confirms the booking: the places are kept until the appointment."""
    booking = _locked(booking, user=user, states=[BookingStatus.PRECONFIRMED])
    booking.status, booking.confirmed_at, booking.held_until = BookingStatus.CONFIRMED, clock.now(), None
    booking.save(update_fields=["status", "confirmed_at", "held_until", "updated_at"])
    audit_record(
        actor=user,
        action="booking.confirm",
        target=booking,
        changes={"status": ["preconfirmed", "confirmed"]},
    )
    return booking


@transaction.atomic
def booking_cancel(*, user: Any, booking: Booking) -> Booking:
    """Cancel: the places come back to others 30 minutes later (against slot trading)."""
    booking = _locked(booking, user=user, states=[*HELD_STATUSES, BookingStatus.CONFIRMED])
    if booking.status == BookingStatus.CONFIRMED and booking.slot.starts_at <= clock.now():
        raise DomainError(code="booking.started", message="预约时间已到，不能再取消。", status=409)
    before = booking.status
    booking.status, booking.ended_at, booking.held_until = BookingStatus.CANCELLED, clock.now(), None
    booking.save(update_fields=["status", "ended_at", "held_until", "updated_at"])
    audit_record(
        actor=user, action="booking.cancel", target=booking, changes={"status": [before, "cancelled"]}
    )
    return booking


@transaction.atomic
def booking_change(*, user: Any, booking: Booking, slot: Slot) -> Booking:
    """Move a confirmed booking to another slot: a new confirmed booking with the same people, services and
    answers; the old one's places come back 30 minutes later, like a cancellation."""
    booking = _locked(booking, user=user, states=[BookingStatus.CONFIRMED])
    entries = list(booking.entries.select_related("item"))
    if slot.pk == booking.slot_id:
        raise DomainError(code="booking.same_slot", message="请选择另一个时段。")
    if any(not slot_serves(slot, entry.item) for entry in entries):
        raise DomainError(code="booking.item_not_served", message="该时段的窗口不办理所预约的全部事项。")
    locked = _check_slot(user=user, slot=slot, places=len(entries))
    now = clock.now()
    moved = Booking.objects.create(
        code=_new_code(),
        slot=locked,
        user=booking.user,
        person=booking.person,
        status=BookingStatus.CONFIRMED,
        answers=booking.answers,
        confirmed_at=now,
    )
    BookingEntry.objects.bulk_create(
        BookingEntry(booking=moved, item=e.item, person_name=e.person_name) for e in entries
    )
    booking.status, booking.ended_at, booking.replaced_by = BookingStatus.CHANGED, now, moved
    booking.save(update_fields=["status", "ended_at", "replaced_by", "updated_at"])
    audit_record(
        actor=user,
        action="booking.change",
        target=booking,
        changes={"moved_to": moved.code, "slot": str(locked.pk)},
    )
    return moved


@transaction.atomic
def booking_check_in(*, actor: Any, booking: Booking, priority: str = "") -> Booking:
    """The applicant has arrived on the day: a queue ticket of the slot's line, carrying the booking, so the
    window can open it and file the case prefilled. Staff check anyone in; an applicant only their own."""
    is_staff = bool(getattr(actor, "is_staff", False))
    booking = _locked(booking, user=None if is_staff else actor, states=[BookingStatus.CONFIRMED])
    now = clock.now()
    if timezone.localdate(booking.slot.starts_at) != clock.today() or now > booking.slot.ends_at:
        raise DomainError(
            code="booking.not_today", message="只能在预约当天、预约时段结束前到大厅取号。", status=409
        )
    first = booking.entries.select_related("item").first()
    ticket = ticket_issue(
        line=booking.slot.line,
        source=TicketSource.BOOKING,
        priority=priority,
        person=booking.person,
        item=first.item if first else None,
        reference=booking.code,
        reference_url=reverse("appointments_staff:booking", kwargs={"booking_id": booking.pk}),
        actor=actor,
    )
    booking.status, booking.checked_in_at, booking.ticket = BookingStatus.CHECKED_IN, now, ticket
    booking.save(update_fields=["status", "checked_in_at", "ticket", "updated_at"])
    audit_record(
        actor=actor, action="booking.check_in", target=booking, changes={"ticket": ticket.display_number}
    )
    return booking


def bookings_expire(*, now: dt.datetime | None = None) -> int:
    """Mark held bookings past their hold as expired (their places were already free)."""
    now = now or clock.now()
    with transaction.atomic():
        expired = list(
            Booking.objects.select_for_update().filter(status__in=HELD_STATUSES, held_until__lte=now)
        )
        for booking in expired:
            booking.status = BookingStatus.EXPIRED
            booking.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=None, action="booking.expire", target=booking, changes={"status": ["held", "expired"]}
            )
    return len(expired)


def bookings_mark_no_show(*, now: dt.datetime | None = None) -> int:
    """Confirmed bookings whose slot has ended without a check-in are no-shows (the no-show policy counts them)."""
    now = now or clock.now()
    with transaction.atomic():
        missed = list(
            Booking.objects.select_for_update(of=("self",)).filter(
                status=BookingStatus.CONFIRMED, slot__ends_at__lt=now
            )
        )
        for booking in missed:
            booking.status = BookingStatus.NO_SHOW
            booking.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=None,
                action="booking.no_show",
                target=booking,
                changes={"status": ["confirmed", "no_show"]},
            )
    return len(missed)


def reminder_text(booking: Booking) -> str:
    """The SMS sent the day before: where, when, the code to show, and how to change or cancel."""
    centre = booking.slot.line.centre
    start = timezone.localtime(booking.slot.starts_at)
    return (
        f"【{settings.ONEWINDOW_SITE_NAME}】您预约了明天 {start:%m月%d日 %H:%M} 在{centre.name}（{centre.address}）办理业务，"
        f"预约号 {booking.code}，共 {booking.entries.count()} 人次。请携带身份证件准时到达并取号；如需改约或取消，请登录网站办理。"
    )


def booking_reminders_send(*, today: dt.date | None = None) -> int:
    """SMS the applicants of tomorrow's confirmed bookings, once each; a failed send is tried on the next run."""
    tomorrow = (today or clock.today()) + dt.timedelta(days=1)
    due = Booking.objects.filter(
        status=BookingStatus.CONFIRMED, reminded_at__isnull=True, slot__starts_at__date=tomorrow
    ).select_related("slot__line__centre", "person")
    sent = 0
    for booking in due:
        phone = booking.person.phone if booking.person else ""
        if not phone:
            continue
        try:
            plugin("sms").send(phone=phone, text=reminder_text(booking))
        except Exception:  # one gateway failure must not stop the other reminders
            logger.warning("booking reminder SMS failed for %s", booking.code, exc_info=True)
            continue
        with transaction.atomic():
            if Booking.objects.filter(pk=booking.pk, reminded_at__isnull=True).update(
                reminded_at=clock.now(), updated_at=clock.now()
            ):
                audit_record(actor=None, action="booking.remind", target=booking, changes={"channel": "sms"})
                sent += 1
    return sent


def slots_generate_ahead(*, today: dt.date | None = None) -> int:
    """Keep every line's slots generated up to the end of the booking window (the daily job)."""
    today = today or clock.today()
    first, last = selectors.booking_window(today=today)
    created = 0
    for line in (
        QueueLine.objects.filter(centre__is_active=True, windows__isnull=False)
        .select_related("centre")
        .distinct()
    ):
        created += slots_generate(
            actor=None,
            line=line,
            day_from=first,
            day_to=last,
            minutes=settings.ONEWINDOW_APPOINTMENT_SLOT_MINUTES,
        )
    return created
