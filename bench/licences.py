"""The e-licence benchmark (issue #7): 100,000 seeded licences, then verifications per second, cold and warm,
through ``licence_verify`` and through ``GET /api/v1/licences/verify/{identifier}`` (and the public page).

    .venv/bin/python bench/licences.py --db sqlite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lbench .venv/bin/python bench/licences.py --db postgresql

SQLite goes to a fresh file in ``--data-dir``; a PostgreSQL database is dropped and created again, so its name
must contain "bench". The demo is loaded first (departments, licence types, one SM2 key per issuing department);
each issuing department then gets an Ed25519 key too, and the licences are written in bulk, bypassing the
services. Only a sample (``--signed``, half SM2, half Ed25519) is really signed: signing 100,000 licences with
pure-Python SM2 would take ten minutes and the verification measured is the same for every row. The others
carry a placeholder signature and are there for the size of the table and its indexes.

*Cold* is a fresh Python process (nothing imported, no database connection, no parsed key) verifying each
sampled licence once; *warm* is this process verifying the same licences again after a first pass. Figures go
to bench/results/licences-<db>.json (see bench/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cases import _prepare, _summary  # noqa: E402
from bench.run import RESULTS, _database, _machine  # noqa: E402

BATCH = 2000
UNSIGNED = "bench-unsigned"
# Serials start with a year; the demo's own licences use the current one, so no number clashes.
SERIAL_YEAR = 2000


def _citizen_id(n: int) -> str:
    from onewindow.core.identifiers import citizen_id_check_char

    born = dt.date(1960, 1, 1) + dt.timedelta(days=n % 15000)
    body = f"350102{born:%Y%m%d}{n % 1000:03d}"
    return body + citizen_id_check_char(body)


def seed_licences(count: int, signed: int, rng: random.Random) -> dict[str, object]:
    """``count`` licences of the demo's licence types in bulk; ``signed`` of them (spread over the table)
    signed for real, half with SM2 and half with Ed25519."""
    from onewindow.core.crypto import lookup_hash
    from onewindow.licences.identifiers import licence_identifier_build
    from onewindow.licences.models import (
        HOLDER_PURPOSE,
        HolderType,
        KeyStatus,
        Licence,
        LicenceStatus,
        LicenceType,
        SignatureAlgorithm,
        SigningKey,
    )
    from onewindow.licences.services import licence_valid_until, signing_key_create
    from onewindow.licences.signing import licence_payload, signer_for

    types = list(LicenceType.objects.select_related("issuer").order_by("code"))
    if not types:
        raise SystemExit("the demo loaded no licence types")
    for department in {t.issuer for t in types}:
        if not SigningKey.objects.filter(
            department=department, algorithm=SignatureAlgorithm.ED25519, status=KeyStatus.ACTIVE
        ).exists():
            signing_key_create(department=department, algorithm=SignatureAlgorithm.ED25519, actor=None)
    keys = {
        (key.department_id, key.algorithm): key
        for key in SigningKey.objects.filter(status=KeyStatus.ACTIVE).select_related("department")
    }
    signers = {pair: signer_for(key) for pair, key in keys.items()}
    to_sign = set(rng.sample(range(count), min(signed, count)))
    now = dt.datetime.now(dt.UTC)
    today = dt.date.today()
    started = time.perf_counter()
    sign_seconds = 0.0
    serials: dict[str, int] = {}
    batch: list[Any] = []
    written = {"sm2-sm3": 0, "ed25519": 0}
    for index in range(count):
        licence_type = types[index % len(types)]
        serial_number = serials[licence_type.code] = serials.get(licence_type.code, 0) + 1
        serial = f"{SERIAL_YEAR}{serial_number:07d}"
        holder_code = _citizen_id(index)
        sign = index in to_sign
        algorithm = SignatureAlgorithm.ED25519 if sign and index % 2 else SignatureAlgorithm.SM2_SM3
        key = keys[(licence_type.issuer_id, algorithm)]
        valid_from = today - dt.timedelta(days=rng.randrange(0, 4 * 365))
        licence = Licence(
            identifier=licence_identifier_build(
                type_code=licence_type.code,
                issuer_code=licence_type.issuer.credit_code,
                serial=serial,
                version=1,
            ),
            licence_type=licence_type,
            number=serial,
            serial=serial,
            version=1,
            issuer=licence_type.issuer,
            holder_type=HolderType.CITIZEN_ID,
            holder_name=f"基准持证人{index:06d}",
            holder_code=holder_code,
            holder_code_hash=lookup_hash(holder_code, purpose=HOLDER_PURPOSE),
            face={field["key"]: f"基准照面{index % 97}" for field in licence_type.face_fields},
            issued_on=valid_from,
            valid_from=valid_from,
            valid_until=licence_valid_until(licence_type, valid_from),
            status=LicenceStatus.VALID,
            signing_key=key,
            signed_at=now,
            signature=UNSIGNED,
        )
        if sign:
            one = time.perf_counter()
            licence.signature = signers[(licence_type.issuer_id, algorithm)].sign(licence_payload(licence))
            sign_seconds += time.perf_counter() - one
            written[algorithm] += 1
        batch.append(licence)
        if len(batch) >= BATCH:
            Licence.objects.bulk_create(batch)
            batch = []
    if batch:
        Licence.objects.bulk_create(batch)
    return {
        "licences": count,
        "licence_types": len(types),
        "signed_sm2": written["sm2-sm3"],
        "signed_ed25519": written["ed25519"],
        "signing_seconds": round(sign_seconds, 2),
        "seconds": round(time.perf_counter() - started, 2),
    }


def _seed(args: argparse.Namespace, rng: random.Random) -> dict[str, object]:
    from django.core.management import call_command
    from django.db import connection

    from onewindow.core.services import audit_record

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("demo", stdout=io.StringIO())
    setup_seconds = time.perf_counter() - started
    counts = seed_licences(args.licences, args.signed, rng)
    print(f"seeded {counts}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    dataset = counts | {"migrate_and_demo_seconds": round(setup_seconds, 2)}
    # One summary entry instead of one per row; --reuse reads the figures back from it.
    audit_record(actor=None, action="bench.seed_licences", changes={"dataset": dataset})
    return dataset


def _existing() -> dict[str, object]:
    from onewindow.core.models import AuditEntry
    from onewindow.licences.models import Licence

    entry = AuditEntry.objects.filter(action="bench.seed_licences").order_by("-seq").first()
    if entry is None:
        raise SystemExit("no seeded licences in this database: run once without --reuse")
    return entry.changes["dataset"] | {"reused": True, "licences_now": Licence.objects.count()}


def _samples() -> dict[str, list[str]]:
    """The really signed licences' identifiers, by algorithm."""
    from onewindow.licences.models import Licence

    found: dict[str, list[str]] = {"sm2-sm3": [], "ed25519": []}
    rows = Licence.objects.exclude(signature=UNSIGNED).filter(serial__startswith=str(SERIAL_YEAR))
    for identifier, algorithm in rows.values_list("identifier", "signing_key__algorithm").order_by(
        "identifier"
    ):
        found[algorithm].append(identifier)
    return found


