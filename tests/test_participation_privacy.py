"""No public answer reveals a caller or an asker: every Open311 answer and every public page of the hotline
and consult apps is scanned for their names, phones and ID numbers — including identifiers the caller typed
into the description."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.consult import services as consult_services
from onewindow.hotline import services
from onewindow.hotline.models import Channel, DispatchCategory, HotlineOffice, Ticket
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory, person, valid_citizen_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_and_department(db):
    office = HotlineOffice.objects.create(department=DepartmentFactory(name="福州市12345便民服务平台"))
    operator = MembershipFactory(
        user=UserFactory(username="operator", is_staff=True), department=office.department
    ).user
    urban = DepartmentFactory(name="福州市城市管理委员会")
    urban_clerk = MembershipFactory(
        user=UserFactory(username="urban_clerk", is_staff=True), department=urban
    ).user
    noise = DispatchCategory.objects.create(
        code="CG-001", name="夜间施工噪音", group="城市管理", limit_days=5, lead_department=urban
    )
    return operator, noise, urban, urban_clerk


def test_no_public_answer_or_page_reveals_a_caller_or_asker(at, office_and_department):
    operator, noise, urban, urban_clerk = office_and_department
    citizen = person(7, name="欧阳娜娜")
    id_number = valid_citizen_id(7)
    api_key = services.open311_client_register(actor=None, name="随手拍")[1]
    secrets = [
        "欧阳娜娜",
        citizen.phone,
        id_number,
        "王小明",
        "13912345678",
        "13800001111",
        "诸葛孔明",
        "11010519491231002X",
    ]

    phone = services.ticket_create(
        actor=operator,
        channel=Channel.PHONE,
        caller_name="王小明",
        caller_phone="13912345678",
        description="我是王小明，电话13912345678，身份证11010519491231002X，工地夜间施工噪音扰民。",
    )
    services.ticket_dispatch(ticket=phone, actor=operator, category=noise, region=urban.region)
    services.ticket_respond(
        ticket=phone, actor=urban_clerk, response="已联系王小明，电话13912345678，工地已停工整改。"
    )
    services.ticket_create(
        actor=citizen.user,
        caller=citizen.user,
        channel=Channel.WEB,
        caller_phone=citizen.phone,
        description=f"欧阳娜娜反映：路灯损坏。联系 {citizen.phone}",
    )
    client = Client()
    client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "CG-001",
            "address_string": "五四路",
            "first_name": "孔明",
            "last_name": "诸葛",
            "phone": "13800001111",
            "description": "诸葛孔明举报噪音，手机13800001111。",
        },
    )
    department = DepartmentFactory()
    question = consult_services.question_ask(
        asker=citizen.user, title="办理需要多久", body="欧阳娜娜想问办理时限。", department=department
    )
    consult_services.complaint_submit(
        submitter=None,
        kind="complaint",
        body="窗口工作人员态度差，排队很久。",
        department=department,
        anonymous=True,
        contact="13800001111",
    )

    pages = [
        "/open311/v2/services.json",
        "/open311/v2/services/CG-001.json",
        "/open311/v2/requests.json",
        "/open311/v2/requests.json?status=closed",
        "/hotline/",
        "/hotline/statistics/",
        "/consult/complain/",
    ] + [f"/open311/v2/requests/{number}.json" for number in Ticket.objects.values_list("number", flat=True)]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for secret in secrets:
            assert secret not in body, (url, secret)
    assert question.pk  # the question exists, and no public page shows who asked it
