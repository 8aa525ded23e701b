"""Queue reads: the order of the line, the estimated wait, the hall screen and the per-window statistics."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from statistics import mean
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from onewindow.core import clock
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.halls.models import ServiceCentre, Window, WindowDuty
from onewindow.queueing.models import QueueLine, Ticket, TicketStatus

# Priority tickets first, then in order of issue.
_PRIORITY_FIRST = Case(When(priority="", then=Value(1)), default=Value(0), output_field=IntegerField())


def window_staff_check(*, user: Any, window: Window) -> None:
    """Only a staff member on duty at the window today calls tickets to it."""
    if user is None or not WindowDuty.objects.filter(window=window, user=user, day=clock.today()).exists():
        raise PermissionDenied(f"您今天不在{window.number}号窗口值班，不能在此叫号。")


def waiting_for_window(*, window: Window, day: dt.date) -> QuerySet[Ticket]:
    """The waiting tickets the window may call, in calling order: its lines' tickets not sent to another
    window, and the ones transferred to it."""
    return (
        Ticket.objects.filter(day=day, status=TicketStatus.WAITING)
        .filter(Q(line__windows=window, window__isnull=True) | Q(window=window))
        .select_related("line")
        .annotate(priority_rank=_PRIORITY_FIRST)
        .order_by("priority_rank", "issued_at", "created_at")
        .distinct()
    )


def ticket_get(*, ticket_id: Any) -> Ticket:
    """A ticket by its id (the unguessable id printed as a QR on the slip is the only key: no personal data)."""
    try:
        pk = ticket_id if isinstance(ticket_id, uuid.UUID) else uuid.UUID(str(ticket_id))
    except ValueError:
        raise NotFound("未找到该号码。") from None
    ticket = Ticket.objects.select_related("line__centre", "window").filter(pk=pk).first()
    if ticket is None:
        raise NotFound("未找到该号码。")
    return ticket


def centre_lines(*, centre: ServiceCentre) -> QuerySet[QueueLine]:
    return QueueLine.objects.filter(centre=centre).prefetch_related("windows").order_by("prefix")


def line_average_handling_minutes(*, line: QueueLine, days: int = 30) -> float:
    """Average handling time at the window over the line's last ``days`` days (the setting when none)."""
    since = clock.today() - dt.timedelta(days=days)
    rows = Ticket.objects.filter(
        line=line,
        day__gte=since,
        status=TicketStatus.DONE,
        serving_at__isnull=False,
        finished_at__isnull=False,
    ).values_list("serving_at", "finished_at")[:2000]
    minutes = [(end - start).total_seconds() / 60 for start, end in rows if start and end]
    return round(mean(minutes), 1) if minutes else float(settings.ONEWINDOW_QUEUE_DEFAULT_HANDLING_MINUTES)


def line_open_windows(*, line: QueueLine, day: dt.date) -> int:
    """How many of the line's windows have somebody on duty on ``day``."""
    return line.windows.filter(is_active=True, duties__day=day).distinct().count()