def _verify_all(identifiers: list[str]) -> tuple[list[float], list[int]]:
    """Verify each identifier once: milliseconds and SQL statements per verification. Any answer but a valid
    licence with a good signature stops the benchmark: a fast wrong answer measures nothing."""
    from django.db import connection

    from onewindow.licences.selectors import licence_verify

    statements = [0]

    def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements[0] += 1
        return execute(sql, params, many, context)

    times, queries = [], []
    with connection.execute_wrapper(counting):
        for identifier in identifiers:
            before = statements[0]
            one = time.perf_counter()
            result = licence_verify(identifier)
            times.append((time.perf_counter() - one) * 1000)
            queries.append(statements[0] - before)
            if not (result.outcome == "valid" and result.signature_valid):
                raise SystemExit(f"{identifier}: {result.outcome}, signature_valid={result.signature_valid}")
    return times, queries


def child_cold(path: Path) -> None:
    """Run in a fresh process: verify each identifier in the file once and print the figures as JSON."""
    started = time.perf_counter()
    import django

    django.setup()
    setup_ms = (time.perf_counter() - started) * 1000
    identifiers = json.loads(path.read_text())
    started = time.perf_counter()
    times, queries = _verify_all(identifiers)
    seconds = time.perf_counter() - started
    figures = _summary(times, seconds) | {
        "first_verification_ms": round(times[0], 2),
        "django_setup_ms": round(setup_ms, 1),
        "queries_per_verification_max": max(queries),
    }
    print(json.dumps(figures))


