"""The hall benchmark (issue #16): queue tickets issued, called and served per second at one hall, the hall
screen's board, the free slots of an item, and bookings (reserve → details → confirm) per second.

    .venv/bin/python bench/queueing.py --db sqlite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qbench .venv/bin/python bench/queueing.py --db postgresql

Migrates a fresh database and loads the demo (福州市民服务中心 with its windows, lines and generated slots),
then measures through the services and the public board page. Figures go to
bench/results/queueing-<db>.json (see bench/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cases import _prepare, _summary  # noqa: E402
from bench.run import RESULTS, _database, _machine  # noqa: E402


def _timed(operation, count: int) -> dict[str, object]:
    times: list[float] = []
    started = time.perf_counter()
    for n in range(count):
        t0 = time.perf_counter()
        operation(n)
        times.append((time.perf_counter() - t0) * 1000)
    return _summary(times, time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "onewindow-queue-bench"
    )
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--bookings", type=int, default=100)
    args = parser.parse_args()
    _prepare(args.db, args.data_dir, fresh=True, sqlite_name="queue-bench.sqlite3")

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from onewindow.appointments import selectors as appointment_selectors
    from onewindow.appointments import services as appointment_services
    from onewindow.core import clock
    from onewindow.halls.models import ServiceCentre, WindowDuty
    from onewindow.identity.services.people import person_create
    from onewindow.queueing import services
    from onewindow.queueing.models import TicketSource

    seed_started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("demo", stdout=io.StringIO())
    seed_seconds = round(time.perf_counter() - seed_started, 1)
    centre = ServiceCentre.objects.get(name="福州市民服务中心")
    line = centre.queue_lines.get(prefix="A")
    duty = WindowDuty.objects.select_related("window", "user").get(window__number="01", day=clock.today())
    window, clerk = duty.window, duty.user
    line.last_number = 9999
    line.save(update_fields=["last_number"])

    results: dict[str, object] = {
        "machine": _machine(),
        "database": _database(),
        "seed_seconds": seed_seconds,
    }
    results["ticket_issue"] = _timed(
        lambda n: services.ticket_issue(line=line, source=TicketSource.KIOSK), args.tickets
    )

    def serve(_n: int) -> None:
        ticket = services.ticket_call_next(actor=clerk, window=window)
        services.ticket_start(actor=clerk, ticket=ticket, window=window)
        services.ticket_finish(actor=clerk, ticket=ticket, window=window)

    results["ticket_call_start_finish"] = _timed(serve, args.tickets // 2)
    client = Client()
    results["hall_board_page"] = _timed(
        lambda n: client.get(f"/queue/centres/{centre.pk}/screen/board/"), 100
    )
    item = next(iter(appointment_selectors.bookable_items()))
    results["bookable_slots"] = _timed(lambda n: appointment_selectors.bookable_slots(item=item), 50)
    slots = [s for s in appointment_selectors.bookable_slots(item=item, limit=args.bookings * 2)]
    people = [
        person_create(name=f"预约{n}", phone=f"1370{n:07d}", password=None).user for n in range(args.bookings)
    ]

    def book(n: int) -> None:
        slot = slots[n % len(slots)]
        booking = appointment_services.booking_reserve(user=people[n], slot=slot, item=item)
        booking = appointment_services.booking_preconfirm(
            user=people[n], booking=booking, entries=[(item, f"预约{n}")], answers=_answers(item)
        )
        appointment_services.booking_confirm(user=people[n], booking=booking)

    def _answers(item):  # type: ignore[no-untyped-def]
        questions = appointment_selectors.triage_questions(items=[item])
        return {str(q.pk): ("yes" if q.stop_answer == "no" else "no") for q in questions}

    results["booking_reserve_details_confirm"] = _timed(book, min(args.bookings, len(slots)))
    results["measured_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"queueing-{args.db}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(out.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
