"""The cases benchmark (issue #5): a million seeded cases, then submissions and public tracking look-ups timed.

    .venv/bin/python bench/cases.py --db sqlite --cases 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cbenchpg .venv/bin/python bench/cases.py --db postgresql \
        --cases 1000000

SQLite goes to a fresh file in ``--data-dir``; a PostgreSQL database is dropped and created again, so its name
must contain "bench". The demo catalogue is loaded first (``demo``), then applicants and cases are written in
bulk (``bench/seed.py``: ``seed_applicants``, ``seed_cases``). ``--reuse`` measures a database an earlier
run seeded. Figures go to bench/results/cases-<db>.json (see bench/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import logging
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import RESULTS, _database, _machine, _postgres_recreate  # noqa: E402


def _prepare(db: str, data_dir: Path, *, fresh: bool, sqlite_name: str = "cases-bench.sqlite3") -> str:
    """Point Django at the benchmark database before it is imported (a new, empty one when ``fresh``);
    return its URL. Shared by the cases, workflow and licences benchmarks."""
    if fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["ONEWINDOW_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    # Public look-ups are rate-limited per client; the benchmarks ask thousands of times a minute.
    os.environ["ONEWINDOW_PUBLIC_LOOKUP_PER_MINUTE"] = "100000000"
    if db == "sqlite":
        url = f"sqlite:///{data_dir}/{sqlite_name}"
    else:
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://")):
            raise SystemExit("--db postgresql needs DATABASE_URL=postgres://…/<name containing 'bench'>")
        if fresh:
            _postgres_recreate(url)
    os.environ["DATABASE_URL"] = url
    return url


def _seed(
    args: argparse.Namespace,
    *,
    more: Callable[[], dict[str, object]] | None = None,
    action: str = "bench.seed_cases",
) -> dict[str, object]:
    """Migrate, load the demo (catalogue, processes), then write the applicants, the cases and ``more`` (rows
    other benchmarks add on top, e.g. workflow tasks); return what was written, also recorded as ``action``."""
    from django.core.management import call_command
    from django.db import connection

    from bench.seed import seed_applicants, seed_cases
    from onewindow.core.services import audit_record

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("demo", stdout=io.StringIO())
    setup_seconds = time.perf_counter() - started
    if connection.vendor == "sqlite":
        # Random UUID keys touch every index page: a 3 GB page cache for the bulk load (the default is 2 MB),
        # set back before anything is timed.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -3000000")
    started = time.perf_counter()
    applicants = seed_applicants(args.applicants, random_seed=args.seed)
    applicants_seconds = time.perf_counter() - started
    print(f"{len(applicants)} applicants in {applicants_seconds:.1f} s", flush=True)
    counts = seed_cases(cases=args.cases, applicants=applicants, random_seed=args.seed)
    print(f"seeded {counts}", flush=True)
    extra = more() if more is not None else {}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("PRAGMA cache_size = -2000")
            cursor.execute("ANALYZE")
    dataset = {
        "catalogue": "demo (call_command('demo'))",
        "applicants": len(applicants),
        "applicants_seconds": round(applicants_seconds, 2),
        **{("cases_seconds" if key == "seconds" else key): value for key, value in counts.items()},
        **extra,
        "migrate_and_demo_seconds": round(setup_seconds, 2),
        "analyze_seconds": round(time.perf_counter() - started, 2),
    }
    # One summary entry instead of one per row, as bench.seed does; --reuse reads the figures back from it.
    audit_record(actor=None, action=action, changes={"dataset": dataset})
    return dataset


def _existing() -> dict[str, object]:
    """What an earlier run seeded (``--reuse``), as its ``bench.seed_cases`` audit entry recorded it."""
    from onewindow.cases.models import Case
    from onewindow.core.models import AuditEntry

    entry = AuditEntry.objects.filter(action="bench.seed_cases").order_by("-seq").first()
    if entry is None:
        raise SystemExit("no seeded cases in this database: run once without --reuse")
    return entry.changes["dataset"] | {"reused": True, "cases_now": Case.objects.count()}


def _tracking_sample(size: int, rng: random.Random) -> list[tuple[str, str]]:
    """Random seeded case numbers with their query passwords (``bench_case_password``)."""
    from bench.seed import bench_case_password
    from onewindow.cases.models import Case

    numbers = [n for n in Case.objects.exclude(number=None).values_list("number", flat=True) if n]
    return [(number, bench_case_password(number)) for number in rng.sample(numbers, min(size, len(numbers)))]


def _summary(times_ms: list[float], seconds: float) -> dict[str, object]:
    times_ms = sorted(times_ms)
    return {
        "operations": len(times_ms),
        "ops_per_s": round(len(times_ms) / seconds, 1),
        "p50_ms": round(statistics.median(times_ms), 2),
        "p95_ms": round(times_ms[max(int(len(times_ms) * 0.95) - 1, 0)], 2),
        "max_ms": round(times_ms[-1], 2),
    }


def _submittable_items(user: Any) -> list[tuple[Any, dict[str, Any]]]:
    """Published online items a citizen can submit without uploading files, with a valid form (the guide's
    example); each tried once so the timed loop never meets a refusal."""
    from onewindow.cases import services
    from onewindow.catalogue.models import Item, Necessity
    from onewindow.core.errors import DomainError

    found = []
    for item in Item.objects.exclude(published_version=None).select_related("published_version"):
        version = item.published_version
        if version is None:
            continue
        uploads = [
            m
            for m in version.materials.all()
            if m.necessity == Necessity.REQUIRED and not m.obtained_by_platform
        ]
        examples = (version.form_schema or {}).get("examples") or [{}]
        if uploads or not version.is_online:
            continue
        try:
            services.case_create_and_submit(user=user, item=item, form_data=examples[0])
        except DomainError:
            continue
        found.append((item, examples[0]))
    return found


# Users handed their licences in this run (``_submitters`` is called again with more users for the threads).
_HOLDING: set[Any] = set()


def _submitters(count: int) -> list[Any]:
    """Applicants for the timed submissions: seeded citizens raised to L3 so every online item is open."""
    from django.contrib.auth import get_user_model

    from bench.ops.failure_suite import licences_hand_out
    from onewindow.identity.models import Person

    users = list(get_user_model().objects.filter(username__startswith="bcase").order_by("username")[:count])
    people = Person.objects.filter(user__in=users)
    people.update(assurance_level=3)
    # The demo's online items take the identity card and household register from the e-licence library.
    # Without them a submission no longer stops (the department looks the licence up at acceptance), but
    # the citizens hold them so the measured path includes the attachment a real wallet holder gets.
    licences_hand_out(people.exclude(user__in=_HOLDING).select_related("user"))
    _HOLDING.update(user.pk for user in users)
    return users


def bench_submissions(count: int, rng: random.Random) -> dict[str, object]:
    """``case_create_and_submit`` one after another, each with a new idempotency key; with the SQL statements
    per submission and the share of the time spent waiting on the database."""
    from django.db import connection

    from onewindow.cases import services

    users = _submitters(20)
    items = _submittable_items(users[0])
    times, queries = [], []
    in_database = [0, 0.0]  # statements, seconds

    def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        one = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_database[0] += 1
            in_database[1] += time.perf_counter() - one

    started = time.perf_counter()
    with connection.execute_wrapper(counting):
        for _ in range(count):
            item, form = rng.choice(items)
            before = in_database[0]
            one = time.perf_counter()
            services.case_create_and_submit(
                user=rng.choice(users), item=item, form_data=form, idempotency_key=str(uuid.uuid4())
            )
            times.append((time.perf_counter() - one) * 1000)
            queries.append(in_database[0] - before)
    return _summary(times, time.perf_counter() - started) | {
        "queries_per_submission_min": min(queries),
        "queries_per_submission_max": max(queries),
        "database_time_share": round(in_database[1] / (sum(times) / 1000), 2),
        "applicants": len(users),
        "items": len(items),
    }


def bench_submissions_threads(count: int, threads: int, rng: random.Random) -> dict[str, object]:
    """The same from ``threads`` threads at once, each with its own database connection and applicants."""
    from django.db import connection

    from onewindow.cases import services

    users = _submitters(20 * threads)
    items = _submittable_items(users[0])
    per_thread = count // threads
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        own_rng = random.Random(rng.random())
        own_users = users[index * 20 : (index + 1) * 20]
        mine = []
        try:
            for _ in range(per_thread):
                item, form = own_rng.choice(items)
                one = time.perf_counter()
                services.case_create_and_submit(
                    user=own_rng.choice(own_users),
                    item=item,
                    form_data=form,
                    idempotency_key=str(uuid.uuid4()),
                )
                mine.append((time.perf_counter() - one) * 1000)
        except Exception as error:  # reported in the results, not hidden
            with lock:
                errors.append(repr(error))
        finally:
            connection.close()  # this thread's connection
        with lock:
            times.extend(mine)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return _summary(times, time.perf_counter() - started) | {"threads": threads, "errors": errors}


def bench_tracking(sample: list[tuple[str, str]], lookups: int, rng: random.Random) -> dict[str, object]:
    """``case_track`` for random seeded case numbers with the right password, with a wrong one, and for
    numbers that do not exist."""
    from django.db import connection

    from onewindow.cases.selectors import case_track
    from onewindow.core.errors import NotFound

    picks = [rng.choice(sample) for _ in range(lookups)]
    for number, password in picks[:50]:  # warm: connection, translations, the calendar
        case_track(case_number=number, password=password)

    queries_run = [0]

    def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries_run[0] += 1
        return execute(sql, params, many, context)

    def run(pairs: list[tuple[str, str]], expect_found: bool) -> dict[str, object]:
        times, queries, events = [], [], []
        started = time.perf_counter()
        with connection.execute_wrapper(counting):
            for number, password in pairs:
                before = queries_run[0]
                one = time.perf_counter()
                try:
                    tracking = case_track(case_number=number, password=password)
                    found = True
                    events.append(len(tracking.timeline))
                except NotFound:
                    found = False
                times.append((time.perf_counter() - one) * 1000)
                if found != expect_found:
                    raise SystemExit(f"tracking {number}: found={found}, expected {expect_found}")
                queries.append(queries_run[0] - before)
        figures = _summary(times, time.perf_counter() - started) | {
            "queries_per_lookup_min": min(queries),
            "queries_per_lookup_max": max(queries),
        }
        if events:
            figures["timeline_entries_mean"] = round(statistics.fmean(events), 2)
        return figures

    wrong = [(number, "WRONG" + password[:3]) for number, password in picks]
    # Serial 99999 is never reached by the seeding: numbers of the right shape that do not exist.
    unknown = [(number[:-5] + "99999", password) for number, password in picks]
    return {
        "correct_password": run(picks, True),
        "wrong_password": run(wrong, False),
        "unknown_number": run(unknown, False),
    }


def bench_tracking_api(
    sample: list[tuple[str, str]], requests: int, rng: random.Random
) -> dict[str, object] | str:
    """The public tracking API through Django's test client, if the API has it."""
    from django.test import Client
    from django.urls import Resolver404, resolve

    number, password = sample[0]
    try:
        resolve(f"/api/v1/track/{number}")
    except Resolver404:
        return "not measured: GET /api/v1/track/… does not exist yet"
    client = Client()
    picks = [rng.choice(sample) for _ in range(requests)]
    times = []
    started = time.perf_counter()
    for number, password in picks:
        one = time.perf_counter()
        response = client.get(f"/api/v1/track/{number}", {"password": password})
        times.append((time.perf_counter() - one) * 1000)
        if response.status_code != 200:
            return f"not measured: GET /api/v1/track/{number}?password=… answered {response.status_code}"
    return _summary(times, time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--applicants", type=int, default=200_000)
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=4, help="PostgreSQL only; 0 to skip")
    parser.add_argument("--lookups", type=int, default=5000)
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "onewindow-cases-bench"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="measure the database an earlier run seeded (no new seeding)"
    )
    parser.add_argument("--output", type=Path)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    output = args.output or RESULTS / f"cases-{args.db}.json"

    url = _prepare(args.db, args.data_dir, fresh=not args.reuse)
    import django

    django.setup()
    # The immediate task backend logs two lines per notification; writing them is not what is measured.
    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    from django.db import connection

    rng = random.Random(args.seed)
    dataset = _existing() if args.reuse else _seed(args)
    sample = _tracking_sample(args.lookups, rng)
    results: dict[str, object] = {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine() | {"load_average_before_measuring": [round(n, 2) for n in os.getloadavg()]},
        "database": _database() | {"url_scheme": urlparse(url).scheme},
        "dataset": dataset,
    }
    tracking = bench_tracking(sample, args.lookups, rng)
    print(f"tracking {tracking}", flush=True)
    results["tracking"] = tracking
    results["tracking_api"] = bench_tracking_api(sample, min(args.lookups, 1000), rng)
    results["submissions"] = bench_submissions(args.submissions, rng)
    print(f"submissions {results['submissions']}", flush=True)
    if args.threads and connection.vendor == "postgresql":
        results["submissions_threads"] = bench_submissions_threads(args.submissions, args.threads, rng)
        print(f"threads {results['submissions_threads']}", flush=True)
    # Other processes on the machine compete for the CPUs: say how busy it was while measuring.
    results["load_average_after_measuring"] = [round(n, 2) for n in os.getloadavg()]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"written to {output}")


if __name__ == "__main__":
    main()
