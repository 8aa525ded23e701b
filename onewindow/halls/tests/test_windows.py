"""Windows, opening hours and the duty roster: validated services, the holiday calendar, the workbench page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.core.errors import DomainError
from onewindow.halls import selectors, services
from onewindow.halls.models import Window, WindowDuty

pytestmark = pytest.mark.django_db


def test_a_window_serves_only_stationed_items(centre, stationing_a, item_a, department_b):
    from onewindow.catalogue.tests.factories import published_item

    other = published_item(department=department_b, name="医疗机构执业登记")
    with pytest.raises(DomainError) as refused:
        services.window_create(
            actor=None, centre=centre, number="01", label="综合", kind="comprehensive", items=[other]
        )
    assert refused.value.code == "window.item_not_stationed"
    window = services.window_create(
        actor=None, centre=centre, number="01", label="综合", kind="comprehensive", items=[item_a]
    )
    assert list(window.items.all()) == [item_a]


def test_a_department_window_needs_a_stationed_department(centre, stationing_a, department_b):
    with pytest.raises(DomainError) as refused:
        services.window_create(
            actor=None, centre=centre, number="05", label="卫健", kind="department", department=department_b
        )
    assert refused.value.code == "window.department_required"


def test_opening_hours_follow_the_holiday_calendar(centre):
    services.opening_periods_set(
        actor=None, centre=centre, periods=[(d, dt.time(9), dt.time(17)) for d in range(5)]
    )
    assert selectors.centre_opening_periods(centre=centre, day=dt.date(2026, 9, 30))  # a Wednesday
    assert not selectors.centre_opening_periods(centre=centre, day=dt.date(2026, 10, 1))  # National Day
    assert selectors.centre_opening_periods(
        centre=centre, day=dt.date(2026, 9, 20)
    )  # Sunday made a working day
    assert not selectors.centre_opening_periods(centre=centre, day=dt.date(2026, 10, 17))  # a plain Saturday


def test_overlapping_periods_are_refused(centre):
    with pytest.raises(DomainError):
        services.opening_periods_set(
            actor=None, centre=centre, periods=[(0, dt.time(9), dt.time(12)), (0, dt.time(11), dt.time(14))]
        )


def test_the_hall_page_saves_hours_windows_and_duty(
    centre, stationing_a, item_a, bureau_admin, window_clerk, client_as
):
    client = client_as(bureau_admin)
    base = reverse("halls_staff:hall", args=[centre.pk])
    assert client.get(base).status_code == 200
    client.post(reverse("halls_staff:hours_save", args=[centre.pk]), {"day_0": "09:00-12:00, 13:30-17:00"})
    assert centre.opening_periods.count() == 2
    client.post(
        reverse("halls_staff:window_add", args=[centre.pk]),
        {"number": "01", "label": "综合受理", "kind": "comprehensive", "items": [str(item_a.pk)]},
    )
    window = Window.objects.get()
    client.post(
        reverse("halls_staff:duty_add", args=[centre.pk, window.pk]),
        {"user": str(window_clerk.pk), "day": "2026-09-30"},
    )
    assert WindowDuty.objects.filter(window=window, user=window_clerk).exists()


def test_bad_hours_are_a_clear_message_and_nothing_changes(centre, bureau_admin, client_as):
    response = client_as(bureau_admin).post(
        reverse("halls_staff:hours_save", args=[centre.pk]), {"day_0": "nine to five"}, follow=True
    )
    assert "09:00-12:00" in response.content.decode() and centre.opening_periods.count() == 0


def test_a_clerk_cannot_change_the_hall(centre, window_clerk, client_as):
    client_as(window_clerk).post(
        reverse("halls_staff:hours_save", args=[centre.pk]), {"day_0": "09:00-12:00"}
    )
    assert centre.opening_periods.count() == 0


def test_the_public_page_shows_windows_and_hours(centre, stationing_a, item_a):
    services.opening_periods_set(actor=None, centre=centre, periods=[(1, dt.time(9), dt.time(17))])
    services.window_create(
        actor=None, centre=centre, number="01", label="综合受理", kind="comprehensive", items=[item_a]
    )
    body = Client().get(reverse("halls:centre", args=[centre.pk])).content.decode()
    assert "09:00–17:00" in body and "综合受理" in body
