"""Writes on 12345 tickets. Every change: row lock, state check, one timeline event, one audit entry.

Clock rules (docs/hotline.md): the time limit is the category's, in working days on the legal calendar,
counted from the day of dispatch to the department that must answer. A department that was wrongly assigned
may return the ticket within ``ONEWINDOW_HOTLINE_RETURN_DAYS`` working days; when the 12345 office accepts the
return and re-dispatches, the clock restarts for the right department (the days spent with the wrong one are
not charged to it); when the office rejects the return, the original due date stands, so a return never buys
time.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from onewindow.core import clock
from onewindow.core.errors import DomainError, FieldProblem, PermissionDenied
from onewindow.core.queue import enqueue_in_transaction
from onewindow.core.services import audit_record
from onewindow.hotline.models import (
    DESCRIPTION_MAX,
    OPEN_STATUSES,
    Channel,
    Dispatch,
    DispatchCategory,
    DispatchRole,
    DispatchState,
    Kind,
    Open311Client,
    Satisfaction,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from onewindow.hotline.notify import ticket_escalation_notify
from onewindow.hotline.permissions import decider_check, handler_department_ids, operator_check
from onewindow.hotline.selectors import route_for
from onewindow.organisations.models import Department, Region
from onewindow.organisations.selectors import staff_is_platform_admin
from onewindow.workdays.selectors import working_days_add, working_days_between

PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


def _event(
    ticket: Ticket,
    action: str,
    *,
    actor: Any,
    department: Department | None = None,
    note: str = "",
    public_note: str = "",
) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        at=clock.now(),
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        department=department,
        note=note,
        public_note=public_note,
    )


def _locked(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("category", "lead_department")
        .get(pk=ticket.pk)
    )


def _next_number() -> str:
    prefix = f"R{clock.today():%Y%m%d}"
    last = (
        Ticket.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    serial = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{serial:05d}"


def _validate_intake(*, title: str, description: str, caller_phone: str, address: str) -> None:
    problems = []
    if not description.strip():
        problems.append(FieldProblem("description", "required", "请描述您的诉求。"))
    elif len(description) > DESCRIPTION_MAX:
        problems.append(FieldProblem("description", "too_long", f"诉求内容不能超过 {DESCRIPTION_MAX} 个字。"))
    if len(title) > 100:
        problems.append(FieldProblem("title", "too_long", "标题不能超过 100 个字。"))
    if caller_phone and not PHONE_RE.match(caller_phone):
        problems.append(
            FieldProblem("caller_phone", "invalid", "联系电话应为 11 位手机号或带区号的固定电话。")
        )
    if len(address) > 200:
        problems.append(FieldProblem("address", "too_long", "地址不能超过 200 个字。"))
    if problems:
        raise DomainError("ticket.invalid", "诉求信息有误，请按提示修改。", problems=problems)


@transaction.atomic
def ticket_create(
    *,
    actor: Any,
    channel: str,
    description: str,
    title: str = "",
    kind: str = Kind.HELP,
    caller_name: str = "",
    caller_phone: str = "",
    caller: Any = None,
    category: DispatchCategory | None = None,
    region: Region | None = None,
    address: str = "",
    lat: Decimal | None = None,
    long: Decimal | None = None,
    open311_client: Open311Client | None = None,
) -> Ticket:
    """Take a request: an operator on the phone, a signed-in citizen on the web, or an Open311 client."""
    if channel not in Channel.values or kind not in Kind.values:
        raise DomainError("ticket.invalid", "渠道或诉求类型无效。")
    if channel == Channel.PHONE:
        operator_check(actor)
    if channel in (Channel.WEB, Channel.MOBILE) and not getattr(caller, "is_authenticated", False):
        raise PermissionDenied("请先登录后再提交诉求。")
    if channel == Channel.OPEN311 and open311_client is None:
        raise PermissionDenied("Open311 提交需要已登记的 api_key。")
    description, title, address = description.strip(), title.strip(), address.strip()
    caller_name, caller_phone = caller_name.strip(), caller_phone.strip().replace(" ", "")
    _validate_intake(title=title, description=description, caller_phone=caller_phone, address=address)
    if caller is not None and not caller_name:
        caller_name = getattr(caller, "name", "")
    fields = dict(
        channel=channel,
        kind=kind,
        category=category,
        region=region,
        title=title or description[:30],
        description=description,
        address=address,
        lat=lat,
        long=long,
        caller_name=caller_name,
        caller_phone=caller_phone,
        caller=caller,
        open311_client=open311_client,
        received_at=clock.now(),
    )
    for _attempt in range(5):
        try:
            with transaction.atomic():
                ticket = Ticket.objects.create(number=_next_number(), **fields)
                break
        except IntegrityError:  # two intakes took the same serial: take the next one
            continue
    else:
        raise DomainError("ticket.busy", "系统繁忙，请稍后重试。", status=503)
    _event(ticket, "create", actor=actor, public_note="诉求已受理，等待派单。")
    audit_record(actor=actor, action="ticket.create", target=ticket, changes={"channel": channel})
    return ticket


def _dispatch_rows(ticket: Ticket, lead: Department, co: list[Department]) -> None:
    now = clock.now()
    Dispatch.objects.create(ticket=ticket, department=lead, role=DispatchRole.LEAD, dispatched_at=now)
    for department in co:
        if department != lead:
            Dispatch.objects.create(
                ticket=ticket, department=department, role=DispatchRole.CO, dispatched_at=now
            )


def _clock_start(ticket: Ticket, category: DispatchCategory) -> None:
    ticket.clock_start_on = clock.today()
    ticket.due_on = working_days_add(ticket.clock_start_on, category.limit_days).date


@transaction.atomic
def ticket_dispatch(
    *,
    ticket: Ticket,
    actor: Any,
    category: DispatchCategory,
    region: Region | None = None,
    lead: Department | None = None,
    co: list[Department] | None = None,
    kind: str | None = None,
) -> Ticket:
    """Classify against the dispatch catalogue and send to the lead department (routing rule unless chosen)."""
    operator_check(actor)
    ticket = _locked(ticket)
    if not ticket.can_dispatch():
        raise DomainError("ticket.not_dispatchable", "该工单已派出或已办结，不能再次派单。", status=409)
    if not category.is_active:
        raise DomainError("ticket.category_inactive", "该派单目录事项已停用。")
    ticket.category, ticket.region = category, region or ticket.region
    if kind:
        ticket.kind = kind
    routed_lead, routed_co = route_for(category=category, region=ticket.region)
    lead = lead or routed_lead
    co_list = routed_co if co is None else co
    _dispatch_rows(ticket, lead, co_list)
    ticket.lead_department, ticket.status, ticket.dispatched_at = lead, TicketStatus.DISPATCHED, clock.now()
    _clock_start(ticket, category)
    ticket.save()
    _event(
        ticket,
        "dispatch",
        actor=actor,
        department=lead,
        note="协办：" + "、".join(d.name for d in co_list),
        public_note=f"已派至{lead.name}办理。",
    )
    audit_record(
        actor=actor,
        action="ticket.dispatch",
        target=ticket,
        changes={"category": category.code, "lead": lead.name, "due_on": str(ticket.due_on)},
    )
    return ticket


def _lead_dispatch(ticket: Ticket, actor: Any) -> Dispatch:
    dispatch = (
        ticket.dispatches.filter(
            role=DispatchRole.LEAD, state__in=[DispatchState.ACTIVE, DispatchState.RETURN_REJECTED]
        )
        .select_related("department")
        .first()
    )
    if dispatch is None or dispatch.department_id not in handler_department_ids(actor):
        raise PermissionDenied("只有主办单位的工作人员可以处理该工单。")
    return dispatch


@transaction.atomic
def ticket_sign(*, ticket: Ticket, actor: Any) -> Ticket:
    """The lead department signs for the ticket (签收): it is now in progress."""
    ticket = _locked(ticket)
    dispatch = _lead_dispatch(ticket, actor)
    if not ticket.can_sign():
        raise DomainError("ticket.not_signable", "该工单当前不能签收。", status=409)
    dispatch.signed_at = clock.now()
    dispatch.save(update_fields=["signed_at", "updated_at"])
    ticket.status = TicketStatus.IN_PROGRESS
    ticket.save(update_fields=["status", "updated_at"])
    _event(
        ticket, "sign", actor=actor, department=dispatch.department, public_note="承办单位已签收，正在办理。"
    )
    audit_record(actor=actor, action="ticket.sign", target=ticket)
    return ticket


@transaction.atomic
def ticket_return(*, ticket: Ticket, actor: Any, reason: str) -> Ticket:
    """The lead department returns a ticket outside its duties (退单), within the return window, with a reason."""
    ticket = _locked(ticket)
    dispatch = _lead_dispatch(ticket, actor)
    reason = reason.strip()
    if not ticket.can_return() or dispatch.state == DispatchState.RETURN_REJECTED:
        raise DomainError(
            "ticket.not_returnable", "该工单当前不能退单（退单已被驳回的工单须继续办理）。", status=409
        )
    if len(reason) < 5:
        raise DomainError(
            "ticket.return_reason",
            "请写明退单理由（不少于 5 个字），例如应由哪个部门办理及依据。",
            problems=[FieldProblem("reason", "required", "请写明退单理由。")],
        )
    window = settings.ONEWINDOW_HOTLINE_RETURN_DAYS
    if (
        working_days_between(dispatch.dispatched_at.astimezone(clock.now().tzinfo).date(), clock.today())
        > window
    ):
        raise DomainError(
            "ticket.return_too_late", f"派单后超过 {window} 个工作日，不能再退单，请继续办理。", status=409
        )
    dispatch.state, dispatch.return_reason, dispatch.returned_at = (
        DispatchState.RETURN_PENDING,
        reason,
        clock.now(),
    )
    dispatch.save(update_fields=["state", "return_reason", "returned_at", "updated_at"])
    ticket.status = TicketStatus.RETURNED
    ticket.save(update_fields=["status", "updated_at"])
    _event(
        ticket,
        "return",
        actor=actor,
        department=dispatch.department,
        note=reason,
        public_note="承办单位申请退单，热线办公室审核中。",
    )
    audit_record(actor=actor, action="ticket.return", target=ticket, changes={"reason": reason})
    return ticket


def _redispatch(
    ticket: Ticket, actor: Any, department: Department, co: list[Department] | None, note: str
) -> None:
    ticket.dispatches.filter(state__in=[DispatchState.ACTIVE, DispatchState.RETURN_REJECTED]).update(
        state=DispatchState.RETURNED, updated_at=clock.now()
    )
    _dispatch_rows(ticket, department, co or [])
    ticket.lead_department, ticket.status, ticket.dispatched_at = (
        department,
        TicketStatus.DISPATCHED,
        clock.now(),
    )
    assert ticket.category is not None
    _clock_start(ticket, ticket.category)
    ticket.save()
    _event(
        ticket,
        "redispatch",
        actor=actor,
        department=department,
        note=note,
        public_note=f"已改派至{department.name}办理。",
    )
    audit_record(
        actor=actor,
        action="ticket.redispatch",
        target=ticket,
        changes={"lead": department.name, "due_on": str(ticket.due_on), "note": note},
    )


@transaction.atomic
def ticket_return_decide(
    *,
    ticket: Ticket,
    actor: Any,
    accept: bool,
    note: str,
    department: Department | None = None,
    co: list[Department] | None = None,
) -> Ticket:
    """The 12345 office decides a return: accept and re-dispatch (改派, the clock restarts), or reject (the
    department keeps the ticket and its original due date)."""
    decider_check(actor)
    ticket = _locked(ticket)
    pending = (
        ticket.dispatches.filter(state=DispatchState.RETURN_PENDING).select_related("department").first()
    )
    if ticket.status != TicketStatus.RETURNED or pending is None:
        raise DomainError("ticket.no_return", "该工单没有待审核的退单。", status=409)
    note = note.strip()
    if not note:
        raise DomainError(
            "ticket.decision_note",
            "请写明审核意见。",
            problems=[FieldProblem("note", "required", "请写明审核意见。")],
        )
    pending.decision_note = note
    if accept:
        if department is None or department == pending.department:
            raise DomainError(
                "ticket.redispatch_target",
                "请选择改派的承办单位（不能是退单的单位）。",
                problems=[FieldProblem("department", "required", "请选择改派的承办单位。")],
            )
        pending.state = DispatchState.RETURNED
        pending.save(update_fields=["state", "decision_note", "updated_at"])
        _redispatch(ticket, actor, department, co, note)
    else:
        pending.state = DispatchState.RETURN_REJECTED
        pending.save(update_fields=["state", "decision_note", "updated_at"])
        ticket.status = TicketStatus.IN_PROGRESS if pending.signed_at else TicketStatus.DISPATCHED
        ticket.save(update_fields=["status", "updated_at"])
        _event(
            ticket,
            "return_rejected",
            actor=actor,
            department=pending.department,
            note=note,
            public_note=f"退单未获同意，仍由{pending.department.name}办理。",
        )
        audit_record(actor=actor, action="ticket.return_reject", target=ticket, changes={"note": note})
    return ticket


@transaction.atomic
def ticket_redispatch(
    *, ticket: Ticket, actor: Any, department: Department, note: str, co: list[Department] | None = None
) -> Ticket:
    """The office moves an open ticket to another lead department on its own finding (改派)."""
    decider_check(actor)
    ticket = _locked(ticket)
    if ticket.status not in (TicketStatus.DISPATCHED, TicketStatus.IN_PROGRESS, TicketStatus.RETURNED):
        raise DomainError("ticket.not_redispatchable", "只有已派出且未办结的工单可以改派。", status=409)
    if department == ticket.lead_department:
        raise DomainError("ticket.redispatch_target", "改派的承办单位与当前主办单位相同。")
    if not note.strip():
        raise DomainError("ticket.decision_note", "请写明改派理由。")
    ticket.dispatches.filter(state=DispatchState.RETURN_PENDING).update(state=DispatchState.RETURNED)
    _redispatch(ticket, actor, department, co, note.strip())
    return ticket


@transaction.atomic
def ticket_co_opinion(*, ticket: Ticket, actor: Any, opinion: str) -> Dispatch:
    """A co-handler (协办单位) gives its opinion to the lead department."""
    ticket = _locked(ticket)
    dispatch = ticket.dispatches.filter(
        role=DispatchRole.CO, state=DispatchState.ACTIVE, department_id__in=handler_department_ids(actor)
    ).first()
    if dispatch is None:
        raise PermissionDenied("只有协办单位的工作人员可以提交协办意见。")
    if not opinion.strip():
        raise DomainError("ticket.opinion_required", "请填写协办意见。")
    dispatch.opinion, dispatch.state = opinion.strip(), DispatchState.DONE
    dispatch.save(update_fields=["opinion", "state", "updated_at"])
    _event(ticket, "co_opinion", actor=actor, department=dispatch.department, note=dispatch.opinion)
    audit_record(actor=actor, action="ticket.co_opinion", target=ticket)
    return dispatch


@transaction.atomic
def ticket_respond(*, ticket: Ticket, actor: Any, response: str) -> Ticket:
    """The lead department answers the caller (答复); the 12345 office then calls back."""
    ticket = _locked(ticket)
    dispatch = _lead_dispatch(ticket, actor)
    response = response.strip()
    if not ticket.can_respond():
        raise DomainError("ticket.not_respondable", "该工单当前不能答复。", status=409)
    if len(response) < 10:
        raise DomainError(
            "ticket.response_short",
            "请写明办理结果（不少于 10 个字）。",
            problems=[FieldProblem("response", "too_short", "请写明办理结果。")],
        )
    if len(response) > DESCRIPTION_MAX:
        raise DomainError("ticket.response_long", f"答复不能超过 {DESCRIPTION_MAX} 个字。")
    now = clock.now()
    dispatch.state = DispatchState.DONE
    dispatch.signed_at = dispatch.signed_at or now
    dispatch.save(update_fields=["state", "signed_at", "updated_at"])
    ticket.response, ticket.responded_at, ticket.status = response, now, TicketStatus.RESPONDED
    ticket.save(update_fields=["response", "responded_at", "status", "updated_at"])
    _event(
        ticket,
        "respond",
        actor=actor,
        department=dispatch.department,
        public_note="承办单位已答复，等待回访。",
    )
    audit_record(
        actor=actor,
        action="ticket.respond",
        target=ticket,
        changes={"on_time": bool(ticket.due_on and now.date() <= ticket.due_on)},
    )
    return ticket


@transaction.atomic
def ticket_call_back(*, ticket: Ticket, actor: Any, satisfaction: int, note: str = "") -> Ticket:
    """The call-back (回访): the office asks the caller, or the caller answers online; the ticket closes."""
    ticket = _locked(ticket)
    own = ticket.caller_id is not None and getattr(actor, "pk", None) == ticket.caller_id
    if not own:
        operator_check(actor)
    if not ticket.can_call_back():
        raise DomainError("ticket.not_callable", "只有已答复的工单可以回访评价。", status=409)
    if satisfaction not in Satisfaction.values:
        raise DomainError("ticket.satisfaction", "请选择满意、基本满意或不满意。")
    now = clock.now()
    ticket.satisfaction, ticket.callback_note, ticket.callback_at = satisfaction, note.strip()[:500], now
    ticket.status, ticket.closed_at = TicketStatus.CLOSED, now
    ticket.save()
    label = Satisfaction(satisfaction).label
    _event(
        ticket,
        "call_back",
        actor=actor,
        note=ticket.callback_note,
        public_note=f"已回访，评价：{label}。办结。",
    )
    audit_record(
        actor=actor,
        action="ticket.call_back",
        target=ticket,
        changes={"satisfaction": satisfaction, "by_caller": own},
    )
    return ticket


@transaction.atomic
def ticket_merge(*, duplicate: Ticket, into: Ticket, actor: Any) -> Ticket:
    """Merge a duplicate request into the ticket already handling it (重复诉求并单): the duplicate closes and
    its caller is answered with the main ticket's response."""
    operator_check(actor)
    first, second = sorted([duplicate, into], key=lambda t: str(t.pk))
    _locked(first), _locked(second)
    duplicate, into = _locked(duplicate), _locked(into)
    if duplicate.pk == into.pk:
        raise DomainError("ticket.merge_self", "不能把工单并入自身。")
    if not duplicate.can_merge():
        raise DomainError("ticket.not_mergeable", "该工单已办结或已并单，不能再并单。", status=409)
    if into.status in (TicketStatus.MERGED, TicketStatus.CLOSED):
        raise DomainError("ticket.merge_target", "只能并入未办结的工单。", status=409)
    duplicate.dispatches.exclude(state=DispatchState.DONE).update(state=DispatchState.DONE)
    duplicate.status, duplicate.merged_into, duplicate.closed_at = TicketStatus.MERGED, into, clock.now()
    duplicate.save(update_fields=["status", "merged_into", "closed_at", "updated_at"])
    _event(duplicate, "merged", actor=actor, public_note=f"与工单 {into.number} 诉求相同，已并单办理。")
    _event(into, "merge", actor=actor, note=f"并入重复工单 {duplicate.number}")
    audit_record(actor=actor, action="ticket.merge", target=duplicate, changes={"into": into.number})
    return duplicate


