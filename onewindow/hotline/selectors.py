"""Reads on 12345 tickets, scoped by who asks: the office sees all, a department its dispatches, a supervisor
the escalated ones, a citizen their own (another's is a 404); the public sees no caller, ever."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from onewindow.core import clock
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.core.masking import mask_name, mask_phone
from onewindow.hotline.models import (
    Channel,
    DispatchCategory,
    DispatchRole,
    DispatchState,
    RoutingRule,
    Satisfaction,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from onewindow.hotline.permissions import handler_department_ids, is_operator, is_supervisor
from onewindow.organisations.models import Department, Region

# What a caller may have typed about themselves into a public description: mobile numbers, landlines and
# citizen ID numbers (GB 11643) are masked before anything is published.
_ID_RE = re.compile(r"\d{17}[\dXx]")
_MOBILE_RE = re.compile(r"1\d{10}")
_LANDLINE_RE = re.compile(r"0\d{2,3}-?\d{7,8}")


def public_text(text: str, *, names: tuple[str, ...] = ()) -> str:
    """``text`` with identifiers and the caller's name masked: safe for Open311 and the public pages."""
    text = _ID_RE.sub(lambda m: m.group()[:4] + "*" * 10 + m.group()[-4:], text)
    text = _MOBILE_RE.sub(lambda m: mask_phone(m.group()), text)
    text = _LANDLINE_RE.sub(lambda m: m.group()[:4] + "****", text)
    for name in names:
        if name and len(name) >= 2:
            text = text.replace(name, mask_name(name))
    return text


def categories_active() -> QuerySet[DispatchCategory]:
    return DispatchCategory.objects.filter(is_active=True).select_related("lead_department")


def category_get(*, code: str) -> DispatchCategory:
    category = categories_active().filter(code=code).first()
    if category is None:
        raise NotFound("派单目录中没有该事项。")
    return category


def category_suggest(*, text: str) -> DispatchCategory | None:
    """The category whose keywords the request mentions most (the operator confirms or picks another)."""
    best, best_hits = None, 0
    for category in categories_active():
        hits = sum(1 for word in category.keyword_list() if word.strip() and word.strip() in text)
        if hits > best_hits:
            best, best_hits = category, hits
    return best


def route_for(*, category: DispatchCategory, region: Region | None) -> tuple[Department, list[Department]]:
    """Lead and co-handlers for a category in a region: the rule of the region or its nearest ancestor
    (属地管理), else the catalogue entry's defaults."""
    rules = {
        r.region_id: r
        for r in RoutingRule.objects.filter(category=category).select_related("lead_department")
    }
    node = region
    while node is not None:
        if node.pk in rules:
            rule = rules[node.pk]
            return rule.lead_department, list(rule.co_departments.all())
        node = node.parent
    return category.lead_department, list(category.co_departments.all())


def _staff_tickets() -> QuerySet[Ticket]:
    return Ticket.objects.select_related("category", "lead_department", "region", "merged_into")


def tickets_for_office(*, user: Any, status: str = "", q: str = "") -> QuerySet[Ticket]:
    if not is_operator(user):
        raise PermissionDenied("只有 12345 热线办公室的工作人员可以查看全部工单。")
    tickets = _staff_tickets()
    if status == "escalated":
        tickets = tickets.filter(
            escalated_at__isnull=False,
            status__in=[s.value for s in TicketStatus if s not in (TicketStatus.CLOSED, TicketStatus.MERGED)],
        )
    elif status:
        tickets = tickets.filter(status=status)
    if q:
        tickets = tickets.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(description__icontains=q))
    return tickets