def bench_cold(identifiers: list[str], data_dir: Path) -> dict[str, object]:
    """Each sampled licence verified once by a new process (what a fresh worker answering its first
    look-ups costs)."""
    path = data_dir / "cold-identifiers.json"
    path.write_text(json.dumps(identifiers))
    output = subprocess.run(
        [sys.executable, __file__, "--child-cold", str(path)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def bench_warm(identifiers: list[str], rounds: int) -> dict[str, object]:
    """The same licences verified again in this process after a first pass."""
    _verify_all(identifiers)
    times: list[float] = []
    queries: list[int] = []
    started = time.perf_counter()
    for _ in range(rounds):
        more_times, more_queries = _verify_all(identifiers)
        times += more_times
        queries += more_queries
    return _summary(times, time.perf_counter() - started) | {"queries_per_verification_max": max(queries)}


def bench_unknown(identifiers: list[str]) -> dict[str, object]:
    """Well-formed identifiers no licence has (the serial never seeded): one indexed look-up, no signature."""
    from onewindow.licences.identifiers import licence_identifier_build
    from onewindow.licences.selectors import licence_verify

    missing = []
    for identifier in identifiers:
        type_code, issuer_code = identifier.split(".")[5:7]
        missing.append(
            licence_identifier_build(
                type_code=type_code, issuer_code=issuer_code, serial=f"{SERIAL_YEAR}9999999", version=1
            )
        )
    times = []
    started = time.perf_counter()
    for identifier in missing:
        one = time.perf_counter()
        if licence_verify(identifier).outcome != "unknown":
            raise SystemExit(f"{identifier} should be unknown")
        times.append((time.perf_counter() - one) * 1000)
    return _summary(times, time.perf_counter() - started)


def bench_http(identifiers: list[str], *, api: bool) -> dict[str, object] | str:
    """The public API (or the public result page) through Django's test client, warm: full middleware,
    rate-limit bookkeeping and serialisation, no network."""
    from django.test import Client
    from django.urls import Resolver404, resolve, reverse

    if api:
        paths = [f"/api/v1/licences/verify/{identifier}" for identifier in identifiers]
    else:
        paths = [reverse("licence_verify:result", args=[identifier]) for identifier in identifiers]
    try:
        resolve(paths[0])
    except Resolver404:
        return f"not measured: {paths[0]} does not exist yet"
    client = Client()
    for path in paths[:20]:  # warm
        client.get(path)
    times = []
    started = time.perf_counter()
    for path in paths:
        one = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - one) * 1000)
        if response.status_code != 200:
            return f"not measured: {path} answered {response.status_code}"
        if api and not (response.json()["outcome"] == "valid" and response.json()["signature_valid"]):
            return f"not measured: {path} answered {response.json()}"
    return _summary(times, time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--licences", type=int, default=100_000)
    parser.add_argument("--signed", type=int, default=1000, help="really signed, half SM2, half Ed25519")
    parser.add_argument("--rounds", type=int, default=3, help="warm passes over the signed sample")
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "onewindow-licences-bench"
    )
    parser.add_argument("--reuse", action="store_true", help="measure the database an earlier run seeded")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--child-cold", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_cold:
        child_cold(args.child_cold)
        return
    output = args.output or RESULTS / f"licences-{args.db}.json"
    url = _prepare(args.db, args.data_dir, fresh=not args.reuse, sqlite_name="licences-bench.sqlite3")
    import django

    django.setup()
    # The immediate task backend logs two lines per notification the demo sends; not what is measured.
    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    rng = random.Random(args.seed)
    dataset = _existing() if args.reuse else _seed(args, rng)
    samples = _samples()
    results: dict[str, Any] = {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine() | {"load_average_before_measuring": [round(n, 2) for n in os.getloadavg()]},
        "database": _database() | {"url_scheme": urlparse(url).scheme},
        "dataset": dataset,
    }
    from django.db import connection

    # The cold process opens its own connection; SQLite must see every row this one wrote.
    connection.close()
    for algorithm, identifiers in samples.items():
        if not identifiers:
            continue
        figures = {
            "sampled_licences": len(identifiers),
            "cold": bench_cold(identifiers, args.data_dir),
            "warm": bench_warm(identifiers, args.rounds),
            "api_warm": bench_http(identifiers, api=True),
            "page_warm": bench_http(identifiers, api=False),
        }
        print(f"{algorithm} {figures}", flush=True)
        results[algorithm] = figures
    results["unknown_identifier"] = bench_unknown(samples["sm2-sm3"] or samples["ed25519"])
    results["load_average_after_measuring"] = [round(n, 2) for n in os.getloadavg()]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"written to {output}")


if __name__ == "__main__":
    main()
