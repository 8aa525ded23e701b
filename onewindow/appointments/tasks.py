"""Appointment jobs: expire unconfirmed holds, mark no-shows, remind the day before, keep slots generated."""

from __future__ import annotations

from django_tasks import task

from onewindow.appointments.services import (
    booking_reminders_send,
    bookings_expire,
    bookings_mark_no_show,
    slots_generate_ahead,
)


@task()
def bookings_expire_job() -> int:
    """Every 5 minutes: held bookings past their 30 / 60 minute hold expire."""
    return bookings_expire()


@task()
def bookings_no_show_job() -> int:
    """Hourly: confirmed bookings whose slot ended without a check-in are no-shows."""
    return bookings_mark_no_show()


@task()
def booking_reminders_job() -> int:
    """Hourly: the SMS reminder to tomorrow's bookings (once each)."""
    return booking_reminders_send()


@task()
def slots_generate_job() -> int:
    """Daily: every line's slots generated from its hall's opening hours up to 60 days ahead."""
    return slots_generate_ahead()
