"""The hall demo: windows and lines at 福州市民服务中心, slots generated from its opening hours, bookings made
through the services, and tickets waiting today."""

from __future__ import annotations

import pytest

from onewindow.appointments.models import Booking, BookingStatus, Slot, TriageQuestion
from onewindow.halls.models import ServiceCentre
from onewindow.queueing.models import Ticket

pytestmark = pytest.mark.django_db


def test_the_hall_has_windows_lines_and_generated_slots(demo):
    centre = ServiceCentre.objects.get(name="福州市民服务中心")
    assert {w.number for w in centre.windows.all()} == {"01", "02", "03", "11"}
    assert {line.prefix for line in centre.queue_lines.all()} == {"A", "B"}
    assert Slot.objects.filter(line__centre=centre).count() > 100
    assert TriageQuestion.objects.count() == 4


def test_the_demo_bookings_and_tickets_exist(demo):
    statuses = sorted(Booking.objects.values_list("status", flat=True))
    assert statuses == sorted([BookingStatus.CONFIRMED, BookingStatus.CONFIRMED, BookingStatus.CANCELLED])
    assert Ticket.objects.filter(priority="elderly").count() == 1
