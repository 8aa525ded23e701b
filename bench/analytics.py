"""The measures dashboard benchmark (issue #15): the dashboard over a million seeded cases, rendered for the
platform administrator (every department), timed in the selector alone and as a full page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/analyticsbench .venv/bin/python bench/analytics.py \
        --db postgresql --cases 1000000

Seeding reuses the cases benchmark (``bench/cases.py``: migrate, the demo, then ``bench/seed.py``'s
applicants and cases written in bulk); ``--reuse`` measures a database an earlier run seeded. The dashboard
aggregates in SQL (``onewindow/analytics/figures.py``: one grouped query per population), so what grows with
the cases is one scan with conditional counts. Figures go to bench/results/analytics.json.

The dashboard reads the daily rollups (``onewindow/analytics/services.py``), so before measuring it the run
times a full refresh, an incremental one with nothing changed, and one after 1,000 cases on random days were
saved; the dashboard then sums rollup rows instead of scanning the cases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cases import _existing, _prepare, _seed  # noqa: E402
from bench.run import RESULTS, _database, _machine  # noqa: E402


def _timed(function, repeat: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    return {
        "runs": repeat,
        "median_seconds": round(statistics.median(seconds), 3),
        "max_seconds": round(max(seconds), 3),
        "min_seconds": round(min(seconds), 3),
    }


def _refresh_timings() -> dict[str, object]:
    """The rollup refresh: full, incremental with no change (today and yesterday only), and incremental after
    1,000 cases received on random days were saved (each of their days recomputed whole)."""
    from django.utils import timezone

    from onewindow.analytics.models import DailyRollup
    from onewindow.analytics.services import rollups_refresh
    from onewindow.cases.models import Case

    timings: dict[str, object] = {}
    for name, prepare in (
        ("full", None),
        ("incremental_nothing_changed", None),
        ("incremental_1000_cases_changed", "touch"),
    ):
        if prepare == "touch":
            sample = Case.objects.filter(submitted_at__isnull=False).order_by("?").values("pk")[:1000]
            Case.objects.filter(pk__in=list(sample.values_list("pk", flat=True))).update(
                updated_at=timezone.now()
            )
        started = time.perf_counter()
        run = rollups_refresh(full=name == "full")
        timings[name] = {
            "seconds": round(time.perf_counter() - started, 3),
            "days": run.days,
            "rows": run.rows,
        }
        print("refresh", name, timings[name], flush=True)
    timings["rollup_rows"] = DailyRollup.objects.count()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--applicants", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "onewindow-analytics-bench"
    )
    parser.add_argument("--reuse", action="store_true", help="measure the database an earlier run seeded")
    parser.add_argument("--output", type=Path, default=RESULTS / "analytics.json")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    url = _prepare(args.db, args.data_dir, fresh=not args.reuse, sqlite_name="analytics-bench.sqlite3")
    import django

    django.setup()
    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from onewindow.analytics.figures import Period
    from onewindow.analytics.performance import staff_performance
    from onewindow.analytics.selectors import dashboard
    from onewindow.cases.models import Case
    from onewindow.core import clock

    if not args.reuse and args.db == "postgresql":
        # The 12345 demo fails on PostgreSQL today (hotline.services._locked: FOR UPDATE on the nullable side
        # of an outer join); its tickets are not what this benchmark measures, so that one step is left out.
        import onewindow.demo.data as demo_data

        demo_data.hotline_demo_load = lambda **kwargs: {}  # type: ignore[assignment]
    dataset = _existing() if args.reuse else _seed(args)
    # A database seeded before the rollups existed gets their tables (nothing to do otherwise).
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    refresh = _refresh_timings()
    admin = get_user_model().objects.get(username="admin")
    today = clock.today()
    # The dashboard's default period (the year so far) and the last twelve months.
    periods = {
        "year_to_date": Period(start=today.replace(month=1, day=1), end=today),
        "last_12_months": Period(start=today - dt.timedelta(days=365), end=today),
    }
    results: dict[str, object] = {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine() | {"load_average_before_measuring": [round(n, 2) for n in os.getloadavg()]},
        "database": _database() | {"url_scheme": urlparse(url).scheme},
        "dataset": dataset | {"cases_now": Case.objects.count()},
        "rollup_refresh": refresh,
    }
    client = Client()
    client.force_login(admin)
    for name, period in periods.items():
        board = dashboard(user=admin, period=period)
        figures = {f.measure.code: f.display for f in board.totals}
        query = f"/workbench/analytics/?start={period.start:%Y-%m-%d}&end={period.end:%Y-%m-%d}"
        assert client.get(query).status_code == 200  # warm: templates, translations, connection
        results[name] = {
            "period": [f"{period.start:%Y-%m-%d}", f"{period.end:%Y-%m-%d}"],
            "figures": figures,
            "selector": _timed(lambda period=period: dashboard(user=admin, period=period), args.repeat),
            "page": _timed(lambda query=query: client.get(query), args.repeat),
        }
        print(name, json.dumps(results[name], ensure_ascii=False), flush=True)
    month = Period(start=today.replace(day=1), end=today)
    results["staff_performance_month"] = _timed(
        lambda: staff_performance(user=admin, period=month), args.repeat
    )
    results["load_average_after_measuring"] = [round(n, 2) for n in os.getloadavg()]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
