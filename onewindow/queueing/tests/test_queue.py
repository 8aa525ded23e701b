"""Tickets: numbers per line and day, priority first, three calls then missed, transfer, the estimate and the
per-window statistics; the hall screen shows numbers and windows only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.core.errors import DomainError
from onewindow.halls import services as hall_services
from onewindow.queueing import selectors, services
from onewindow.queueing.models import Ticket, TicketStatus
from tests.factories import person

pytestmark = pytest.mark.django_db


def _issue(hall, **kwargs):
    return services.ticket_issue(line=hall.line, source="kiosk", **kwargs)


def test_numbers_count_up_per_line_and_never_repeat_in_a_day(hall):
    hall.line.last_number = 2
    hall.line.save()
    first, second = _issue(hall), _issue(hall)
    assert [first.display_number, second.display_number] == ["A001", "A002"]
    first.status = TicketStatus.DONE
    first.save()
    with pytest.raises(DomainError):
        _issue(hall)  # A001 is today's already: wrapping never reuses a number of the day


def test_a_full_range_of_open_numbers_is_refused(hall):
    hall.line.last_number = 1
    hall.line.save()
    _issue(hall)
    with pytest.raises(DomainError) as refused:
        _issue(hall)
    assert refused.value.code == "ticket.range_exhausted"


def test_priority_tickets_are_called_first(hall, window_clerk):
    first = _issue(hall)
    elderly = _issue(hall, priority="elderly")
    called = services.ticket_call_next(actor=window_clerk, window=hall.window_1)
    assert called.pk == elderly.pk
    assert selectors.ticket_wait_estimate(ticket=first).position == 1


def test_three_calls_then_missed(hall, window_clerk):
    _issue(hall)
    ticket = services.ticket_call_next(actor=window_clerk, window=hall.window_1)
    ticket = services.ticket_recall(actor=window_clerk, ticket=ticket, window=hall.window_1)
    ticket = services.ticket_recall(actor=window_clerk, ticket=ticket, window=hall.window_1)
    assert (ticket.status, ticket.calls) == (TicketStatus.CALLED, 3)
    ticket = services.ticket_recall(actor=window_clerk, ticket=ticket, window=hall.window_1)
    assert ticket.status == TicketStatus.MISSED


def test_only_staff_on_duty_call_at_a_window(hall, clerk_a):
    _issue(hall)
    with pytest.raises(DomainError) as refused:
        services.ticket_call_next(actor=clerk_a, window=hall.window_1)
    assert refused.value.status == 403


def test_a_transferred_ticket_waits_for_the_other_window_only(hall, window_clerk, bureau):
    from tests.factories import MembershipFactory, UserFactory

    other = MembershipFactory(user=UserFactory(username="clerk_02", is_staff=True), department=bureau).user
    hall_services.window_duty_set(actor=None, window=hall.window_2, user=other, day=dt.date(2026, 9, 29))
    _issue(hall)
    ticket = services.ticket_call_next(actor=window_clerk, window=hall.window_1)
    ticket = services.ticket_start(actor=window_clerk, ticket=ticket, window=hall.window_1)
    ticket = services.ticket_transfer(
        actor=window_clerk, ticket=ticket, window=hall.window_1, to_window=hall.window_2
    )
    assert ticket.status == TicketStatus.WAITING and ticket.transfers == 1
    assert services.ticket_call_next(actor=window_clerk, window=hall.window_1) is None
    assert services.ticket_call_next(actor=other, window=hall.window_2).pk == ticket.pk


def test_the_estimate_is_position_over_open_windows_times_average_handling(hall, settings):
    settings.ONEWINDOW_QUEUE_DEFAULT_HANDLING_MINUTES = 10
    tickets = [_issue(hall) for _ in range(3)]
    estimate = selectors.ticket_wait_estimate(ticket=tickets[2])
    assert (estimate.position, estimate.open_windows, estimate.minutes) == (3, 1, 30)


def test_window_statistics_count_served_and_average_times(hall, window_clerk, at):
    at("2026-09-29", 9)
    _issue(hall)
    at("2026-09-29", 10)
    ticket = services.ticket_call_next(actor=window_clerk, window=hall.window_1)
    services.ticket_start(actor=window_clerk, ticket=ticket, window=hall.window_1)
    at("2026-09-29", 11)
    services.ticket_finish(actor=window_clerk, ticket=ticket, window=hall.window_1)
    day = dt.date(2026, 9, 29)
    row = selectors.window_statistics(centre=hall.centre, day_from=day, day_to=day)[0]
    assert (row.served, row.average_wait_minutes, row.average_handling_minutes) == (1, 60.0, 60.0)


def test_the_hall_screen_shows_number_and_window_but_no_name(hall, window_clerk):
    citizen = person(1, name="张三")
    services.ticket_issue(line=hall.line, source="phone", person=citizen)
    services.ticket_call_next(actor=window_clerk, window=hall.window_1)
    board = Client().get(reverse("queueing:board", args=[hall.centre.pk])).content.decode()
    assert "A001" in board and "01" in board and "张三" not in board


def test_the_kiosk_issues_a_ticket_and_shows_the_estimate(hall):
    response = Client().post(
        reverse("queueing:take", args=[hall.centre.pk]), {"line": str(hall.line.pk), "priority": "disabled"}
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and ticket.priority == "disabled"
    page = Client().get(response["Location"]).content.decode()
    assert "A001" in page


def test_the_kiosk_without_a_line_says_so(hall):
    response = Client().post(reverse("queueing:take", args=[hall.centre.pk]), {})
    assert response.status_code == 400 and Ticket.objects.count() == 0


def test_the_calling_desk_calls_and_finishes(hall, window_clerk, client_as):
    _issue(hall)
    client = client_as(window_clerk)
    desk = reverse("queueing_staff:desk", args=[hall.window_1.pk])
    assert client.get(desk).status_code == 200
    client.post(reverse("queueing_staff:act", args=[hall.window_1.pk, "call"]))
    client.post(reverse("queueing_staff:act", args=[hall.window_1.pk, "start"]))
    client.post(reverse("queueing_staff:act", args=[hall.window_1.pk, "finish"]))
    assert Ticket.objects.get().status == TicketStatus.DONE


def test_another_clerk_cannot_open_the_desk(hall, clerk_a, client_as):
    assert client_as(clerk_a).get(reverse("queueing_staff:desk", args=[hall.window_1.pk])).status_code == 404


def test_the_board_query_count_does_not_grow(hall, django_assert_max_num_queries):
    for _ in range(10):
        _issue(hall)
    with django_assert_max_num_queries(8):
        Client().get(reverse("queueing:board", args=[hall.centre.pk]))


def test_the_api_takes_a_ticket_and_reads_it(hall):
    response = Client().post(
        f"/api/v1/queue/centres/{hall.centre.pk}/tickets",
        {"line_id": str(hall.line.pk)},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["number"] == "A001"
    assert Client().get(f"/api/v1/queue/tickets/{response.json()['id']}").json()["position"] == 1


def test_the_centre_admin_opens_a_line_and_a_bad_prefix_is_refused(hall, bureau_admin, client_as):
    client = client_as(bureau_admin)
    url = reverse("queueing_staff:lines", args=[hall.centre.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"name": "出件", "prefix": "C", "windows": [str(hall.window_2.pk)]})
    response = client.post(url, {"name": "坏的", "prefix": "9"}, follow=True)
    assert "号码前缀应为一至两个字母" in response.content.decode()
    assert sorted(line.prefix for line in hall.centre.queue_lines.all()) == ["A", "C"]


def test_taking_tickets_is_rate_limited_per_address(hall, settings):
    settings.ONEWINDOW_RATE_LIMITS = settings.ONEWINDOW_RATE_LIMITS | {"queue_ticket": (2, 3600)}
    url = reverse("queueing:take", args=[hall.centre.pk])
    codes = [Client().post(url, {"line": str(hall.line.pk)}).status_code for _ in range(3)]
    assert codes == [302, 302, 429] and Ticket.objects.count() == 2
