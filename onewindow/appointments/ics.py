"""The booking as an iCalendar (RFC 5545) event, for the applicant's phone calendar (OneGov's iCal)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from icalendar import Alarm, Calendar, Event

from onewindow.appointments.models import Booking
from onewindow.core import clock


def booking_ics(booking: Booking) -> bytes:
    """One VEVENT at the hall, with a reminder an hour before; no personal data beyond the booking code."""
    centre = booking.slot.line.centre
    calendar = Calendar()
    calendar.add("prodid", "-//onewindow//appointments//ZH")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"{booking.pk}@onewindow")
    event.add("dtstamp", clock.now())
    event.add("dtstart", booking.slot.starts_at)
    event.add("dtend", booking.slot.ends_at)
    event.add("summary", f"{centre.name} 预约办理（{booking.code}）")
    event.add("location", f"{centre.name} {centre.address}")
    services = "、".join(
        str(entry.item.published_version.name if entry.item.published_version else entry.item)
        for entry in booking.entries.all()
    )
    event.add(
        "description",
        f"预约号 {booking.code}：{services}。请携带身份证件，到达后在大厅取号机或“我的预约”页面取号。"
        f" 咨询电话 {centre.phone}。{settings.ONEWINDOW_SITE_NAME}",
    )
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"{centre.name} 预约办理")
    alarm.add("trigger", dt.timedelta(hours=-1))
    event.add_component(alarm)
    calendar.add_component(event)
    return calendar.to_ical()
