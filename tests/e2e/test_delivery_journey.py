"""Postal delivery in headless Chromium: the applicant chooses post (the address prefilled from the
profile); once the case is approved the window posts the result, the sandbox courier moves the parcel on,
and the tracking number and every status appear on the applicant's timeline until the case is delivered."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from onewindow.cases import services as case_services
from onewindow.cases.models import Case, CaseStatus, ConclusionCode
from onewindow.cases.tests.factories import case_in_state, case_item
from onewindow.organisations.models import Role
from tests.e2e.conftest import signed_in_page
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory, person

pytestmark = pytest.mark.browser
ADDRESS = "福州市鼓楼区五四路 100 号 3 栋 201"


@pytest.fixture
def setting(db):
    department = DepartmentFactory(name="福州市卫生健康委员会", short_name="市卫健委")
    clerk = MembershipFactory(
        user=UserFactory(username="window_clerk", name="陈窗口", is_staff=True),
        department=department,
        role=Role.WINDOW_CLERK,
    ).user
    approver = MembershipFactory(
        user=UserFactory(username="approver", name="林审批", is_staff=True),
        department=department,
        role=Role.APPROVER,
    ).user
    citizen = person(1, name="张三").user
    citizen.person.postal_address = ADDRESS
    citizen.person.save()
    case = case_in_state(
        "submitted", user=citizen, item=case_item(department=department, name="医师执业注册")
    )
    return citizen, clerk, approver, case


def test_the_applicant_chooses_post_and_follows_the_parcel(new_page, live_server, screenshot, setting):
    citizen, clerk, approver, case = setting
    page = signed_in_page(new_page, live_server, citizen)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    section = page.get_by_role("region", name="送达方式")
    section.get_by_role("radio", name="邮寄送达").check()
    expect(section.get_by_label("收件地址（邮寄送达时填写）")).to_have_value(ADDRESS)
    screenshot(page, "delivery-1-choice")
    section.get_by_role("button", name="保存送达方式").click()
    expect(page.get_by_role("region", name="送达方式")).to_contain_text(ADDRESS)

    accepted = case_services.case_accept(case=Case.objects.get(pk=case.pk), clerk=clerk).case
    case_services.case_conclude(
        case=accepted, actor=approver, code=ConclusionCode.APPROVED, result="医师执业证书"
    )

    staff = signed_in_page(new_page, live_server, clerk)
    staff.goto(f"{live_server.url}/workbench/delivery/")
    staff.get_by_role("button", name="寄出办理结果").click()
    for _ in range(4):  # picked up, in transit, out for delivery, delivered
        staff.get_by_role("button", name="推进物流状态（沙箱快递）").click()
    expect(staff.get_by_role("table")).to_contain_text("已送达")
    screenshot(staff, "delivery-2-staff-parcels")

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    timeline = page.get_by_role("region", name="办理进程")
    expect(timeline).to_contain_text("办理结果已交寄")
    expect(timeline).to_contain_text("已签收")
    screenshot(page, "delivery-3-tracking-on-timeline")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DELIVERED