def tickets_for_department(*, user: Any, done: bool = False) -> QuerySet[Ticket]:
    """Tickets dispatched to the user's departments: open ones (lead or co-handler), or those it answered."""
    departments = handler_department_ids(user)
    states = (
        [DispatchState.DONE, DispatchState.RETURNED]
        if done
        else [DispatchState.ACTIVE, DispatchState.RETURN_PENDING, DispatchState.RETURN_REJECTED]
    )
    return (
        _staff_tickets()
        .filter(dispatches__department_id__in=departments, dispatches__state__in=states)
        .distinct()
        .order_by("due_on", "received_at")
    )


def tickets_escalated(*, user: Any) -> QuerySet[Ticket]:
    if not (is_supervisor(user) or is_operator(user)):
        raise PermissionDenied("只有监察人员可以查看督办工单。")
    return _staff_tickets().filter(escalated_at__isnull=False).order_by("-escalated_at")


@dataclass
class StaffTicketView:
    ticket: Ticket
    is_operator: bool
    is_lead: bool
    is_co: bool
    can_see_caller: bool


def ticket_get_for_staff(*, user: Any, pk: uuid.UUID | str) -> StaffTicketView:
    ticket = _staff_tickets().filter(pk=pk).first()
    if ticket is None:
        raise NotFound("未找到该工单。")
    departments = handler_department_ids(user)
    dispatches = list(ticket.dispatches.select_related("department"))
    live = [d for d in dispatches if d.department_id in departments]
    operator = is_operator(user)
    is_lead = any(d.role == DispatchRole.LEAD and d.state != DispatchState.RETURNED for d in live)
    is_co = any(d.role == DispatchRole.CO for d in live)
    if not (operator or live or (ticket.escalated_at and is_supervisor(user))):
        raise PermissionDenied("该工单未派给您的部门。")
    return StaffTicketView(ticket, operator, is_lead, is_co, can_see_caller=operator or is_lead or is_co)


