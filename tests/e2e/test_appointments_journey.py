"""A booked visit to the hall in headless Chromium: 张三 books 食品经营许可 at 福州市民服务中心, gets the SMS
reminder the day before, arrives and takes his ticket from the booking, is called on the hall screen to
window 01, and the window clerk files his case with applicant and item prefilled from the booking. Then a
cancelled slot: nobody can book it until the 30-minute hold has passed (against slot trading)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from onewindow.appointments import services as appointment_services
from onewindow.appointments.models import Booking, BookingStatus, Slot
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import PDF_BYTES, case_item, material_of
from onewindow.core import clock
from onewindow.halls import services as hall_services
from onewindow.identity.sms import SandboxSmsGateway
from onewindow.queueing.tests.factories import hall_build
from tests.e2e.conftest import PHONE, SCREENSHOTS, signed_in_page
from tests.factories import person

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "appointments"


@pytest.fixture
def hall(at, centre, department_a, window_clerk):
    item = case_item(department=department_a, name="食品经营许可")
    hall = hall_build(centre=centre, department=department_a, item=item, clerk=window_clerk)
    appointment_services.slots_generate(
        actor=None, line=hall.line, day_from=dt.date(2026, 9, 30), day_to=dt.date(2026, 9, 30), capacity=1
    )
    hall_services.window_duty_set(
        actor=None, window=hall.window_1, user=window_clerk, day=dt.date(2026, 9, 30)
    )
    return hall


def _shot(screenshot, page, name):
    path = screenshot(page, f"appointments-{name}")
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, DOCS / f"{name}.png")


def test_book_remind_arrive_ticket_call_and_file_the_case(
    new_page, live_server, screenshot, hall, window_clerk, at
):
    citizen = person(1, name="张三")
    page = signed_in_page(new_page, live_server, citizen.user, PHONE)
    page.goto(f"/appointments/new/?item={hall.item.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text("预约办理")
    _shot(screenshot, page, "01-choose-a-time")
    page.locator("input[name=slot]").first.check()
    page.get_by_role("button", name="预约该时段").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("办事人及办理事项")
    expect(page.get_by_label("第 1 位办事人姓名")).to_have_value("张三")
    _shot(screenshot, page, "02-details")
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="确认预约").click()
    expect(page.locator(".messages")).to_contain_text("预约已确认")
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.CONFIRMED
    _shot(screenshot, page, "03-confirmed")

    # The day before: the scheduler's reminder job sends the SMS through the sandbox gateway.
    assert appointment_services.booking_reminders_send() == 1
    sms = SandboxSmsGateway.last_message(citizen.phone)
    assert booking.code in sms and "09月30日 09:00" in sms and "福州市民服务中心" in sms

    # The day itself: 张三 is in the hall and takes his ticket from the booking.
    at("2026-09-30", 9)
    page.goto(f"/appointments/{booking.pk}/")
    page.get_by_role("button", name="我已到大厅，取号").click()
    expect(page.locator("#ticket-number")).to_have_text("A001")
    _shot(screenshot, page, "04-ticket")

    # The hall screen and the clerk's calling desk.
    screen = new_page({"width": 1920, "height": 1080})
    screen.goto(f"/queue/centres/{hall.centre.pk}/screen/")
    expect(screen.locator(".screen-side")).to_contain_text("A 综合业务：1")
    desk = signed_in_page(new_page, live_server, window_clerk)
    desk.goto(f"/workbench/queue/windows/{hall.window_1.pk}/")
    desk.get_by_role("button", name="呼叫下一位").click()
    expect(desk.locator(".queue-desk-number")).to_contain_text("A001")
    _shot(screenshot, desk, "05-calling-desk")
    expect(screen.locator(".screen-table")).to_contain_text("A001", timeout=8_000)  # htmx polls every 3 s
    expect(screen.locator(".screen-table")).to_contain_text("01 号窗口")
    assert "张三" not in screen.content()
    _shot(screenshot, screen, "06-hall-screen")
    page.reload()
    expect(page.locator(".queue-ticket-status")).to_contain_text("请到 01 号窗口")

    # At the window: open the booking and file the case, applicant and item prefilled.
    desk.get_by_role("button", name="已到窗口，开始办理").click()
    desk.get_by_role("link", name=re.compile(f"打开预约 {booking.code}")).click()
    _shot(screenshot, desk, "07-booking-at-the-window")
    desk.get_by_role("button", name="在窗口办理（预填）").click()
    expect(desk.locator("main")).to_contain_text("张三")
    expect(desk.locator("#id_item")).to_have_value(str(hall.item.pk))
    desk.get_by_label("申请人姓名").fill("张三")
    for key in ("id-card", "application-form"):
        desk.locator(f"#material-{material_of(hall.item, key).pk}").set_input_files(
            files=[{"name": f"{key}.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
        )
    _shot(screenshot, desk, "08-walk-in-prefilled")
    desk.locator(".walk-in-file button[type=submit]").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("食品经营许可")
    case = Case.objects.get(walk_in=True)
    assert case.applicant_id == citizen.pk and case.item_id == hall.item.pk


def test_a_cancelled_slot_is_bookable_again_only_after_the_hold(
    new_page, live_server, screenshot, hall, monkeypatch
):
    first, second = person(1, name="张三"), person(2, name="李四")
    slot = Slot.objects.filter(line=hall.line).order_by("starts_at").first()
    booking = appointment_services.booking_reserve(user=first.user, slot=slot, item=hall.item)
    booking = appointment_services.booking_preconfirm(
        user=first.user, booking=booking, entries=[(hall.item, "张三")], answers={}
    )
    appointment_services.booking_confirm(user=first.user, booking=booking)

    page = signed_in_page(new_page, live_server, first.user)
    page.goto(f"/appointments/{booking.pk}/")
    page.get_by_role("button", name="取消预约").click()
    expect(page.locator(".messages")).to_contain_text("预约已取消")

    other = signed_in_page(new_page, live_server, second.user)
    other.goto(f"/appointments/new/?item={hall.item.pk}&day=2026-09-30")
    expect(other.locator(f"input[value='{slot.pk}']")).to_have_count(0)
    _shot(screenshot, other, "09-cancelled-slot-held")

    later = clock.now() + dt.timedelta(minutes=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    other.reload()
    other.locator(f"input[value='{slot.pk}']").check()
    other.get_by_role("button", name="预约该时段").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("办事人及办理事项")
    assert Booking.objects.filter(slot=slot, user=second.user).exists()
    assert SCREENSHOTS.exists()


def test_the_hall_admin_sees_hours_windows_and_duty(new_page, live_server, screenshot, hall, bureau):
    from onewindow.organisations.models import Role
    from tests.factories import MembershipFactory, UserFactory

    admin = MembershipFactory(
        user=UserFactory(username="bureau_admin", name="管理员 周", is_staff=True),
        department=bureau,
        role=Role.DEPARTMENT_ADMIN,
    ).user
    page = signed_in_page(new_page, live_server, admin)
    page.goto(f"/workbench/halls/{hall.centre.pk}/hall/")
    expect(page.get_by_label("周一")).to_have_value("09:00-12:00, 13:30-17:00")
    expect(page.locator("main")).to_contain_text("01 号窗口")
    _shot(screenshot, page, "10-workbench-hall")
    page.goto("/workbench/appointments/?day=2026-09-30")
    expect(page.get_by_role("button", name="生成时段")).to_be_visible()
    _shot(screenshot, page, "11-workbench-appointments")
