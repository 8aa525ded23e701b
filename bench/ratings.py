"""The 好差评 benchmark (issue #14): ratings ingested per second through the service (audit entry, monthly
counter, rectification for a bad one), then the public statistics over 1,000,000 ratings.

    .venv/bin/python bench/ratings.py --db sqlite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_ratings_bench .venv/bin/python bench/ratings.py --db postgresql

The demo is loaded first (departments, items, the service centre). The million ratings are written in bulk,
bypassing the services, over the last twelve months, the demo's departments and items, every channel and level
(about 6 % bad); their monthly counters are written with them, as the services keep them. Figures go to
bench/results/ratings-<db>.json (see bench/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cases import _prepare, _summary  # noqa: E402
from bench.run import RESULTS, _database, _machine  # noqa: E402

BATCH = 5000
LEVEL_WEIGHTS = [70, 16, 8, 4, 2]  # 非常满意 … 非常不满意


def _months(today: dt.date, count: int) -> list[dt.date]:
    months, month = [], today.replace(day=1)
    for _ in range(count):
        months.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return months


def seed_ratings(count: int, rng: random.Random) -> dict[str, object]:
    """``count`` ratings in bulk with their monthly counters."""
    from django.utils import timezone

    from onewindow.catalogue.models import Item
    from onewindow.core import clock
    from onewindow.ratings.models import Channel, Level, Rating, RatingCounter

    items = list(Item.objects.exclude(published_version=None).values_list("pk", "department_id"))
    if not items:
        raise SystemExit("the demo loaded no items")
    months = _months(clock.today(), 12)
    channels = list(Channel.values)
    counters: dict[tuple[Any, ...], int] = {}
    started = time.perf_counter()
    rows = []
    for n in range(count):
        item_id, department_id = items[n % len(items)]
        month = months[n % len(months)]
        level = rng.choices(Level.values, LEVEL_WEIGHTS)[0]
        channel = channels[(n // len(items)) % len(channels)]
        moment = timezone.make_aware(
            dt.datetime.combine(month + dt.timedelta(days=rng.randrange(27)), dt.time(9 + n % 8, n % 60))
        )
        rows.append(
            Rating(
                department_id=department_id,
                item_id=item_id,
                channel=channel,
                level=level,
                online=channel in ("web", "mobile"),
                rated_at=moment,
                month=month,
            )
        )
        key = (month, department_id, item_id, channel, level)
        counters[key] = counters.get(key, 0) + 1
        if len(rows) == BATCH:
            Rating.objects.bulk_create(rows)
            rows = []
    Rating.objects.bulk_create(rows)
    RatingCounter.objects.bulk_create(
        [
            RatingCounter(
                month=month,
                department_id=department_id,
                item_id=item_id,
                channel=channel,
                level=level,
                key=f"{department_id}:{item_id}:{channel}:{level}",
                ratings=n,
            )
            for (month, department_id, item_id, channel, level), n in counters.items()
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    return {
        "ratings": count,
        "counter_rows": len(counters),
        "items": len(items),
        "months": len(months),
        "seconds": round(time.perf_counter() - started, 1),
    }


PG_SEED = """
CREATE TEMP TABLE bench_items AS
  SELECT row_number() OVER (ORDER BY id) - 1 AS rn, id AS item_id, department_id
  FROM catalogue_item WHERE published_version_id IS NOT NULL;
SELECT setseed(%(seed)s);
INSERT INTO ratings_rating (id, created_at, updated_at, case_id, handled_at, department_id, item_id, centre_id,
  window_code, channel, level, online, indicators, comment, rater_id, rated_at, month, excluded, excluded_reason)
SELECT gen_random_uuid(), now(), now(), NULL, NULL, i.department_id, i.item_id, NULL, '',
  (ARRAY['web','mobile','qr','tablet','kiosk','phone','sms'])[1 + (g / %(items)s) %% 7],
  CASE WHEN r < 0.70 THEN 1 WHEN r < 0.86 THEN 2 WHEN r < 0.94 THEN 3 WHEN r < 0.98 THEN 4 ELSE 5 END,
  (g / %(items)s) %% 7 < 2, '{}'::jsonb, '', NULL,
  m + ((g / 12) %% 27) * interval '1 day' + interval '9 hours' + (g %% 480) * interval '1 minute', m, false, ''
FROM (
  SELECT g, random() AS r, (date_trunc('month', current_date) - (g %% 12) * interval '1 month')::date AS m
  FROM generate_series(0, %(count)s - 1) AS g
) AS s
JOIN bench_items i ON i.rn = s.g %% %(items)s;
INSERT INTO ratings_ratingcounter (id, created_at, updated_at, month, department_id, item_id, channel, level, key,
  ratings, rectified_in_time)