@transaction.atomic
def tickets_escalate_overdue() -> int:
    """Mark every open ticket past its due date as escalated (督办), audit it and tell the supervisors."""
    today = clock.today()
    overdue = Ticket.objects.select_for_update(skip_locked=True).filter(
        status__in=OPEN_STATUSES, due_on__lt=today, escalated_at__isnull=True
    )
    count = 0
    for ticket in overdue:
        ticket.escalated_at = clock.now()
        ticket.save(update_fields=["escalated_at", "updated_at"])
        _event(
            ticket,
            "escalate",
            actor=None,
            department=ticket.lead_department,
            note=f"超过办理时限（{ticket.due_on}），已转电子监察督办。",
        )
        audit_record(
            actor=None, action="ticket.escalate", target=ticket, changes={"due_on": str(ticket.due_on)}
        )
        enqueue_in_transaction(ticket_escalation_notify, ticket_id=str(ticket.pk))
        count += 1
    return count


@transaction.atomic
def open311_client_register(*, actor: Any, name: str) -> tuple[Open311Client, str]:
    """Register an Open311 client: the api_key is shown once; only its SHA-256 is kept."""
    if actor is not None and not staff_is_platform_admin(user=actor):
        raise PermissionDenied("只有平台管理员可以登记 Open311 客户端。")
    name = name.strip()
    if not name or len(name) > 100:
        raise DomainError("open311.client_name", "请填写客户端名称（不超过 100 个字）。")
    key = secrets.token_urlsafe(32)
    client = Open311Client.objects.create(name=name, key_hash=hashlib.sha256(key.encode()).hexdigest())
    audit_record(actor=actor, action="open311_client.register", target=client)
    return client, key