def ticket_events(*, ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor", "department")


def tickets_of_citizen(*, user: Any) -> QuerySet[Ticket]:
    if not getattr(user, "is_authenticated", False):
        return Ticket.objects.none()
    return _staff_tickets().filter(caller=user)


def ticket_get_for_citizen(*, user: Any, pk: uuid.UUID | str) -> Ticket:
    ticket = tickets_of_citizen(user=user).filter(pk=pk).first()
    if ticket is None:
        raise NotFound("未找到该诉求，或您无权查看。")
    return ticket


def ticket_answer(ticket: Ticket) -> str:
    """What the caller is told: the ticket's own response, or the response of the ticket it was merged into."""
    if ticket.merged_into_id and ticket.merged_into:
        return ticket.merged_into.response
    return ticket.response


# Open311 GeoReport v2 limits on lists (the spec's defaults).
OPEN311_MAX_DAYS = 90
OPEN311_MAX_REQUESTS = 1000


def open311_requests(
    *,
    ids: list[str] | None = None,
    service_code: str = "",
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    status: str = "",
) -> list[Ticket]:
    """Public requests: by id, or a window of at most 90 days (the last 90 when none is given), newest first,
    at most 1,000."""
    tickets = Ticket.objects.select_related("category", "lead_department", "merged_into").prefetch_related(
        "events"
    )
    if ids:
        tickets = tickets.filter(number__in=ids[:OPEN311_MAX_REQUESTS])
    else:
        end = end or clock.now()
        start = start or end - dt.timedelta(days=OPEN311_MAX_DAYS)
        if end - start > dt.timedelta(days=OPEN311_MAX_DAYS):
            start = end - dt.timedelta(days=OPEN311_MAX_DAYS)
        tickets = tickets.filter(received_at__gte=start, received_at__lte=end)
    if service_code:
        tickets = tickets.filter(category__code__in=[c for c in service_code.split(",") if c])
    if status == "open":
        tickets = tickets.filter(
            status__in=[
                TicketStatus.RECEIVED,
                TicketStatus.DISPATCHED,
                TicketStatus.RETURNED,
                TicketStatus.IN_PROGRESS,
            ]
        )
    elif status == "closed":
        tickets = tickets.filter(
            status__in=[TicketStatus.RESPONDED, TicketStatus.CLOSED, TicketStatus.MERGED]
        )
    return list(tickets.order_by("-received_at")[:OPEN311_MAX_REQUESTS])


def ticket_public(*, number: str) -> Ticket:
    ticket = (
        Ticket.objects.select_related("category", "lead_department", "merged_into")
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise NotFound("未找到该工单。")
    return ticket


def _month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(year, month, 1, tzinfo=clock.now().tzinfo)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=start.tzinfo)
    return start, end


def _rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def hotline_month_figures(*, year: int, month: int) -> dict[str, Any]:
    """The month's 12345 figures for the monthly publication: volumes by category and by channel, response
    rate (answered ÷ received, merged duplicates counted as answered with their main ticket), on-time rate
    (answered by the due date ÷ answered), satisfaction (satisfied or fairly satisfied ÷ called back).
    Counts only: never a caller."""
    start, end = _month_bounds(year, month)
    tickets = Ticket.objects.filter(received_at__gte=start, received_at__lt=end)
    totals = tickets.aggregate(
        received=Count("pk"),
        answered=Count("pk", filter=Q(responded_at__isnull=False) | Q(status=TicketStatus.MERGED)),
        responded=Count("pk", filter=Q(responded_at__isnull=False)),
        escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
        merged=Count("pk", filter=Q(status=TicketStatus.MERGED)),
        called_back=Count("pk", filter=Q(satisfaction__isnull=False)),
        on_time=Count(
            "pk",
            filter=Q(responded_at__isnull=False)
            & (Q(due_on__isnull=True) | Q(responded_at__date__lte=F("due_on"))),
        ),
        satisfied=Count(
            "pk", filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.FAIRLY_SATISFIED])
        ),
    )
    channel_labels = dict(Channel.choices)
    by_channel = [
        {
            "channel": row["channel"],
            "label": channel_labels.get(row["channel"], row["channel"]),
            "count": row["n"],
        }
        for row in tickets.values("channel").annotate(n=Count("pk")).order_by("-n")
    ]
    by_category = [
        {"code": row["category__code"] or "", "name": row["category__name"] or "未分类", "count": row["n"]}
        for row in tickets.values("category__code", "category__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "category__code")
    ]
    return {
        "year": year,
        "month": month,
        **totals,
        "response_rate": _rate(totals["answered"], totals["received"]),
        "on_time_rate": _rate(totals["on_time"], totals["responded"]),
        "satisfaction_rate": _rate(totals["satisfied"], totals["called_back"]),
        "by_channel": by_channel,
        "by_category": by_category,
    }


def hot_topics(*, days: int = 30, limit: int = 10) -> dict[str, Any]:
    """Hot topics 热点诉求: the most frequent categories and regions of the last ``days`` days, with the
    previous period's count for the trend."""
    now = clock.now()
    since, before = now - dt.timedelta(days=days), now - dt.timedelta(days=2 * days)
    recent = Ticket.objects.filter(received_at__gte=since)
    previous = dict(
        Ticket.objects.filter(received_at__gte=before, received_at__lt=since)
        .values_list("category__code")
        .annotate(n=Count("pk"))
        .values_list("category__code", "n")
    )
    categories = [
        {
            "code": row["category__code"],
            "name": row["category__name"],
            "group": row["category__group"],
            "count": row["n"],
            "previous": previous.get(row["category__code"], 0),
        }
        for row in recent.filter(category__isnull=False)
        .values("category__code", "category__name", "category__group")
        .annotate(n=Count("pk"))
        .order_by("-n")[:limit]
    ]
    regions = [
        {"name": row["region__name"], "count": row["n"]}
        for row in recent.filter(region__isnull=False)
        .values("region__name")
        .annotate(n=Count("pk"))
        .order_by("-n")[:limit]
    ]
    return {"days": days, "total": recent.count(), "categories": categories, "regions": regions}
