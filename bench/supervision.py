"""The e-supervision scan benchmark (issue #15): its cost as the cases grow, when nothing is due and when a
fixed number of cases is due.

    createdb -h 127.0.0.1 -U postgres ow_supervision_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_supervision_bench \\
        .venv/bin/python bench/supervision.py --db postgresql --sizes 100000,300000,1000000

The demo is loaded, then cases are added with bench.seed's ``seed_cases`` up to each size. Their clocks are then
moved so that nothing is due (open cases due in a year, pre-reviews and deliveries done): the scan must find
nothing from its indexed due dates, whatever the number of cases. Then ``--due`` cases are made overdue and
the scan is timed again (raising their cards the first time, finding them already raised after). Figures go to
bench/results/supervision-<db>.json after each size, so a run stopped early keeps what it measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cases import _prepare  # noqa: E402
from bench.run import RESULTS, _database, _machine  # noqa: E402

FAR = dt.date(2099, 1, 1)


def _nothing_due() -> None:
    """Every clock moved past the scan's horizon: the cases stay, nothing is due."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE workdays_deadline SET due_on = %s WHERE due_on < %s", [FAR, FAR])
        cursor.execute("UPDATE cases_case SET intake_due_on = %s WHERE status = 'submitted'", [FAR])
        cursor.execute(
            "UPDATE cases_case SET delivered_at = concluded_at WHERE status = 'concluded' AND delivered_at IS NULL"
        )
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _make_due(count: int, today: dt.date) -> int:
    """``count`` open cases overdue by two days (yellow cards)."""
    from onewindow.cases.models import Case
    from onewindow.workdays.models import Deadline

    ids = list(
        Case.objects.filter(status__in=["accepted", "in_process"]).values_list("deadline_id", flat=True)[
            :count
        ]
    )
    return Deadline.objects.filter(pk__in=ids).update(due_on=today - dt.timedelta(days=2))


def _make_backlog(share: int, today: dt.date) -> int:
    """One open case in ``share`` overdue by three months: the carded backlog every later run must not re-read."""
    from onewindow.cases.models import Case
    from onewindow.workdays.models import Deadline

    open_cases = Case.objects.filter(status__in=["accepted", "in_process"]).order_by("id")
    chosen = [
        deadline
        for n, deadline in enumerate(open_cases.values_list("deadline_id", flat=True))
        if n % share == 0
    ]
    return Deadline.objects.filter(pk__in=chosen).update(due_on=today - dt.timedelta(days=90))


def _time_scan(rounds: int) -> dict[str, object]:
    from onewindow.supervision.scan import supervision_scan

    times, raised = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        run = supervision_scan()
        times.append((time.perf_counter() - started) * 1000)
        raised.append(run.raised)
    return {
        "rounds": rounds,
        "median_ms": round(statistics.median(times), 2),
        "max_ms": round(max(times), 2),
        "first_ms": round(times[0], 2),
        "raised_first": raised[0],
        "raised_after": sum(raised[1:]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--applicants", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "onewindow-supervision-bench"
    )
    args = parser.parse_args()
    _prepare(args.db, args.data_dir, fresh=True, sqlite_name="supervision-bench.sqlite3")

    import io

    import django

    django.setup()
    from django.core.management import call_command

    from bench.seed import seed_applicants, seed_cases
    from onewindow.cases.models import Case
    from onewindow.core import clock
    from onewindow.supervision.models import Alert, SupervisionOrder

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("demo", stdout=io.StringIO())
    print(f"migrate and demo in {time.perf_counter() - started:.1f} s", flush=True)
    applicants = seed_applicants(args.applicants, random_seed=args.seed)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    result: dict[str, object] = {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "database": _database(),
        "method": "scan timed after the open cases' clocks are moved past the horizon (nothing due; the history "
        "keeps its past due dates), then with "
        f"{args.due} overdue cases, then with one open case in ten overdue by three months (the first scan cards "
        f"them; the later ones must not re-read them); median of {args.rounds} scans",
        "sizes": [],
    }
    output = RESULTS / f"supervision-{args.db}.json"
    RESULTS.mkdir(parents=True, exist_ok=True)
    for n, size in enumerate(sizes):
        missing = size - Case.objects.count()
        if missing > 0:
            seeded = seed_cases(cases=missing, applicants=applicants, random_seed=args.seed + n)
            print(f"seeded {seeded}", flush=True)
        _nothing_due()
        SupervisionOrder.objects.all().delete()
        Alert.objects.all().delete()
        nothing = _time_scan(args.rounds)
        print(f"{size} cases, nothing due: {nothing}", flush=True)
        made = _make_due(args.due, clock.today())
        due = _time_scan(args.rounds)
        print(f"{size} cases, {made} due: {due}", flush=True)
        # The realistic steady state: a large overdue backlog, carded by the first run (first_ms), then runs
        # that read only what is due around now (scan._due_window_start): the median must stay near nothing_due.
        backlog_cases = _make_backlog(10, clock.today())
        backlog = _time_scan(args.rounds)
        print(f"{size} cases, {backlog_cases} in an overdue backlog: {backlog}", flush=True)
        result["sizes"].append(  # type: ignore[union-attr]
            {"cases": Case.objects.count(), "nothing_due": nothing, "due_cases": made, "with_due": due,
             "backlog_cases": backlog_cases, "with_backlog": backlog}
        )  # fmt: skip
        output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {output}", flush=True)


if __name__ == "__main__":
    main()