@dataclass(frozen=True)
class WaitEstimate:
    position: int  # 1 = next to be called
    open_windows: int
    average_handling_minutes: float

    @property
    def minutes(self) -> int:
        """position ÷ open windows × average handling time (ZMS' estimate), rounded up to whole minutes."""
        windows = max(self.open_windows, 1)
        return int(-(-(self.position * self.average_handling_minutes) // windows))


def ticket_wait_estimate(*, ticket: Ticket) -> WaitEstimate | None:
    """Where a waiting ticket stands and about how long until it is called."""
    if ticket.status != TicketStatus.WAITING:
        return None
    waiting = Ticket.objects.filter(line=ticket.line, day=ticket.day, status=TicketStatus.WAITING)
    # Same instant (a pinned clock, a burst at the kiosk): the row created first goes first.
    before = Q(issued_at__lt=ticket.issued_at) | Q(
        issued_at=ticket.issued_at, created_at__lt=ticket.created_at
    )
    ahead = (
        waiting.filter(before, priority__gt="")
        if ticket.priority
        else waiting.filter(Q(priority__gt="") | before).exclude(pk=ticket.pk)
    )
    return WaitEstimate(
        position=ahead.count() + 1,
        open_windows=line_open_windows(line=ticket.line, day=ticket.day),
        average_handling_minutes=line_average_handling_minutes(line=ticket.line),
    )


@dataclass(frozen=True)
class BoardRow:
    number: str
    window: str
    calls: int


def hall_board(*, centre: ServiceCentre, limit: int = 8) -> dict[str, Any]:
    """The hall screen: the tickets being called now and the last ones called, with their window; the number
    waiting per line. Ticket numbers and window numbers only — never a name."""
    today = clock.today()
    called = (
        Ticket.objects.filter(
            line__centre=centre, day=today, status__in=[TicketStatus.CALLED, TicketStatus.SERVING]
        )
        .select_related("line", "window")
        .order_by("-last_called_at")[:limit]
    )
    lines = centre_lines(centre=centre)
    waiting = dict(
        Ticket.objects.filter(line__centre=centre, day=today, status=TicketStatus.WAITING)
        .values_list("line_id")
        .annotate(n=Count("pk"))
        .values_list("line_id", "n")
    )
    return {
        "calling": [
            BoardRow(number=t.display_number, window=t.window.number if t.window else "", calls=t.calls)
            for t in called
            if t.status == TicketStatus.CALLED
        ],
        "serving": [
            BoardRow(number=t.display_number, window=t.window.number if t.window else "", calls=t.calls)
            for t in called
            if t.status == TicketStatus.SERVING
        ],
        "lines": [
            {"prefix": line.prefix, "name": line.name, "waiting": waiting.get(line.pk, 0)} for line in lines
        ],
        "updated_at": clock.now(),
    }


@dataclass(frozen=True)
class WindowStatistics:
    """What a later performance dashboard reads per window (and sums per hall and per staff member)."""

    window_id: Any
    window_number: str
    served: int
    missed: int
    average_wait_minutes: float | None
    average_handling_minutes: float | None


def window_statistics(*, centre: ServiceCentre, day_from: dt.date, day_to: dt.date) -> list[WindowStatistics]:
    """Per window, over ``[day_from, day_to]``: tickets served and missed, the average wait (issue to first
    call) and the average handling (start to finish)."""
    rows = Ticket.objects.filter(
        line__centre=centre,
        day__range=(day_from, day_to),
        status__in=[TicketStatus.DONE, TicketStatus.MISSED],
        window__isnull=False,
    ).values_list("window_id", "status", "issued_at", "first_called_at", "serving_at", "finished_at")
    grouped: dict[Any, list[tuple[Any, ...]]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    result = []
    for window in Window.objects.filter(centre=centre).order_by("number"):
        mine = grouped.get(window.pk, [])
        done = [r for r in mine if r[1] == TicketStatus.DONE]
        waits = [(r[3] - r[2]).total_seconds() / 60 for r in done if r[3]]
        handling = [(r[5] - r[4]).total_seconds() / 60 for r in done if r[4] and r[5]]
        result.append(
            WindowStatistics(
                window_id=window.pk,
                window_number=window.number,
                served=len(done),
                missed=len(mine) - len(done),
                average_wait_minutes=round(mean(waits), 1) if waits else None,
                average_handling_minutes=round(mean(handling), 1) if handling else None,
            )
        )
    return result


def window_current_ticket(*, window: Window) -> Ticket | None:
    """The ticket the window is calling or serving."""
    return (
        Ticket.objects.filter(window=window, status__in=[TicketStatus.CALLED, TicketStatus.SERVING])
        .select_related("line", "person", "item__published_version")
        .first()
    )
