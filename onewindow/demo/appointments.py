"""Demo windows, opening hours, duty roster, queue lines, slots, triage questions, bookings and today's
tickets at 福州市民服务中心, read from ``appointments.json`` and created through the halls, queueing and
appointments services like real data. Slots are generated from the opening hours by the same service the
daily job runs. Only what is missing is created: a centre that already has windows is left alone."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from onewindow.appointments import services as appointment_services
from onewindow.appointments.models import Slot, TriageQuestion
from onewindow.catalogue.models import Item
from onewindow.core import clock
from onewindow.halls import services as hall_services
from onewindow.halls.models import ServiceCentre, StationedItem, StationingMode
from onewindow.identity.services.people import person_by_identifier
from onewindow.organisations.models import Department
from onewindow.queueing import services as queue_services
from onewindow.queueing.models import TicketSource
from onewindow.workdays.calendar import WorkCalendar

DATA_FILE = Path(__file__).with_name("appointments.json")


def _item(departments: dict[str, Department], spec: dict[str, Any]) -> Item:
    return Item.objects.get(department=departments[spec["department"]], basic__basic_code=spec["basic_code"])


def _windows_items(centre: ServiceCentre, spec: dict[str, Any], department: Department | None) -> list[Item]:
    rows = StationedItem.objects.filter(stationing__centre=centre).select_related("item")
    if spec["items"] == "comprehensive":
        rows = rows.filter(stationing__mode=StationingMode.COMPREHENSIVE)
    else:
        rows = rows.filter(stationing__department=department)
    return [row.item for row in rows]


def appointments_demo_load(*, departments: dict[str, Department]) -> dict[str, int]:
    """Create the hall's windows, lines, slots and a few bookings; return how many of each."""
    created = {"windows": 0, "slots": 0, "bookings": 0, "tickets": 0}
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    centre = ServiceCentre.objects.filter(name=data["centre"]).first()
    if centre is None or centre.windows.exists():
        return created
    hall_services.opening_periods_set(
        actor=None,
        centre=centre,
        periods=[
            (day, dt.time.fromisoformat(p["opens"]), dt.time.fromisoformat(p["closes"]))
            for p in data["opening_periods"]
            for day in p["weekdays"]
        ],
    )
    windows = {}
    for spec in data["windows"]:
        department = departments[spec["department"]] if spec.get("department") else None
        windows[spec["number"]] = hall_services.window_create(
            actor=None,
            centre=centre,
            number=spec["number"],
            label=spec["label"],
            kind=spec["kind"],
            department=department,
            items=_windows_items(centre, spec, department),
        )
        created["windows"] += 1
    users = get_user_model().objects
    for spec in data["duty"]:
        for offset in range(spec["days_ahead"] + 1):
            hall_services.window_duty_set(
                actor=None,
                window=windows[spec["window"]],
                user=users.get(username=spec["username"]),
                day=clock.today() + dt.timedelta(days=offset),
            )
    lines = {
        spec["prefix"]: queue_services.queue_line_create(
            actor=None,
            centre=centre,
            name=spec["name"],
            prefix=spec["prefix"],
            windows=[windows[number] for number in spec["windows"]],
            first_number=spec["first_number"],
            last_number=spec["last_number"],
        )
        for spec in data["lines"]
    }
    created["slots"] = appointment_services.slots_generate_ahead()
    questions: dict[Any, list[TriageQuestion]] = {}
    for spec in data["triage"]:
        item = _item(departments, spec)
        questions[item.pk] = [
            appointment_services.triage_question_save(
                actor=None,
                question=TriageQuestion(
                    item=item,
                    position=n,
                    text=q["text"],
                    stop_answer=q["stop_answer"],
                    stop_message=q["stop_message"],
                ),
            )
            for n, q in enumerate(spec["questions"])
        ]
    calendar = WorkCalendar()
    for spec in data["bookings"]:
        person = person_by_identifier(spec["phone"])
        item = _item(departments, spec)
        day = calendar.add_working_days(clock.today(), spec["working_days_ahead"]).date
        start = dt.datetime.combine(
            day, dt.time.fromisoformat(spec["time"]), tzinfo=timezone.get_current_timezone()
        )
        slot = (
            Slot.objects.filter(line__centre=centre, line__windows__items=item, starts_at=start)
            .distinct()
            .first()
        )
        if person is None or slot is None:
            continue
        booking = appointment_services.booking_reserve(user=person.user, slot=slot, item=item)
        answers = {str(q.pk): a for q, a in zip(questions.get(item.pk, []), spec["answers"], strict=False)}
        booking = appointment_services.booking_preconfirm(
            user=person.user,
            booking=booking,
            entries=[(item, name) for name in spec["people"]],
            answers=answers,
        )
        if spec["confirm"]:
            booking = appointment_services.booking_confirm(user=person.user, booking=booking)
        if spec.get("cancel"):
            appointment_services.booking_cancel(user=person.user, booking=booking)
        created["bookings"] += 1
    for spec in data["tickets_today"]:
        queue_services.ticket_issue(
            line=lines[spec["line"]], source=TicketSource.KIOSK, priority=spec["priority"]
        )
        created["tickets"] += 1
    return created
