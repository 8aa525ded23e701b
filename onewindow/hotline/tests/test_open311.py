"""Open311 GeoReport v2: an Open311 client's flow (services, create, list, get), the spec's limits and error
format, and no 500 on bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from onewindow.hotline import services
from onewindow.hotline.models import Channel, Ticket

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


@pytest.fixture
def api_key(db):
    return services.open311_client_register(actor=None, name="市民随手拍 App")[1]


def test_an_open311_client_creates_lists_and_gets_a_request(at, api_key, noise, operator, urban, urban_clerk):
    client = Client()
    listed = client.get(f"{BASE}/services.json").json()
    assert {
        "service_code": "CG-001",
        "service_name": "夜间施工噪音",
        "metadata": False,
        "type": "realtime",
    }.items() <= listed[0].items()
    assert client.get(f"{BASE}/services/CG-001.json").json() == {"service_code": "CG-001", "attributes": []}

    created = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": api_key,
            "service_code": "CG-001",
            "lat": "26.074500",
            "long": "119.296500",
            "description": "鼓楼区某工地凌晨施工，噪音扰民。",
            "first_name": "小明",
            "last_name": "王",
            "phone": "13912345678",
        },
    )
    assert created.status_code == 200, created.content
    number = created.json()[0]["service_request_id"]
    ticket = Ticket.objects.get(number=number)
    assert ticket.channel == Channel.OPEN311 and ticket.category == noise and ticket.caller_name == "王小明"

    at("2026-09-30")
    services.ticket_dispatch(ticket=ticket, actor=operator, category=noise, region=urban.region)
    got = client.get(f"{BASE}/requests/{number}.json").json()
    assert len(got) == 1
    assert got[0]["status"] == "open" and got[0]["agency_responsible"] == urban.name
    assert got[0]["expected_datetime"].startswith("2026-10-13T23:59:59")
    assert got[0]["status_notes"] == f"已派至{urban.name}办理。"

    services.ticket_respond(ticket=ticket, actor=urban_clerk, response="已责令工地停止夜间施工，并立案处罚。")
    listed = client.get(f"{BASE}/requests.json", {"service_code": "CG-001", "status": "closed"}).json()
    assert [r["service_request_id"] for r in listed] == [number]
    assert (
        listed[0]["status_notes"] == "已责令工地停止夜间施工，并立案处罚。"
        and listed[0]["expected_datetime"] is None
    )


def test_post_needs_a_registered_api_key(at, noise):
    client = Client()
    body = {"service_code": "CG-001", "address_string": "鼓楼区五四路", "description": "噪音扰民，请处理。"}
    missing = client.post(f"{BASE}/requests.json", body)
    assert missing.status_code == 401 and missing.json()[0]["code"] == 401
    wrong = client.post(f"{BASE}/requests.json", body | {"api_key": "guess"})
    assert wrong.status_code == 403
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"service_code": "NOPE", "address_string": "五四路", "description": "噪音扰民"}, 404),
        ({"service_code": "CG-001", "description": "没有位置"}, 400),
        ({"service_code": "CG-001", "lat": "abc", "long": "1", "description": "坐标错误"}, 400),
        ({"service_code": "CG-001", "lat": "NaN", "long": "1", "description": "坐标错误"}, 400),
        ({"service_code": "CG-001", "address_string": "五四路", "description": "x" * 4001}, 400),
        ({"address_string": "五四路", "description": "噪音"}, 400),
    ],
)
def test_bad_requests_answer_open311_errors_and_write_nothing(at, api_key, noise, fields, status):
    response = Client().post(f"{BASE}/requests.json", fields | {"api_key": api_key})
    assert response.status_code == status
    error = response.json()[0]
    assert error["code"] == status and error["description"]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"start_date": "yesterday"},
        {"end_date": "2026-13-01"},
        {"status": "pending"},
        {"start_date": "2026-10-01T00:00:00Z", "end_date": "2026-09-01T00:00:00Z"},
    ],
)
def test_bad_list_queries_are_400(at, query):
    response = Client().get(f"{BASE}/requests.json", query)
    assert response.status_code == 400 and response.json()[0]["code"] == 400


def test_unknown_request_and_xml_format(at):
    assert Client().get(f"{BASE}/requests/R0.json").status_code == 404
    response = Client().get(f"{BASE}/services.xml")
    assert response.status_code == 400 and response.json()[0]["code"] == 400


def test_lists_are_capped_at_90_days(at, operator, monkeypatch):
    old = services.ticket_create(
        actor=operator, channel=Channel.PHONE, description="很久以前的诉求，已办结。"
    )
    Ticket.objects.filter(pk=old.pk).update(received_at=old.received_at - dt.timedelta(days=120))
    recent = services.ticket_create(actor=operator, channel=Channel.PHONE, description="最近的诉求，办理中。")
    client = Client()
    assert [r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()] == [recent.number]
    wide = client.get(f"{BASE}/requests.json", {"start_date": "2026-01-01T00:00:00+08:00"}).json()
    assert [r["service_request_id"] for r in wide] == [recent.number]  # a wider window is cut to 90 days
    from onewindow.hotline import selectors

    monkeypatch.setattr(selectors, "OPEN311_MAX_REQUESTS", 1)
    services.ticket_create(actor=operator, channel=Channel.PHONE, description="第三条诉求，办理中。")
    assert len(client.get(f"{BASE}/requests.json").json()) == 1


def test_open311_is_rate_limited_like_other_public_look_ups(at, settings):
    settings.ONEWINDOW_RATE_LIMITS = settings.ONEWINDOW_RATE_LIMITS | {"public_lookup": (2, 60)}
    client = Client()
    assert client.get(f"{BASE}/services.json").status_code == 200
    assert client.get(f"{BASE}/services.json").status_code == 200
    limited = client.get(f"{BASE}/services.json")
    assert limited.status_code == 429 and limited.json()[0]["code"] == 429 and limited["Retry-After"]
