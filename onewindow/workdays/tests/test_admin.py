"""Calendar edits in the admin go through the services, so affected deadlines are recomputed and audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from onewindow.core.models import AuditEntry
from onewindow.workdays.models import CalendarDay
from onewindow.workdays.services import deadline_start

pytestmark = pytest.mark.django_db


def test_adding_a_holiday_moves_the_deadlines_it_touches(admin_client):
    deadline = deadline_start(label="测试", start_on=dt.date(2031, 3, 3), working_days=1)
    assert deadline.due_on == dt.date(2031, 3, 4)
    response = admin_client.post(
        reverse("admin:workdays_calendarday_add"),
        {
            "date": "2031-03-04",
            "kind": "holiday",
            "name": "临时假日",
            "source": "国办发明电〔2031〕1号",
        },
    )
    assert response.status_code == 302
    deadline.refresh_from_db()
    assert deadline.due_on == dt.date(2031, 3, 5)
    assert AuditEntry.objects.filter(action="calendar.day_set").exists()


def test_a_weekday_cannot_be_an_adjusted_working_day(admin_client):
    response = admin_client.post(
        reverse("admin:workdays_calendarday_add"),
        {
            "date": "2031-03-04",
            "kind": "workday",
            "name": "调休",
            "source": "国办发明电〔2031〕1号",
        },
    )
    assert response.status_code == 200
    assert "周一至周五" in response.context["adminform"].form.errors["kind"][0]
    assert not CalendarDay.objects.filter(date="2031-03-04").exists()


def test_deleting_a_day_goes_through_the_service(admin_client):
    day = CalendarDay.objects.create(date=dt.date(2031, 3, 4), kind="holiday", name="临时假日", source="测试")
    response = admin_client.post(reverse("admin:workdays_calendarday_delete", args=[day.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    assert AuditEntry.objects.filter(action="calendar.day_delete").exists()


def test_deadlines_are_read_only(admin_client):
    assert admin_client.get(reverse("admin:workdays_deadline_add")).status_code == 403