SELECT gen_random_uuid(), now(), now(), month, department_id, item_id, channel, level,
  department_id::text || ':' || item_id::text || ':' || channel || ':' || level, count(*), 0
FROM ratings_rating WHERE case_id IS NULL AND centre_id IS NULL
GROUP BY month, department_id, item_id, channel, level
ON CONFLICT DO NOTHING;
"""


def seed_ratings_postgresql(count: int, seed: int) -> dict[str, object]:
    """The same data written by PostgreSQL itself (``generate_series``): a million rows in seconds, not in
    the minutes Python objects would take; the counters are then grouped from the rows."""
    from django.db import connection

    from onewindow.catalogue.models import Item
    from onewindow.ratings.models import RatingCounter

    items = Item.objects.exclude(published_version=None).count()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(PG_SEED, {"count": count, "seed": (seed % 100) / 100, "items": items})
    return {
        "ratings": count,
        "counter_rows": RatingCounter.objects.count(),
        "items": items,
        "months": 12,
        "seconds": round(time.perf_counter() - started, 1),
    }


def bench_ingest(count: int, rng: random.Random) -> dict[str, object]:
    """Ratings of window visits through ``rating_window_submit`` (one transaction each: the rating, the
    counter, the audit entry and, for a bad one, the rectification)."""
    from onewindow.halls.models import ServiceCentre
    from onewindow.ratings.services import rating_window_submit

    centre = ServiceCentre.objects.first()
    if centre is None:
        raise SystemExit("the demo loaded no service centre")
    times = []
    started = time.perf_counter()
    for n in range(count):
        begin = time.perf_counter()
        rating_window_submit(
            centre=centre,
            window_code=f"A{n % 20:02d}",
            rater=None,
            channel=("tablet", "qr", "kiosk")[n % 3],
            level=rng.choices([1, 2, 3, 4, 5], LEVEL_WEIGHTS)[0],
            comment="",
        )
        times.append((time.perf_counter() - begin) * 1000)
    return _summary(times, time.perf_counter() - started)


def bench_pages(rounds: int) -> dict[str, object]:
    """The public report page, its API and the CSV export for a month, and a guide page with its 好评率."""
    from django.test import Client

    from onewindow.catalogue.models import Item
    from onewindow.core import clock

    month = f"{clock.today().replace(day=1) - dt.timedelta(days=1):%Y-%m}"  # last month: complete
    item = Item.objects.exclude(published_version=None).first()
    assert item is not None
    client = Client()
    targets = {
        "report_page": f"/ratings/report/?month={month}",
        "report_api": f"/api/v1/ratings/report/{month}",
        "report_csv": f"/ratings/report/export.csv?month={month}",
        "item_guide_page": f"/services/items/{item.implementation_code}/",
    }
    results: dict[str, object] = {}
    for name, url in targets.items():
        first = time.perf_counter()
        response = client.get(url)
        cold_ms = (time.perf_counter() - first) * 1000
        assert response.status_code == 200, (url, response.status_code)
        times = []
        started = time.perf_counter()
        for _ in range(rounds):
            begin = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - begin) * 1000)
        results[name] = {
            **_summary(times, time.perf_counter() - started),
            "first_ms": round(cold_ms, 2),
            "bytes": len(response.content),
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--ratings", type=int, default=1_000_000)
    parser.add_argument("--ingest", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "onewindow-ratings-bench"
    )
    args = parser.parse_args()
    _prepare(args.db, args.data_dir, fresh=True, sqlite_name="ratings-bench.sqlite3")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    rng = random.Random(args.seed)
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("demo", stdout=io.StringIO())
    setup_seconds = round(time.perf_counter() - started, 1)
    print(f"migrate and demo in {setup_seconds} s", flush=True)
    if connection.vendor == "postgresql":
        dataset = seed_ratings_postgresql(args.ratings, args.seed)
    else:
        dataset = seed_ratings(args.ratings, rng)
    print(f"seeded {dataset}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    ingest = bench_ingest(args.ingest, rng)
    print(f"ingest {ingest}", flush=True)
    pages = bench_pages(args.rounds)
    print(f"pages {json.dumps(pages)}", flush=True)
    result = {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "database": _database(),
        "dataset": dataset | {"migrate_and_demo_seconds": setup_seconds},
        "ingest_window_ratings": ingest,
        "public_pages": pages,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    output = RESULTS / f"ratings-{args.db}.json"
    output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
