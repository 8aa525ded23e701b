"""The audit-trail write ceiling (issue #17): concurrent writers appending audit entries on PostgreSQL, with one
stream (the old design: every append waits for one advisory lock held until its transaction commits) and with
``ONEWINDOW_AUDIT_STREAMS`` streams (a lock per stream, chosen by target).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_audit_bench .venv/bin/python bench/audit.py

Each writer is a separate process running ``--transactions`` transactions; each transaction appends one entry
about its own record (a case, say) and then keeps the transaction open for ``--work-ms`` — the rest of a
service's work after its audit call (row updates, an outbox row), during which the stream's lock is held.
The database is dropped and created again, so its name must contain "bench". After the runs the chain is
verified. Figures go to bench/results/audit-postgresql.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import RESULTS, _database, _machine  # noqa: E402


def _setup(streams: int) -> None:
    os.environ["ONEWINDOW_AUDIT_STREAMS"] = str(streams)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()


def _writer(args: tuple[int, int, float]) -> tuple[float, float]:
    streams, transactions, work_seconds = args
    _setup(streams)
    from django.db import transaction

    from onewindow.core.services import audit_record
    from onewindow.organisations.models import Department

    audit_record(actor=None, action="bench.warm_up")  # connect and import before the clock starts
    started = time.time()
    for _ in range(transactions):
        with transaction.atomic():
            audit_record(actor=None, action="bench.append", target=Department(id=uuid.uuid4(), name="基准"))
            time.sleep(work_seconds)
    return started, time.time()


def run(streams: int, writers: int, transactions: int, work_ms: float) -> dict[str, object]:
    context = multiprocessing.get_context("spawn")
    with context.Pool(writers) as pool:
        spans = pool.map(_writer, [(streams, transactions, work_ms / 1000)] * writers)
    # From the first writer's start to the last one's end: process start-up is not counted.
    elapsed = max(end for _, end in spans) - min(start for start, _ in spans)
    total = writers * transactions
    return {
        "streams": streams,
        "writers": writers,
        "entries": total,
        "seconds": round(elapsed, 2),
        "entries_per_s": round(total / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--transactions", type=int, default=150)
    parser.add_argument("--work-ms", type=float, default=5.0)
    parser.add_argument("--streams", type=int, default=16)
    parser.add_argument("--output", default=str(RESULTS / "audit-postgresql.json"))
    options = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    name = urlparse(url).path.lstrip("/")
    if not url.startswith("postgres") or "bench" not in name:
        raise SystemExit("set DATABASE_URL to a PostgreSQL database whose name contains 'bench'")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin_url, "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run(["psql", admin_url, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    os.environ.setdefault("ONEWINDOW_DATA_DIR", str(Path(tempfile.gettempdir()) / f"{name}-data"))
    _setup(options.streams)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from onewindow.core.selectors import audit_chain_verify

    figures = []
    for writers in options.writers:
        for streams in (1, options.streams):
            figure = run(streams, writers, options.transactions, options.work_ms)
            print(json.dumps(figure, ensure_ascii=False), flush=True)
            figures.append(figure)
    started = time.perf_counter()
    report = audit_chain_verify(with_checkpoints=False)
    result = {
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": _machine(),
        "database": _database(),
        "work_ms_per_transaction": options.work_ms,
        "runs": figures,
        "verify": {
            "ok": report.ok,
            "entries": report.checked,
            "streams": report.streams,
            "seconds": round(time.perf_counter() - started, 2),
        },
    }
    Path(options.output).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"written to {options.output}")


if __name__ == "__main__":
    main()
