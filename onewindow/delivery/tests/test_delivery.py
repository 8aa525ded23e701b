"""Postal delivery: the applicant chooses post (address prefilled from the profile), the result is posted
through the courier, tracking updates land on the timeline in order (late and repeated ones ignored), a
signed-for parcel delivers the case; materials posted to the hall are signed for; forged pushes refused."""

from __future__ import annotations

import hashlib
import json
import urllib.parse

import pytest

from onewindow.cases import services as case_services
from onewindow.cases.models import CaseStatus, ConclusionCode, DeliveryMethod, EventAction
from onewindow.cases.tests.factories import case_in_state, case_item
from onewindow.core.errors import DomainError
from onewindow.core.plugins import plugin
from onewindow.delivery import services
from onewindow.delivery.couriers import Kuaidi100Courier, UpdateRefused
from onewindow.delivery.models import Shipment, ShipmentStatus
from onewindow.organisations.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
ADDRESS = "福州市鼓楼区五四路 100 号"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def approver_a(department_a):
    return MembershipFactory(
        user=UserFactory(username="approver_a", is_staff=True), department=department_a, role=Role.APPROVER
    ).user


@pytest.fixture
def concluded(citizen, department_a, clerk_a, approver_a, at):
    case = case_in_state(
        "accepted", user=citizen, item=case_item(department=department_a, name="执业登记"), clerk=clerk_a
    )
    case_services.case_delivery_choose(case=case, user=citizen, method=DeliveryMethod.POST, address=ADDRESS)
    return case_services.case_conclude(
        case=case, actor=approver_a, code=ConclusionCode.APPROVED, result="执业证书"
    )


def _push(shipment: Shipment, status: str, description: str = "") -> int:
    headers, body = plugin("courier").push(
        tracking_number=shipment.tracking_number, status=status, description=description
    )
    return services.shipment_updates_receive(courier_name="sandbox", headers=headers, body=body)


def test_the_case_page_offers_post_with_the_profile_address(client_as, citizen, department_a):
    citizen.person.postal_address = ADDRESS
    citizen.person.save()
    case = case_in_state("draft", user=citizen, item=case_item(department=department_a, name="执业登记"))
    page = client_as(citizen).get(f"/cases/{case.pk}/").content.decode()
    assert "送达方式" in page and ADDRESS in page
    response = client_as(citizen).post(
        f"/delivery/cases/{case.pk}/choice/", {"method": "post", "address": ADDRESS}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.delivery_method, case.delivery_address) == ("post", ADDRESS)


def test_post_without_an_address_is_refused(citizen, department_a):
    case = case_in_state("draft", user=citizen, item=case_item(department=department_a, name="执业登记"))
    with pytest.raises(DomainError) as refused:
        case_services.case_delivery_choose(case=case, user=citizen, method="post", address=" ")
    assert refused.value.code == "delivery_address_required"


def test_the_result_is_posted_and_tracked_on_the_timeline_until_delivered(concluded, clerk_a):
    shipment = services.shipment_send(case=concluded, actor=clerk_a)
    assert shipment.tracking_number.startswith("SBX") and shipment.address == ADDRESS
    assert _push(shipment, ShipmentStatus.PICKED_UP, "福州鼓楼营业部已揽收") == 1
    assert _push(shipment, ShipmentStatus.IN_TRANSIT) == 1
    assert _push(shipment, ShipmentStatus.PICKED_UP, "迟到的揽收") == 0  # out of order
    assert _push(shipment, ShipmentStatus.OUT_FOR_DELIVERY) == 1
    assert _push(shipment, ShipmentStatus.DELIVERED, "本人签收") == 1
    assert _push(shipment, ShipmentStatus.EXCEPTION) == 0  # after the end
    shipment.refresh_from_db()
    concluded.refresh_from_db()
    assert shipment.status == ShipmentStatus.DELIVERED
    assert concluded.status == CaseStatus.DELIVERED and concluded.tracking_number == shipment.tracking_number
    notes = list(concluded.events.filter(action=EventAction.SHIPMENT).values_list("note", flat=True))
    assert len(notes) == 5 and "福州鼓楼营业部已揽收" in notes[1] and "已签收" in notes[-1]


def test_a_problem_then_recovery_moves_on(concluded, clerk_a, at):
    shipment = services.shipment_send(case=concluded, actor=clerk_a)
    _push(shipment, ShipmentStatus.IN_TRANSIT)
    assert _push(shipment, ShipmentStatus.EXCEPTION, "地址不详") == 1
    at("2026-09-29", hour=11)  # the courier's next report comes later
    assert _push(shipment, ShipmentStatus.IN_TRANSIT, "已联系收件人") == 1
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.IN_TRANSIT


def test_only_a_postal_choice_is_posted_and_only_once(concluded, clerk_a, clerk_b):
    with pytest.raises(DomainError) as refused:
        services.shipment_send(case=concluded, actor=clerk_b)
    assert refused.value.status == 403
    services.shipment_send(case=concluded, actor=clerk_a)
    with pytest.raises(DomainError) as refused:
        services.shipment_send(case=concluded, actor=clerk_a)
    assert refused.value.code == "delivery.already_sent"


def test_a_forged_push_is_refused(client, concluded, clerk_a):
    shipment = services.shipment_send(case=concluded, actor=clerk_a)
    headers, body = plugin("courier").push(
        tracking_number=shipment.tracking_number, status="delivered", description=""
    )
    response = client.post(
        "/delivery/notify/sandbox/",
        data=body,
        content_type="application/json",
        headers={"Sandbox-Signature": "0" * 64},
    )
    assert response.status_code == 401
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.CREATED
    ok = client.post("/delivery/notify/sandbox/", data=body, content_type="application/json", headers=headers)
    assert ok.status_code == 200 and ok.json()["result"] is True


def test_materials_posted_to_the_hall_are_signed_for(citizen, department_a, clerk_a, clerk_b, at):
    case = case_in_state("submitted", user=citizen, item=case_item(department=department_a, name="执业登记"))
    shipment = services.inbound_shipment_register(
        case=case, user=citizen, courier_label="EMS", tracking_number="1100000000000"
    )
    with pytest.raises(DomainError):
        services.inbound_shipment_receive(shipment=shipment, actor=clerk_b)
    shipment = services.inbound_shipment_receive(shipment=shipment, actor=clerk_a)
    assert shipment.status == ShipmentStatus.DELIVERED and shipment.received_by == clerk_a
    actions = list(case.events.values_list("action", flat=True))
    assert EventAction.MATERIALS_POSTED in actions and EventAction.MATERIALS_RECEIVED in actions


def test_kuaidi100_pushes_are_verified_and_normalised():
    courier = Kuaidi100Courier(key="k", secret="s", salt="salty", company="ems", callback_url="https://x/")
    param = json.dumps(
        {
            "status": "polling",
            "lastResult": {
                "nu": "EMS1",
                "state": "5",
                "data": [{"context": "派件中", "ftime": "2026-09-29 10:00:00"}],
            },
        },
        ensure_ascii=False,
    )
    sign = hashlib.md5((param + "salty").encode()).hexdigest().upper()  # noqa: S324 (快递100's scheme)
    body = urllib.parse.urlencode({"param": param, "sign": sign}).encode()
    [update] = courier.updates_parse(headers={}, body=body)
    assert (update.tracking_number, update.status, update.description) == (
        "EMS1",
        "out_for_delivery",
        "派件中",
    )
    forged = urllib.parse.urlencode({"param": param, "sign": "0" * 32}).encode()
    with pytest.raises(UpdateRefused):
        courier.updates_parse(headers={}, body=forged)
