"""Bookings under the ZMS holds: slots from opening hours, reserve → preconfirm → confirm, capacity, the
booking window, cancelled places back only after 30 minutes, triage, no-shows, reminders, iCal, check-in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from onewindow.appointments import selectors, services
from onewindow.appointments.models import Booking, BookingStatus, Slot, TriageQuestion
from onewindow.appointments.tests.conftest import TOMORROW
from onewindow.core.errors import DomainError
from onewindow.identity.sms import SandboxSmsGateway
from onewindow.queueing.models import TicketSource

pytestmark = pytest.mark.django_db


def _book(user, slot, item, names=("张三",)):
    booking = services.booking_reserve(user=user, slot=slot, item=item)
    booking = services.booking_preconfirm(
        user=user, booking=booking, entries=[(item, n) for n in names], answers={}
    )
    return services.booking_confirm(user=user, booking=booking)


def test_slots_follow_the_opening_hours_and_skip_holidays(hall):
    # 09:00–12:00 and 13:30–17:00 in half hours: 6 + 7 slots on a working day; 2026-10-01 is National Day.
    assert Slot.objects.filter(line=hall.line, starts_at__date=TOMORROW).count() == 13
    created = services.slots_generate(
        actor=None, line=hall.line, day_from=TOMORROW, day_to=dt.date(2026, 10, 2), capacity=1
    )
    assert created == 0


def test_the_daily_job_over_the_booking_window_costs_a_few_statements_per_line_not_per_day(
    hall, django_assert_max_num_queries
):
    services.slots_generate_ahead()
    # The second run finds every slot there: the lines, then per line its windows, its week of opening hours
    # and its slots, and the working-day calendar once per year (the opening hours were read once per day
    # of the 60: 60 statements more).
    with django_assert_max_num_queries(10):
        assert services.slots_generate_ahead() == 0


def test_a_booking_is_reserved_preconfirmed_then_confirmed(citizen, slot, hall, at):
    booking = services.booking_reserve(user=citizen, slot=slot, item=hall.item)
    assert booking.status == BookingStatus.RESERVED
    assert booking.held_until == at("2026-09-29") + dt.timedelta(minutes=30)
    booking = services.booking_preconfirm(
        user=citizen, booking=booking, entries=[(hall.item, "张三")], answers={}
    )
    assert booking.held_until == at("2026-09-29") + dt.timedelta(minutes=60)
    assert services.booking_confirm(user=citizen, booking=booking).status == BookingStatus.CONFIRMED


def test_a_full_slot_is_refused(citizen, another_citizen, slot, hall):
    _book(citizen, slot, hall.item)
    with pytest.raises(DomainError) as refused:
        services.booking_reserve(user=another_citizen, slot=slot, item=hall.item)
    assert refused.value.code == "booking.slot_full"


def test_several_people_take_several_places(citizen, slot, hall):
    slot.capacity = 2
    slot.save()
    _book(citizen, slot, hall.item, names=("张三", "张小三"))
    assert selectors.slot_places_taken(slot=slot) == 2


def test_a_held_place_comes_back_when_the_hold_ends(citizen, another_citizen, slot, hall, at):
    services.booking_reserve(user=citizen, slot=slot, item=hall.item)
    at("2026-09-29", 11)  # past the 30-minute hold
    assert (
        services.booking_reserve(user=another_citizen, slot=slot, item=hall.item).status
        == BookingStatus.RESERVED
    )
    assert services.bookings_expire() == 1


def test_a_cancelled_place_comes_back_only_after_30_minutes(
    citizen, another_citizen, slot, hall, monkeypatch
):
    from onewindow.core import clock

    booking = _book(citizen, slot, hall.item)
    services.booking_cancel(user=citizen, booking=booking)
    with pytest.raises(DomainError) as refused:
        services.booking_reserve(user=another_citizen, slot=slot, item=hall.item)
    assert refused.value.code == "booking.slot_full"
    later = clock.now() + dt.timedelta(minutes=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert services.booking_reserve(user=another_citizen, slot=slot, item=hall.item)


def test_today_and_beyond_60_days_cannot_be_booked(citizen, hall, at):
    at("2026-09-30", 8)
    slot = Slot.objects.filter(line=hall.line).first()
    with pytest.raises(DomainError) as refused:
        services.booking_reserve(user=citizen, slot=slot, item=hall.item)
    assert refused.value.code == "booking.out_of_window"


def test_a_triage_stop_answer_refuses_with_its_advice(citizen, slot, hall):
    question = TriageQuestion.objects.create(
        item=hall.item,
        text="是否已在网上办理过？",
        stop_answer="yes",
        stop_message="已网上办理的无需到大厅。",
    )
    booking = services.booking_reserve(user=citizen, slot=slot, item=hall.item)
    with pytest.raises(DomainError) as refused:
        services.booking_preconfirm(
            user=citizen, booking=booking, entries=[(hall.item, "张三")], answers={str(question.pk): "yes"}
        )
    assert refused.value.message == "已网上办理的无需到大厅。"
    with pytest.raises(DomainError):
        services.booking_preconfirm(user=citizen, booking=booking, entries=[(hall.item, "张三")], answers={})


def test_three_no_shows_in_90_days_block_booking(citizen, hall, at, settings):
    slots = list(Slot.objects.filter(line=hall.line).order_by("starts_at"))
    slot_days = services.slots_generate(
        actor=None, line=hall.line, day_from=dt.date(2026, 10, 8), day_to=dt.date(2026, 10, 9), capacity=1
    )
    assert slot_days
    for slot in slots[:3]:
        _book(citizen, slot, hall.item)
    at("2026-09-30", 20)
    assert services.bookings_mark_no_show() == 3
    assert selectors.no_show_block_until(user=citizen) == dt.date(2026, 10, 30)
    later = Slot.objects.filter(line=hall.line, starts_at__date=dt.date(2026, 10, 8)).first()
    with pytest.raises(DomainError) as refused:
        services.booking_reserve(user=citizen, slot=later, item=hall.item)
    assert refused.value.code == "booking.blocked"


def test_the_reminder_sms_goes_the_day_before_once(citizen, slot, hall):
    booking = _book(citizen, slot, hall.item)
    assert services.booking_reminders_send() == 1
    text = SandboxSmsGateway.last_message(citizen.person.phone)
    assert booking.code in text and "09月30日 09:00" in text and "福州市民服务中心" in text
    assert services.booking_reminders_send() == 0


def test_the_calendar_file_holds_the_event(citizen, slot, hall, client_as):
    booking = _book(citizen, slot, hall.item)
    response = client_as(citizen).get(reverse("appointments:ics", args=[booking.pk]))
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in body and booking.code in body and "DTSTART" in body


def test_check_in_on_the_day_issues_a_ticket_carrying_the_booking(citizen, slot, hall, at):
    booking = _book(citizen, slot, hall.item)
    with pytest.raises(DomainError):
        services.booking_check_in(actor=citizen, booking=booking)
    at("2026-09-30", 9)
    booking = services.booking_check_in(actor=citizen, booking=booking, priority="elderly")
    ticket = booking.ticket
    assert booking.status == BookingStatus.CHECKED_IN
    assert (ticket.source, ticket.reference, ticket.item_id, ticket.priority) == (
        TicketSource.BOOKING,
        booking.code,
        hall.item.pk,
        "elderly",
    )


def test_another_citizens_booking_is_404(citizen, another_citizen, slot, hall, client_as):
    booking = _book(citizen, slot, hall.item)
    assert (
        client_as(another_citizen).get(reverse("appointments:booking", args=[booking.pk])).status_code == 404
    )


def test_staff_of_another_hall_get_403(citizen, clerk_b, slot, hall, client_as):
    booking = _book(citizen, slot, hall.item)
    assert client_as(clerk_b).get(reverse("appointments_staff:booking", args=[booking.pk])).status_code == 403


def test_the_window_files_the_case_prefilled_from_the_booking(citizen, window_clerk, slot, hall, client_as):
    booking = _book(citizen, slot, hall.item)
    client = client_as(window_clerk)
    response = client.post(
        reverse("appointments_staff:file_case", args=[booking.pk]), {"item": str(hall.item.pk)}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"?item={hall.item.pk}")
    page = client.get(response["Location"]).content.decode()
    assert "张" in page and "食品经营许可" in page


def test_the_booking_pages_walk_through(citizen, slot, hall, client_as):
    client = client_as(citizen)
    assert client.get(reverse("appointments:new") + f"?item={hall.item.pk}").status_code == 200
    response = client.post(reverse("appointments:new"), {"item": str(hall.item.pk), "slot": str(slot.pk)})
    booking = Booking.objects.get()
    assert response["Location"] == reverse("appointments:details", args=[booking.pk])
    client.post(response["Location"], {"name_0": "张三", "item_0": str(hall.item.pk)})
    client.post(reverse("appointments:act", args=[booking.pk, "confirm"]))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_a_bad_slot_id_is_a_clear_400(citizen, hall, client_as):
    response = client_as(citizen).post(
        reverse("appointments:new"), {"item": str(hall.item.pk), "slot": "nope"}
    )
    assert response.status_code == 400 and Booking.objects.count() == 0


def test_the_api_books_and_cancels(citizen, slot, hall, client_as):
    client = client_as(citizen)
    slots = client.get(f"/api/v1/appointments/slots?item_code={hall.item.implementation_code}").json()
    assert slots[0]["free"] == 1
    response = client.post(
        "/api/v1/appointments/bookings",
        {
            "slot_id": slots[0]["id"],
            "entries": [{"name": "张三", "item_code": hall.item.implementation_code}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["status"] == "preconfirmed"
    booking_id = response.json()["id"]
    assert client.post(f"/api/v1/appointments/bookings/{booking_id}/cancel").json()["status"] == "cancelled"


def test_the_api_refuses_an_unknown_item(citizen, client_as):
    assert client_as(citizen).get("/api/v1/appointments/slots?item_code=nope").status_code == 404


def test_the_hall_admin_generates_slots_and_others_are_refused(hall, client_as, bureau, clerk_b):
    from onewindow.organisations.models import Role
    from tests.factories import MembershipFactory, UserFactory

    admin = MembershipFactory(
        user=UserFactory(username="bureau_admin", is_staff=True),
        department=bureau,
        role=Role.DEPARTMENT_ADMIN,
    ).user
    url = reverse("appointments_staff:slots_generate", args=[hall.line.pk])
    assert client_as(admin).get(reverse("appointments_staff:bookings")).status_code == 200
    client_as(admin).post(
        url, {"day_from": "2026-10-08", "day_to": "2026-10-08", "minutes": "60", "capacity": "2"}
    )
    assert Slot.objects.filter(line=hall.line, starts_at__date=dt.date(2026, 10, 8), capacity=2).count() == 6
    assert client_as(clerk_b).post(url, {"day_from": "2026-10-09", "day_to": "2026-10-09"}).status_code == 404


def test_a_stop_answer_needs_its_advice(hall):
    with pytest.raises(DomainError) as refused:
        services.triage_question_save(
            actor=None, question=TriageQuestion(item=hall.item, text="已办过？", stop_answer="yes")
        )
    assert refused.value.code == "triage.stop_message_required" and TriageQuestion.objects.count() == 0
