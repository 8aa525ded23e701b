"""Queue writes: issuing a ticket, calling it to a window (three calls, then missed), serving, transferring.

Every change locks the ticket row and checks its state, so two clerks pressing 叫号 at once never call the same
ticket: the line row is locked while the next ticket is picked.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from onewindow.catalogue.models import Item
from onewindow.core import clock
from onewindow.core.errors import DomainError, PermissionDenied
from onewindow.core.services import audit_record
from onewindow.halls.models import ServiceCentre, Window
from onewindow.halls.services import centre_manage_check
from onewindow.identity.models import Person
from onewindow.queueing.models import (
    MAX_CALLS,
    Priority,
    QueueLine,
    Ticket,
    TicketSource,
    TicketStatus,
)
from onewindow.queueing.selectors import waiting_for_window, window_staff_check


@transaction.atomic
def queue_line_create(
    *,
    actor: Any | None,
    centre: ServiceCentre,
    name: str,
    prefix: str,
    windows: Iterable[Window],
    first_number: int = 1,
    last_number: int = 999,
) -> QueueLine:
    """Open a line (a window type) in a hall with its ticket prefix and number range."""
    centre_manage_check(user=actor, centre=centre)
    prefix = (prefix or "").strip().upper()
    if not prefix.isalpha() or len(prefix) > 2:
        raise DomainError(code="queue_line.prefix_invalid", message="号码前缀应为一至两个字母，如 A、B。")
    if not (name or "").strip():
        raise DomainError(code="queue_line.name_required", message="请填写队列名称。")
    if not 1 <= first_number <= last_number <= 9999:
        raise DomainError(
            code="queue_line.range_invalid", message="号段应在 1—9999 之间，且起始号不大于结束号。"
        )
    if QueueLine.objects.filter(centre=centre, prefix=prefix).exists():
        raise DomainError(
            code="queue_line.prefix_taken", message=f"本中心已有以 {prefix} 开头的号段。", status=409
        )
    chosen = list(windows)
    if any(window.centre_id != centre.pk for window in chosen):
        raise DomainError(code="queue_line.window_foreign", message="只能选择本中心的窗口。")
    line = QueueLine.objects.create(
        centre=centre, name=name.strip(), prefix=prefix, first_number=first_number, last_number=last_number
    )
    line.windows.set(chosen)
    audit_record(
        actor=actor,
        action="queue_line.create",
        target=line,
        changes={
            "prefix": prefix,
            "range": [first_number, last_number],
            "windows": [w.number for w in chosen],
        },
    )
    return line


@transaction.atomic
def ticket_issue(
    *,
    line: QueueLine,
    source: str,
    priority: str = "",
    person: Person | None = None,
    item: Item | None = None,
    reference: str = "",
    reference_url: str = "",
    actor: Any | None = None,
) -> Ticket:
    """Issue the line's next ticket of the day; numbers start again at the range's start after its end."""
    if source not in TicketSource.values:
        raise DomainError(code="ticket.source_invalid", message="取号方式无效。")
    if priority not in Priority.values:
        raise DomainError(code="ticket.priority_invalid", message="优先类别应为老年人或残疾人。")
    if not line.centre.is_active:
        raise DomainError(code="ticket.centre_closed", message="该服务场所已停用，不能取号。")
    locked = QueueLine.objects.select_for_update().get(pk=line.pk)
    day = clock.today()
    last = Ticket.objects.filter(line=locked, day=day).order_by("-issued_at", "-number").first()
    number = locked.first_number if last is None or last.number >= locked.last_number else last.number + 1
    if Ticket.objects.filter(line=locked, day=day, number=number).exists():
        raise DomainError(
            code="ticket.range_exhausted", message="今日该队列号码已取完，请咨询大厅工作人员。", status=409
        )
    ticket = Ticket.objects.create(
        line=locked,
        day=day,
        number=number,
        source=source,
        priority=priority,
        person=person,
        item=item,
        reference=reference[:40],
        reference_url=reference_url[:300],
        issued_at=clock.now(),
    )
    audit_record(
        actor=actor,
        action="ticket.issue",
        target=ticket,
        changes={"number": ticket.display_number, "source": source, "priority": priority},
    )
    return ticket


def _locked(ticket: Ticket, *states: str) -> Ticket:
    fresh = Ticket.objects.select_for_update(of=("self",)).select_related("line").get(pk=ticket.pk)
    if fresh.status not in states:
        raise DomainError(
            code="ticket.wrong_state",
            message=f"{fresh.display_number} 号当前为“{fresh.get_status_display()}”，不能执行此操作。",
            status=409,
        )
    return fresh


def _at_window(ticket: Ticket, window: Window) -> None:
    if ticket.window_id != window.pk:
        raise DomainError(code="ticket.other_window", message="该号码不在本窗口。", status=409)


def _move(ticket: Ticket, *, actor: Any, action: str, before: str, fields: list[str]) -> Ticket:
    ticket.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=actor,
        action=action,
        target=ticket,
        changes={
            "status": [before, ticket.status],
            "window": ticket.window.number if ticket.window else None,
        },
    )
    return ticket


@transaction.atomic
def ticket_call_next(*, actor: Any, window: Window) -> Ticket | None:
    """Call the next ticket to the window (priority first, then in order of issue); None when nobody waits.
    A window still calling or serving a ticket finishes it first."""
    window_staff_check(user=actor, window=window)
    if Ticket.objects.filter(window=window, status__in=[TicketStatus.CALLED, TicketStatus.SERVING]).exists():
        raise DomainError(
            code="ticket.window_busy", message="本窗口还有正在呼叫或办理的号码，请先办结或转移。", status=409
        )
    # The window's lines are locked so that two windows calling at once never pick the same ticket.
    list(QueueLine.objects.select_for_update(of=("self",)).filter(windows=window).order_by("pk"))
    candidate = waiting_for_window(window=window, day=clock.today()).first()
    if candidate is None:
        return None
    ticket = _locked(candidate, TicketStatus.WAITING)
    now = clock.now()
    ticket.status, ticket.window, ticket.calls = TicketStatus.CALLED, window, 1
    ticket.first_called_at = ticket.first_called_at or now
    ticket.last_called_at = now
    return _move(
        ticket,
        actor=actor,
        action="ticket.call",
        before=TicketStatus.WAITING,
        fields=["status", "window", "calls", "first_called_at", "last_called_at"],
    )


@transaction.atomic
def ticket_recall(*, actor: Any, ticket: Ticket, window: Window) -> Ticket:
    """Call the ticket again; after the third unanswered call it is missed (过号)."""
    window_staff_check(user=actor, window=window)
    ticket = _locked(ticket, TicketStatus.CALLED)
    _at_window(ticket, window)
    if ticket.calls >= MAX_CALLS:
        ticket.status, ticket.finished_at = TicketStatus.MISSED, clock.now()
        return _move(
            ticket,
            actor=actor,
            action="ticket.miss",
            before=TicketStatus.CALLED,
            fields=["status", "finished_at"],
        )
    ticket.calls += 1
    ticket.last_called_at = clock.now()
    return _move(
        ticket,
        actor=actor,
        action="ticket.recall",
        before=TicketStatus.CALLED,
        fields=["calls", "last_called_at"],
    )


@transaction.atomic
def ticket_start(*, actor: Any, ticket: Ticket, window: Window) -> Ticket:
    """The person called has come to the window: service starts."""
    window_staff_check(user=actor, window=window)
    ticket = _locked(ticket, TicketStatus.CALLED)
    _at_window(ticket, window)
    ticket.status, ticket.serving_at, ticket.served_by = TicketStatus.SERVING, clock.now(), actor
    return _move(
        ticket,
        actor=actor,
        action="ticket.start",
        before=TicketStatus.CALLED,
        fields=["status", "serving_at", "served_by"],
    )


@transaction.atomic
def ticket_finish(*, actor: Any, ticket: Ticket, window: Window) -> Ticket:
    """Service at the window is over (办结)."""
    window_staff_check(user=actor, window=window)
    ticket = _locked(ticket, TicketStatus.SERVING)
    _at_window(ticket, window)
    ticket.status, ticket.finished_at = TicketStatus.DONE, clock.now()
    return _move(
        ticket,
        actor=actor,
        action="ticket.finish",
        before=TicketStatus.SERVING,
        fields=["status", "finished_at"],
    )


@transaction.atomic
def ticket_transfer(*, actor: Any, ticket: Ticket, window: Window, to_window: Window) -> Ticket:
    """Send the ticket to another window of the hall: it waits again, for that window only, keeping its place
    by time of issue (转窗)."""
    window_staff_check(user=actor, window=window)
    ticket = _locked(ticket, TicketStatus.CALLED, TicketStatus.SERVING)
    _at_window(ticket, window)
    if to_window.centre_id != window.centre_id or to_window.pk == window.pk or not to_window.is_active:
        raise DomainError(code="ticket.transfer_target", message="请选择本中心的另一个窗口。")
    before = ticket.status
    ticket.status, ticket.window, ticket.calls = TicketStatus.WAITING, to_window, 0
    ticket.serving_at, ticket.transfers = None, ticket.transfers + 1
    return _move(
        ticket,
        actor=actor,
        action="ticket.transfer",
        before=before,
        fields=["status", "window", "calls", "serving_at", "transfers"],
    )


@transaction.atomic
def ticket_cancel(*, actor: Any | None, ticket: Ticket) -> Ticket:
    """Withdraw a waiting ticket (the person left, or the booking was given up)."""
    ticket = _locked(ticket, TicketStatus.WAITING)
    if (
        actor is not None
        and not getattr(actor, "is_staff", False)
        and (ticket.person is None or ticket.person.user_id != actor.pk)
    ):
        raise PermissionDenied("只能取消本人的号码。")
    ticket.status, ticket.finished_at = TicketStatus.CANCELLED, clock.now()
    return _move(
        ticket,
        actor=actor,
        action="ticket.cancel",
        before=TicketStatus.WAITING,
        fields=["status", "finished_at"],
    )
