"""The benchmark runner: a fresh database, seeded at scale, then the foundation's hot paths timed.

    .venv/bin/python bench/run.py --scale small             # SQLite in a temporary directory, < 2 minutes
    .venv/bin/python bench/run.py --scale full              # 31 provinces … 20k departments, 50k staff
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onewindow_bench .venv/bin/python bench/run.py

A PostgreSQL database is dropped and created again, so its name must contain "bench". Figures go to
bench/results/latest.json (see bench/README.md for what each one means).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

# The seeded data and workloads per scale: (audit entries to append, API requests per measurement,
# working-day calls).
WORKLOADS = {
    "tiny": {"audit_entries": 300, "requests": 30, "workday_calls": 2000},
    "small": {"audit_entries": 2000, "requests": 200, "workday_calls": 20_000},
    "full": {"audit_entries": 20_000, "requests": 500, "workday_calls": 100_000},
}


def _prepare_environment(database_url: str | None) -> str:
    """Point Django at a throwaway database before it is imported; return the URL used."""
    data_dir = tempfile.mkdtemp(prefix="onewindow-bench-")
    os.environ["ONEWINDOW_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    # The API's public-lookup throttle would answer 429 to a benchmark that asks hundreds of times a minute.
    os.environ["ONEWINDOW_PUBLIC_LOOKUP_PER_MINUTE"] = "100000000"
    url = database_url or f"sqlite:///{data_dir}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    if url.startswith(("postgres://", "postgresql://")):
        _postgres_recreate(url)
    sys.path.insert(0, str(ROOT))
    return url


def _postgres_recreate(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(
            f"refusing to drop database {name!r}: a benchmark database's name must contain 'bench'"
        )
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _timed(fn: Callable[[], Any], repeat: int) -> float:
    """Calls per second of ``fn`` over ``repeat`` calls."""
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return repeat / (time.perf_counter() - started)


def _machine() -> dict[str, object]:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory_gb = round(pages * size / 2**30, 1)
    except (ValueError, OSError):
        pass
    return {
        "hostname": platform.node(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gb": memory_gb,
    }


def _database() -> dict[str, object]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    return {"vendor": connection.vendor, "version": str(version).split(" on ")[0]}


def bench_workdays(calls: int, rng: random.Random) -> dict[str, object]:
    from onewindow.workdays.calendar import WorkCalendar

    starts = [dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365)) for _ in range(calls)]
    spans = [rng.choice((1, 5, 10, 15, 20, 30, 60)) for _ in range(calls)]
    cold_calls = max(calls // 20, 50)
    cold = iter(range(cold_calls))

    def add_cold() -> None:
        i = next(cold)
        WorkCalendar().add_working_days(starts[i], spans[i])

    warm_calendar = WorkCalendar()
    warm = iter(range(calls))

    def add_warm() -> None:
        i = next(warm)
        warm_calendar.add_working_days(starts[i], spans[i])

    year_calls = max(calls // 100, 20)
    return {
        "add_working_days_cold_per_s": round(_timed(add_cold, cold_calls)),
        "add_working_days_warm_per_s": round(_timed(add_warm, calls)),
        "working_days_between_full_year_per_s": round(
            _timed(
                lambda: warm_calendar.working_days_between(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
                year_calls,
            )
        ),
        "working_days_between_full_year_cold_per_s": round(
            _timed(
                lambda: WorkCalendar().working_days_between(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
                year_calls,
            )
        ),
        "add_working_days_calls": calls,
        "note": "cold = a new WorkCalendar per call (loads each year touched: 2 queries); warm = one reused",
    }


def bench_audit(entries: int) -> dict[str, object]:
    from onewindow.core.models import AuditEntry
    from onewindow.core.selectors import audit_chain_verify
    from onewindow.core.services import audit_record
    from onewindow.organisations.models import Department

    targets = list(Department.objects.order_by("credit_code")[:100])
    counter = iter(range(entries))

    def append() -> None:
        i = next(counter)
        # One transaction per entry, as a service call would commit it.
        audit_record(
            actor=None,
            action="bench.append",
            target=targets[i % len(targets)] if targets else None,
            changes={"i": i, "status": ["submitted", "accepted"]},
        )

    appends_per_s = _timed(append, entries)
    total = AuditEntry.objects.count()
    started = time.perf_counter()
    report = audit_chain_verify()
    verify_seconds = time.perf_counter() - started
    if not report.ok:
        raise SystemExit(f"audit chain broken during the benchmark: {report.problem}")
    return {
        "audit_record_per_s": round(appends_per_s),
        "audit_record_entries": entries,
        "audit_chain_verify_per_s": round(report.checked / verify_seconds),
        "audit_chain_verify_entries": total,
        "audit_chain_verify_seconds": round(verify_seconds, 3),
    }


def _latencies(client: Any, urls: list[str]) -> dict[str, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(urls[0])  # warm the URL resolver, schemas and connection
    times, queries = [], []
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
        queries.append(len(captured.captured_queries))
    times.sort()
    return {
        "requests": len(urls),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "max_ms": round(times[-1], 2),
        "queries_per_request_max": max(queries),
    }


def bench_api(requests: int, rng: random.Random) -> dict[str, object]:
    from django.test import Client

    from onewindow.organisations.models import Department, Region, RegionLevel

    client = Client()
    pages = max(Department.objects.count() // 50, 1)
    cities = list(Region.objects.filter(level=RegionLevel.CITY).values_list("code", flat=True))
    provinces = list(Region.objects.filter(level=RegionLevel.PROVINCE).values_list("code", flat=True))
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY).values_list("code", flat=True))
    return {
        "departments_page": _latencies(
            client, [f"/api/v1/departments?page={rng.randrange(1, pages + 1)}" for _ in range(requests)]
        ),
        "departments_in_city": _latencies(
            client, [f"/api/v1/departments?region={rng.choice(cities)}" for _ in range(requests)]
        ),
        "departments_search": _latencies(
            client,
            [
                f"/api/v1/departments?q={rng.choice(['审批', '市场监督', '公安局', '区县01'])}"
                for _ in range(requests)
            ],
        ),
        "regions_children_of_province": _latencies(
            client, [f"/api/v1/regions?parent={rng.choice(provinces)}" for _ in range(requests)]
        ),
        "regions_children_of_county": _latencies(
            client, [f"/api/v1/regions?parent={rng.choice(counties)}" for _ in range(requests)]
        ),
        "regions_level_page": _latencies(client, [f"/api/v1/regions?level=3&page={p}" for p in range(1, 11)]),
    }


def bench_region_tree() -> dict[str, object]:
    from onewindow.organisations.selectors import regions_list

    started = time.perf_counter()
    rows = list(regions_list())
    children: dict[object, list[object]] = {}
    for region in rows:
        children.setdefault(region.parent_id, []).append(region)
    seconds = time.perf_counter() - started
    return {
        "regions": len(rows),
        "full_tree_seconds": round(seconds, 3),
        "roots": len(children.get(None, [])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=sorted(WORKLOADS), default="small")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL"), help="default: SQLite in a temp dir"
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    parser.add_argument("--seed", type=int, default=2026, help="random seed for data and workloads")
    args = parser.parse_args()

    url = _prepare_environment(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.seed import SeedSizes, seed

    workload, sizes, rng = WORKLOADS[args.scale], SeedSizes.for_scale(args.scale), random.Random(args.seed)
    started = time.perf_counter()
    phase = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_seconds = time.perf_counter() - phase
    print(
        f"migrated {connection.vendor} database in {migrate_seconds:.1f}s; seeding {args.scale} …", flush=True
    )
    dataset = seed(sizes, random_seed=args.seed)
    print(f"seeded {dataset}", flush=True)

    results: dict[str, object] = {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scale": args.scale,
        "machine": _machine(),
        "database": _database() | {"url_scheme": urlparse(url).scheme},
        "dataset": dataset,
        "migrate_seconds": round(migrate_seconds, 2),
    }
    for name, measure in (
        ("workdays", lambda: bench_workdays(workload["workday_calls"], rng)),
        ("audit", lambda: bench_audit(workload["audit_entries"])),
        ("api", lambda: bench_api(workload["requests"], rng)),
        ("region_tree", bench_region_tree),
    ):
        phase = time.perf_counter()
        results[name] = measure()
        print(
            f"{name}: {json.dumps(results[name], ensure_ascii=False)}  ({time.perf_counter() - phase:.1f}s)",
            flush=True,
        )
    results["total_seconds"] = round(time.perf_counter() - started, 1)

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
