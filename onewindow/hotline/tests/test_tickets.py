"""12345 tickets: intake, routing, the clock across the 2026 National Day, return and re-dispatch with the
clock rules, co-handlers, response, call-back, merging duplicates and escalation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection

from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.hotline import services
from onewindow.hotline.models import Channel, DispatchState, Ticket, TicketStatus
from onewindow.hotline.selectors import hotline_month_figures, route_for

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def call(operator, **fields):
    values = {
        "description": "工地每晚十一点后还在施工，噪音很大，影响休息。",
        "caller_name": "王小明",
        "caller_phone": "13912345678",
    } | fields
    return services.ticket_create(actor=operator, channel=Channel.PHONE, **values)


def test_phone_intake_keeps_the_caller_encrypted_and_numbers_the_ticket(at, operator):
    ticket = call(operator)
    assert ticket.number == "R2026092900001" and ticket.status == TicketStatus.RECEIVED
    with connection.cursor() as cursor:
        cursor.execute("SELECT caller_phone, caller_name FROM hotline_ticket")
        raw = cursor.fetchone()
    assert "13912345678" not in raw[0] and "王小明" not in raw[1]
    assert Ticket.objects.get(pk=ticket.pk).caller_phone == "13912345678"
    assert AuditEntry.objects.filter(action="ticket.create").count() == 1


def test_intake_refuses_bad_input_and_writes_nothing(at, operator):
    with pytest.raises(DomainError) as refused:
        call(operator, description="x" * 4001, caller_phone="12")
    assert {p.field for p in refused.value.problems} == {"description", "caller_phone"}
    assert not Ticket.objects.exists()


def test_only_the_office_takes_phone_calls(at, urban_clerk):
    with pytest.raises(DomainError) as refused:
        call(urban_clerk)
    assert refused.value.status == 403


def test_routing_rule_of_the_region_wins_over_the_catalogue_default(
    noise, urban, housing, environment, other_region
):
    assert route_for(category=noise, region=urban.region) == (urban, [housing])
    assert route_for(category=noise, region=other_region) == (environment, [])


def test_ticket_across_the_2026_national_day_is_due_in_working_days(at, operator, noise, urban, housing):
    at("2026-09-30")
    ticket = services.ticket_dispatch(
        ticket=call(operator), actor=operator, category=noise, region=urban.region
    )
    # Five working days after Wed 09-30, the holiday 10-01..10-07 skipped: 10-08, 10-09, 10-10 (make-up
    # Saturday), 10-12, 10-13.
    assert ticket.due_on == D("2026-10-13")
    assert ticket.lead_department == urban
    assert {(d.department, d.role) for d in ticket.dispatches.all()} == {(urban, "lead"), (housing, "co")}


def test_return_accepted_and_redispatched_restarts_the_clock_for_the_right_department(
    at, operator, office_head, noise, urban, environment, urban_clerk, env_clerk
):
    at("2026-09-30")
    ticket = services.ticket_dispatch(
        ticket=call(operator), actor=operator, category=noise, region=urban.region
    )
    at("2026-10-08")  # one working day after the dispatch: still inside the return window
    services.ticket_return(
        ticket=ticket, actor=urban_clerk, reason="工地噪音属生态环境部门职责，非城管受理范围。"
    )
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.RETURNED
    at("2026-10-09")
    ticket = services.ticket_return_decide(
        ticket=ticket, actor=office_head, accept=True, department=environment, note="经核，属生态环境局职责。"
    )
    # The days with the wrong department are not charged to the right one: 5 working days from 10-09.
    assert ticket.clock_start_on == D("2026-10-09") and ticket.due_on == D("2026-10-15")
    assert ticket.lead_department == environment and ticket.status == TicketStatus.DISPATCHED
    assert ticket.dispatches.get(department=urban, role="lead").state == DispatchState.RETURNED
    services.ticket_sign(ticket=ticket, actor=env_clerk)
    with pytest.raises(DomainError):  # the wrong department can no longer act on it
        services.ticket_respond(ticket=ticket, actor=urban_clerk, response="已处理完毕，工地已停工整改。")


def test_return_rejected_keeps_the_original_due_date(at, operator, office_head, noise, urban, urban_clerk):
    at("2026-09-30")
    ticket = services.ticket_dispatch(
        ticket=call(operator), actor=operator, category=noise, region=urban.region
    )
    at("2026-10-08")
    services.ticket_return(ticket=ticket, actor=urban_clerk, reason="不属于本单位职责范围。")
    at("2026-10-09")
    ticket = services.ticket_return_decide(
        ticket=ticket, actor=office_head, accept=False, note="城管负责夜间施工审批。"
    )
    assert ticket.due_on == D("2026-10-13") and ticket.lead_department == urban
    assert ticket.status == TicketStatus.DISPATCHED
    with pytest.raises(DomainError) as refused:  # a rejected return cannot be returned again
        services.ticket_return(ticket=ticket, actor=urban_clerk, reason="再次申请退单，理由同前。")
    assert refused.value.code == "ticket.not_returnable"


def test_a_late_return_is_refused(at, operator, noise, urban, urban_clerk):
    at("2026-09-29")
    ticket = services.ticket_dispatch(
        ticket=call(operator), actor=operator, category=noise, region=urban.region
    )
    at("2026-10-08")  # 09-30 and 10-08: two working days after the dispatch
    with pytest.raises(DomainError) as refused:
        services.ticket_return(ticket=ticket, actor=urban_clerk, reason="不属于本单位职责范围。")
    assert refused.value.code == "ticket.return_too_late"
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.DISPATCHED


def test_only_the_office_head_decides_a_return(at, operator, noise, urban, urban_clerk, environment):
    ticket = services.ticket_dispatch(
        ticket=call(operator), actor=operator, category=noise, region=urban.region
    )
    services.ticket_return(ticket=ticket, actor=urban_clerk, reason="不属于本单位职责范围。")
    with pytest.raises(DomainError) as refused:
        services.ticket_return_decide(
            ticket=ticket, actor=operator, accept=True, department=environment, note="改派"
        )
    assert refused.value.status == 403


def test_co_handler_opinion_response_and_call_back_close_the_ticket(
    at, operator, noise, urban, urban_clerk, housing_clerk
):
    ticket = services.ticket_dispatch(
        ticket=call(operator), actor=operator, category=noise, region=urban.region
    )
    services.ticket_sign(ticket=ticket, actor=urban_clerk)
    services.ticket_co_opinion(ticket=ticket, actor=housing_clerk, opinion="该工地夜间施工许可已过期。")
    at("2026-10-09")
    ticket = services.ticket_respond(
        ticket=ticket, actor=urban_clerk, response="已责令工地停止夜间施工，并立案处罚。"
    )
    assert ticket.status == TicketStatus.RESPONDED
    ticket = services.ticket_call_back(ticket=ticket, actor=operator, satisfaction=1, note="市民表示满意")
    assert ticket.status == TicketStatus.CLOSED and ticket.open311_status() == "closed"


def test_two_duplicate_requests_are_merged(at, operator, noise, urban, urban_clerk):
    first = services.ticket_dispatch(
        ticket=call(operator), actor=operator, category=noise, region=urban.region
    )
    second = call(
        operator,
        caller_name="李四",
        caller_phone="13800001111",
        description="同一个工地夜里施工，吵得睡不着。",
    )
    merged = services.ticket_merge(duplicate=second, into=first, actor=operator)
    assert merged.status == TicketStatus.MERGED and merged.merged_into == first
    assert list(first.duplicates.all()) == [merged]
    with pytest.raises(DomainError):
        services.ticket_merge(duplicate=merged, into=first, actor=operator)
    services.ticket_respond(ticket=first, actor=urban_clerk, response="已责令工地停止夜间施工，并立案处罚。")
    from onewindow.hotline.selectors import ticket_answer

    assert ticket_answer(Ticket.objects.get(pk=merged.pk)) == "已责令工地停止夜间施工，并立案处罚。"


def test_overdue_tickets_are_escalated_audited_and_supervisors_told(
    at, operator, noise, urban, hotline_supervisor, django_capture_on_commit_callbacks
):
    at("2026-09-30")
    ticket = services.ticket_dispatch(
        ticket=call(operator), actor=operator, category=noise, region=urban.region
    )
    at("2026-10-13")
    assert services.tickets_escalate_overdue() == 0  # due today: not late yet
    at("2026-10-14")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.tickets_escalate_overdue() == 1
    assert Ticket.objects.get(pk=ticket.pk).escalated_at is not None
    assert AuditEntry.objects.filter(action="ticket.escalate").count() == 1
    assert mail.outbox and mail.outbox[0].to == ["hotline_supervisor@example.gov.cn"]
    assert services.tickets_escalate_overdue() == 0  # once only


def test_month_figures_count_channels_categories_and_rates(at, operator, noise, urban, urban_clerk, citizen):
    at("2026-10-09")
    ticket = services.ticket_dispatch(
        ticket=call(operator), actor=operator, category=noise, region=urban.region
    )
    services.ticket_respond(ticket=ticket, actor=urban_clerk, response="已责令工地停止夜间施工，并立案处罚。")
    services.ticket_call_back(ticket=ticket, actor=operator, satisfaction=2)
    services.ticket_create(
        actor=citizen, caller=citizen, channel=Channel.WEB, description="路灯坏了好几天了，请尽快修理。"
    )
    figures = hotline_month_figures(year=2026, month=10)
    assert figures["received"] == 2 and figures["responded"] == 1
    assert (
        figures["response_rate"] == 50.0
        and figures["on_time_rate"] == 100.0
        and figures["satisfaction_rate"] == 100.0
    )
    assert {row["channel"]: row["count"] for row in figures["by_channel"]} == {"phone": 1, "web": 1}
    assert hotline_month_figures(year=2026, month=11)["received"] == 0
