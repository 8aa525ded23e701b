"""Every periodic job (``settings.ONEWINDOW_PERIODIC_JOBS``) timed over a seeded database (issue #18): a job
must cost what is due, so its second run in a row — nothing is due any more — must stay flat whatever the
number of cases.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_http_bench .venv/bin/python bench/jobs.py \\
        --data-dir /tmp/onewindow-http-bench        # the HTTP suite's database (bench/http_load.py) → bench/results/jobs-<scale>.json

It reuses the database and data directory the HTTP suite seeded (``bench/http_load.py``, any ``--scale``), with
the same settings. Each job runs twice through ``Task.call()`` (in this process, as a worker would):
``first`` does whatever was due, ``again`` is the steady state. ``deadlines_refresh_paused_before_fix``
times the query the job used before issue #18 (``pauses__end_on__isnull=True``, which also matched every
clock without any pause) for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _timed(function: Callable[[], Any]) -> dict[str, Any]:
    from django.db import connection

    statements = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements[0] += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        result = function()
    return {
        "seconds": round(time.perf_counter() - started, 3),
        "statements": statements[0],
        "result": result if isinstance(result, int | str | None) else str(result)[:200],
    }


def main() -> None:
    from bench.http_load import DEFAULT_REDIS_URL, _environment

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "onewindow-http-bench")
    parser.add_argument("--output", type=Path)
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
        help="the shared cache, as the HTTP suite ran it ('' for the file cache)",
    )
    args = parser.parse_args()
    if "bench" not in args.database_url.rsplit("/", 1)[-1]:
        raise SystemExit("--database-url must name the HTTP suite's database (its name contains 'bench')")

    args.seed = 0
    os.environ.update(_environment(args))
    import django

    django.setup()
    from django.conf import settings

    from bench.http_load import _existing
    from bench.run import _database, _machine
    from onewindow.cases.models import Case
    from onewindow.workdays.models import Deadline
    from onewindow.workdays.services import deadlines_refresh

    dataset = _existing()
    scale = "full" if Case.objects.count() >= 1_000_000 else str(dataset.get("scale", "seeded"))
    results: dict[str, Any] = {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine() | {"load_average_before_measuring": [round(n, 2) for n in os.getloadavg()]},
        "database": _database(),
        "cases": Case.objects.count(),
        "deadlines": Deadline.objects.count(),
        "jobs": {},
    }
    for path, every in settings.ONEWINDOW_PERIODIC_JOBS:
        module, _, name = path.rpartition(".")
        task = getattr(importlib.import_module(module), name)
        first = _timed(task.call)
        again = _timed(task.call)
        results["jobs"][name] = {"every_seconds": every, "first": first, "again": again}
        print(f"{name}: first {first} again {again}", flush=True)
    results["deadlines_refresh_paused_before_fix"] = _timed(
        lambda: deadlines_refresh(Deadline.objects.filter(pauses__end_on__isnull=True).distinct())
    )
    print(f"before the fix: {results['deadlines_refresh_paused_before_fix']}")
    results["load_average_after_measuring"] = [round(n, 2) for n in os.getloadavg()]
    output = args.output or ROOT / "bench" / "results" / f"jobs-{scale}.json"
    output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"written to {output}")


if __name__ == "__main__":
    main()
