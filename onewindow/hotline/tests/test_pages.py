"""The 12345 pages: a citizen files and follows a request; the office takes a call and dispatches; the
department signs, responds; the permission matrix (another citizen's ticket 404, another department's 403)."""

from __future__ import annotations

import pytest

from onewindow.hotline.models import Channel, Ticket, TicketStatus
from onewindow.hotline.services import ticket_create, ticket_dispatch, ticket_respond

pytestmark = pytest.mark.django_db


def test_a_citizen_files_follows_and_rates_a_request(
    at, citizen, another_citizen, client_as, operator, noise, urban, urban_clerk
):
    web = client_as(citizen)
    assert web.get("/hotline/new/").status_code == 200
    bad = web.post("/hotline/new/", {"kind": "help", "description": "", "caller_phone": "12"})
    assert (
        bad.status_code == 200 and "field-error" in bad.content.decode()
    ) or "errorlist" in bad.content.decode()
    assert not Ticket.objects.exists()
    response = web.post(
        "/hotline/new/",
        {"kind": "help", "description": "小区门口工地夜间施工噪音扰民。", "caller_phone": "13912345678"},
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Mobile",
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and ticket.channel == Channel.MOBILE and ticket.caller == citizen
    assert ticket.number in web.get("/hotline/mine/").content.decode()
    assert client_as(another_citizen).get(f"/hotline/{ticket.pk}/").status_code == 404
    ticket_dispatch(ticket=ticket, actor=operator, category=noise, region=urban.region)
    ticket_respond(ticket=ticket, actor=urban_clerk, response="已责令工地停止夜间施工，并立案处罚。")
    page = web.get(f"/hotline/{ticket.pk}/").content.decode()
    assert "已责令工地停止夜间施工" in page
    web.post(f"/hotline/{ticket.pk}/rate/", {"satisfaction": "1"})
    assert Ticket.objects.get().status == TicketStatus.CLOSED


def test_the_office_takes_a_call_and_dispatches(
    at, operator, client_as, noise, urban, urban_clerk, env_clerk
):
    office = client_as(operator)
    assert office.get("/workbench/hotline/").status_code == 200
    response = office.post(
        "/workbench/hotline/intake/",
        {
            "kind": "complaint",
            "description": "工地夜间施工噪音很大。",
            "caller_name": "王小明",
            "caller_phone": "13912345678",
            "region": str(urban.region.pk),
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and ticket.channel == Channel.PHONE
    page = office.get(f"/workbench/hotline/tickets/{ticket.pk}/").content.decode()
    assert "13912345678" in page and "夜间施工噪音" in page  # the operator sees the caller and the suggestion
    office.post(
        f"/workbench/hotline/tickets/{ticket.pk}/dispatch/",
        {"category": str(noise.pk), "region": str(urban.region.pk)},
    )
    assert Ticket.objects.get().lead_department == urban
    assert client_as(env_clerk).get(f"/workbench/hotline/tickets/{ticket.pk}/").status_code == 403
    department = client_as(urban_clerk)
    assert ticket.number in department.get("/workbench/hotline/?view=department").content.decode()
    department.post(f"/workbench/hotline/tickets/{ticket.pk}/sign/")
    department.post(
        f"/workbench/hotline/tickets/{ticket.pk}/respond/",
        {"response": "已责令工地停止夜间施工，并立案处罚。"},
    )
    assert Ticket.objects.get().status == TicketStatus.RESPONDED


def test_intake_is_for_the_office_only(at, urban_clerk, client_as):
    assert client_as(urban_clerk).get("/workbench/hotline/intake/").status_code == 403


def test_statistics_page_shows_the_month_figures(at, operator, client):
    at("2026-10-09")
    ticket_create(actor=operator, channel=Channel.PHONE, description="路灯坏了，请尽快修理。")
    page = client.get("/hotline/statistics/?year=2026&month=10").content.decode()
    assert "hotline-figures" in page
    assert client.get("/hotline/statistics/?year=abc&month=99").status_code == 200


def test_ticket_list_queries_do_not_grow_with_tickets(at, operator, client_as, django_assert_max_num_queries):
    office = client_as(operator)
    for n in range(30):
        ticket_create(actor=operator, channel=Channel.PHONE, description=f"第{n}条诉求：路灯坏了。")
    # A fixed budget whatever the number of tickets (the workbench menu's role checks included).
    with django_assert_max_num_queries(15):
        assert office.get("/workbench/hotline/").status_code == 200
