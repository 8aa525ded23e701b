"""Benchmark data: regions, departments and staff at the scale of a national deployment.

This is BENCHMARK DATA, not demo data and never production data. For speed it bypasses the services: rows go in
with ``bulk_create``, one password hash is shared by every account, and instead of one audit entry per row a
single ``bench.seed`` entry records what was generated. Names are synthetic (“基准省01 …”); credit codes pass
the GB 32100 and GB 11714 checks so the API and admin treat them like real ones.

Use it from ``bench/run.py`` (which sets Django up against a throwaway database) or in a Django shell:

    from bench.seed import SeedSizes, seed
    seed(SeedSizes.for_scale("small"))
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import json
import random
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from onewindow.core import clock
from onewindow.core.identifiers import credit_code_check_digit, organisation_code_check_digit
from onewindow.core.services import audit_record
from onewindow.organisations.models import (
    Department,
    ExerciseLevel,
    Membership,
    Region,
    RegionLevel,
    Role,
)

BATCH = 2000
# Benchmark accounts only, in a throwaway database.
BENCH_PASSWORD = "Bench@2026!"  # noqa: S105
# Department names cycle through the usual bureaus of a local government.
BUREAUS = [
    "行政审批局",
    "市场监督管理局",
    "卫生健康委员会",
    "公安局",
    "人力资源和社会保障局",
    "住房和城乡建设局",
    "自然资源和规划局",
    "生态环境局",
    "交通运输局",
    "民政局",
    "医疗保障局",
    "教育局",
    "财政局",
    "农业农村局",
    "文化和旅游局",
    "应急管理局",
    "税务局",
    "水利局",
    "商务局",
    "数据管理局",
]
STAFF_ROLES = [Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER, Role.REVIEWER, Role.WINDOW_CLERK]


@dataclass(frozen=True)
class SeedSizes:
    """How much to generate. Cities and counties are spread evenly over their parents."""

    provinces: int = 31
    cities: int = 350
    counties: int = 3000
    townships_per_county: int = 4
    departments: int = 20_000
    staff: int = 50_000
    roles_per_staff: int = 1

    @classmethod
    def for_scale(cls, scale: str) -> SeedSizes:
        if scale == "full":
            return cls()
        if scale == "small":
            return cls(
                provinces=5, cities=40, counties=300, townships_per_county=1, departments=2000, staff=5000
            )
        if scale == "tiny":
            return cls(provinces=2, cities=4, counties=12, townships_per_county=1, departments=60, staff=100)
        raise ValueError(f"unknown scale {scale!r} (tiny, small, full)")


def bench_credit_code(index: int, region_code: str) -> str:
    """A unique credit code passing both checksums: 11 (机构编制 · 机关) + region + organisation code."""
    org8 = f"K{index:07d}"
    body = f"11{region_code[:6]}{org8}{organisation_code_check_digit(org8)}"
    return body + credit_code_check_digit(body)


def _spread(total: int, parents: list[Region]) -> list[tuple[Region, int]]:
    """``total`` children over ``parents`` as evenly as possible: (parent, child number from 1)."""
    result, per = (
        [],
        [total // len(parents) + (1 if i < total % len(parents) else 0) for i in range(len(parents))],
    )
    for parent, count in zip(parents, per, strict=True):
        result.extend((parent, n) for n in range(1, count + 1))
    return result


def _regions(sizes: SeedSizes) -> dict[RegionLevel, list[Region]]:
    if (
        not 1 <= sizes.provinces <= 89
        or sizes.cities > sizes.provinces * 99
        or sizes.counties > sizes.cities * 99
    ):
        raise ValueError(
            "division codes allow at most 89 provinces, 99 cities per province, 99 counties per city"
        )
    provinces = [
        Region(code=f"{10 + n}0000", name=f"基准省{n:02d}", level=RegionLevel.PROVINCE)
        for n in range(1, sizes.provinces + 1)
    ]
    cities = [
        Region(code=f"{p.code[:2]}{n:02d}00", name=f"{p.name}基准市{n:02d}", level=RegionLevel.CITY, parent=p)
        for p, n in _spread(sizes.cities, provinces)
    ]
    counties = [
        Region(code=f"{c.code[:4]}{n:02d}", name=f"{c.name}区县{n:02d}", level=RegionLevel.COUNTY, parent=c)
        for c, n in _spread(sizes.counties, cities)
    ]
    townships = [
        Region(code=f"{k.code}{n:03d}", name=f"{k.name}街道{n:03d}", level=RegionLevel.TOWNSHIP, parent=k)
        for k in counties
        for n in range(1, sizes.townships_per_county + 1)
    ]
    levels = {
        RegionLevel.PROVINCE: provinces,
        RegionLevel.CITY: cities,
        RegionLevel.COUNTY: counties,
        RegionLevel.TOWNSHIP: townships,
    }
    for rows in levels.values():  # parents first: the foreign keys point backwards
        Region.objects.bulk_create(rows, batch_size=BATCH)
    return levels


def _departments(sizes: SeedSizes, levels: dict[RegionLevel, list[Region]]) -> list[Department]:
    # One provincial bureau set per province, then the rest spread over cities and counties like real ones.
    homes: list[tuple[Region, ExerciseLevel]] = [
        (p, ExerciseLevel.PROVINCIAL) for p in levels[RegionLevel.PROVINCE]
    ]
    homes += [(c, ExerciseLevel.MUNICIPAL) for c in levels[RegionLevel.CITY]]
    homes += [(k, ExerciseLevel.COUNTY) for k in levels[RegionLevel.COUNTY]]
    departments = []
    for index in range(sizes.departments):
        region, level = homes[index % len(homes)]
        bureau = BUREAUS[(index // len(homes)) % len(BUREAUS)]
        round_ = index // (len(homes) * len(BUREAUS))
        name = f"{region.name}{bureau}" + (f"（{round_ + 1}）" if round_ else "")
        departments.append(
            Department(
                name=name,
                short_name=bureau[:10],
                credit_code=bench_credit_code(index + 1, region.code),
                region=region,
                level=level,
            )
        )
    Department.objects.bulk_create(departments, batch_size=BATCH)
    return departments


def _staff(sizes: SeedSizes, departments: list[Department], rng: random.Random) -> tuple[int, int]:
    user_model = get_user_model()
    password = make_password(BENCH_PASSWORD)  # one hash for all: hashing 50k passwords would take an hour
    users = [
        user_model(username=f"bench{n:06d}", name=f"基准人员{n:06d}", password=password, is_staff=True)
        for n in range(1, sizes.staff + 1)
    ]
    user_model.objects.bulk_create(users, batch_size=BATCH)
    memberships = []
    for n, user in enumerate(users):
        for k in range(sizes.roles_per_staff):
            department = departments[(n + k * 7919) % len(departments)] if k else rng.choice(departments)
            memberships.append(
                Membership(user=user, department=department, role=STAFF_ROLES[(n + k) % len(STAFF_ROLES)])
            )
    Membership.objects.bulk_create(memberships, batch_size=BATCH, ignore_conflicts=True)
    return len(users), len(memberships)


@transaction.atomic
def seed(sizes: SeedSizes, *, random_seed: int = 2026) -> dict[str, object]:
    """Generate ``sizes`` worth of rows into an empty organisation tree; return counts and seconds taken."""
    if Region.objects.filter(name__startswith="基准省").exists():
        raise RuntimeError("benchmark data is already present: seed an empty database")
    rng = random.Random(random_seed)
    started = time.perf_counter()
    levels = _regions(sizes)
    departments = _departments(sizes, levels) if sizes.departments else []
    staff, memberships = _staff(sizes, departments, rng) if departments and sizes.staff else (0, 0)
    counts: dict[str, object] = {
        "provinces": len(levels[RegionLevel.PROVINCE]),
        "cities": len(levels[RegionLevel.CITY]),
        "counties": len(levels[RegionLevel.COUNTY]),
        "townships": len(levels[RegionLevel.TOWNSHIP]),
        "departments": len(departments),
        "staff": staff,
        "memberships": memberships,
    }
    # One summary entry instead of one per row: the trail says benchmark data was generated, and by what.
    audit_record(
        actor=None, action="bench.seed", changes={"sizes": dataclasses.asdict(sizes), "counts": counts}
    )
    counts["seconds"] = round(time.perf_counter() - started, 2)
    return counts


# --- Cases (issue #5): a million applications on the demo catalogue -------------------------------------------

# Where a case is in its life, as shares of all cases: most are long finished; a few percent are open at any time.
CASE_STATUS_SHARES = {
    "delivered": 0.62,
    "concluded": 0.10,
    "in_process": 0.08,
    "accepted": 0.04,
    "suspended": 0.01,
    "submitted": 0.04,
    "correction_requested": 0.02,
    "not_accepted": 0.04,
    "withdrawn": 0.05,
}
# The timeline each status implies (one CaseEvent each): (action, from status, to status).
CASE_TIMELINES = {
    "submitted": [("submitted", "draft", "submitted")],
    "correction_requested": [
        ("submitted", "draft", "submitted"),
        ("correction_requested", "submitted", "correction_requested"),
    ],
    "not_accepted": [("submitted", "draft", "submitted"), ("not_accepted", "submitted", "not_accepted")],
    "withdrawn": [("submitted", "draft", "submitted"), ("withdrawn", "submitted", "withdrawn")],
    "accepted": [("submitted", "draft", "submitted"), ("accepted", "submitted", "accepted")],
    "in_process": [
        ("submitted", "draft", "submitted"),
        ("accepted", "submitted", "accepted"),
        ("process_started", "accepted", "in_process"),
    ],
    "suspended": [
        ("submitted", "draft", "submitted"),
        ("accepted", "submitted", "accepted"),
        ("process_started", "accepted", "in_process"),
        ("suspended", "in_process", "suspended"),
    ],
    "concluded": [
        ("submitted", "draft", "submitted"),
        ("accepted", "submitted", "accepted"),
        ("process_started", "accepted", "in_process"),
        ("concluded", "in_process", "concluded"),
    ],
    "delivered": [
        ("submitted", "draft", "submitted"),
        ("accepted", "submitted", "accepted"),
        ("process_started", "accepted", "in_process"),
        ("concluded", "in_process", "concluded"),
        ("delivered", "concluded", "delivered"),
    ],
}
# How long ago a case in this status was received, in days (uniform in the range): open cases are recent.
CASE_AGE_DAYS = {
    "submitted": (0, 4),
    "correction_requested": (1, 10),
    "accepted": (0, 10),
    "in_process": (1, 30),
    "suspended": (5, 60),
    "concluded": (2, 40),
}
CASE_AGE_DEFAULT = (3, 730)  # finished cases: over the last two years
ROW_BATCH = 10_000


def bench_rows_insert(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """Write ``rows`` (field attname → Python value) straight into ``model``'s table: PostgreSQL ``COPY`` or
    SQLite ``executemany``, in batches. Unnamed columns take the field default (or NULL / ''). No signals, no
    ``save()``, no audit: benchmark seeding only. Returns the number of rows written."""
    # Auto-increment keys are left to the database.
    fields = [
        f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField | models.BigAutoField)
    ]
    names = [field.attname for field in fields]
    defaults = {}
    for field in fields:
        if field.has_default() and not callable(field.default):
            defaults[field.attname] = field.default
        elif field.null:
            defaults[field.attname] = None
        else:
            defaults[field.attname] = ""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    written = 0
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                values = defaults | row
                copy.write_row([_pg_value(values[name]) for name in names])
                written += 1
        return written
    connection.ensure_connection()
    raw = connection.connection
    # Table and column names come from the model, quoted; the values are parameters.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(names))})"  # noqa: S608
    batch: list[list[object]] = []
    for row in rows:
        values = defaults | row
        batch.append([_sqlite_value(values[name]) for name in names])
        if len(batch) >= ROW_BATCH:
            raw.executemany(sql, batch)
            written += len(batch)
            batch = []
    if batch:
        raw.executemany(sql, batch)
        written += len(batch)
    return written


def _pg_value(value: object) -> object:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _sqlite_value(value: object) -> object:
    # What Django's SQLite backend stores: UUIDs as 32 hex digits, datetimes as naive UTC text, JSON as text.
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, dt.datetime):
        return str(value.astimezone(dt.UTC).replace(tzinfo=None))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    return value


@transaction.atomic
def seed_applicants(count: int, *, random_seed: int = 2026) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """``count`` citizens at assurance level 2 (user + person), identifiers encrypted and hashed as
    ``person_create`` would store them, one shared password hash. Returns (user id, person id) pairs."""
    from onewindow.core.crypto import encrypt
    from onewindow.core.identifiers import citizen_id_check_char
    from onewindow.identity.models import Person
    from onewindow.identity.services.people import id_number_hash, phone_hash

    rng = random.Random(random_seed)
    password = make_password(BENCH_PASSWORD)
    now = clock.now()
    id_purpose = Person._meta.get_field("id_number").purpose
    phone_purpose = Person._meta.get_field("phone").purpose
    pairs = [(uuid.uuid4(), uuid.uuid4()) for _ in range(count)]
    bench_rows_insert(
        get_user_model(),
        (
            {
                "id": user_id,
                "username": f"bcase{n:07d}",
                "name": f"基准申请人{n:07d}",
                "password": password,
                "is_active": True,
                "is_staff": False,
                "is_superuser": False,
                "date_joined": now,
                "failed_logins": 0,
            }
            for n, (user_id, _) in enumerate(pairs)
        ),
    )

    def person_row(n: int, user_id: uuid.UUID, person_id: uuid.UUID) -> dict[str, Any]:
        # Unique by construction: phone 137 + serial; ID number region + birthday + serial (GB 11643 check digit).
        phone = f"137{n:08d}"
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 55))
        body = f"350{100 + n // 1000 % 900:03d}{born:%Y%m%d}{n % 1000:03d}"
        id_number = body + citizen_id_check_char(body)
        return {
            "id": person_id,
            "created_at": now,
            "updated_at": now,
            "user_id": user_id,
            "id_number": encrypt(id_number, purpose=id_purpose),
            "id_number_hash": id_number_hash(id_number),
            "phone": encrypt(phone, purpose=phone_purpose),
            "phone_hash": phone_hash(phone),
            "assurance_level": 2,
            "verified_at": now,
        }

    bench_rows_insert(Person, (person_row(n, u, p) for n, (u, p) in enumerate(pairs)))
    return pairs


def bench_case_password(number: str) -> str:
    """The query password of a seeded case, derived from its number so a later run can look cases up without
    keeping a list (benchmark data only: real passwords are random and only their keyed hash is stored)."""
    from onewindow.cases.services.acceptance import PASSWORD_ALPHABET, PASSWORD_LENGTH

    digest = hashlib.sha256(f"bench-case:{number}".encode()).digest()
    return "".join(PASSWORD_ALPHABET[byte % len(PASSWORD_ALPHABET)] for byte in digest[:PASSWORD_LENGTH])


def seed_cases(
    *,
    cases: int,
    applicants: list[tuple[uuid.UUID, uuid.UUID]],
    random_seed: int = 2026,
) -> dict[str, int]:
    """``cases`` cases over the published items (weighted by popularity), statuses in ``CASE_STATUS_SHARES``,
    each with its timeline events, its promised deadline once accepted, a unique case number (implementation
    code + acceptance date + serial, as ``case_number_next`` makes them) and the keyed hash of its query
    password (``bench_case_password``). Returns the row counts and the seconds taken."""
    from onewindow.cases.fields import form_seal
    from onewindow.cases.models import Case, CaseEvent, CaseNumberCounter
    from onewindow.cases.services.acceptance import case_password_hash
    from onewindow.catalogue.models import Item, ItemVersion
    from onewindow.workdays.calendar import DueDate, WorkCalendar
    from onewindow.workdays.models import Deadline

    rng = random.Random(random_seed)
    items = list(
        Item.objects.exclude(published_version=None).select_related("published_version", "department")
    )
    if not items:
        raise RuntimeError("no published items: load the demo catalogue first")
    weights = [1 + item.popularity for item in items]
    statuses = list(CASE_STATUS_SHARES)
    shares = list(CASE_STATUS_SHARES.values())
    now = clock.now()
    calendar = WorkCalendar()
    due_cache: dict[tuple[dt.date, int], DueDate] = {}
    # Continue the counters cases already have (the demo accepts a few): numbers stay unique.
    serials: dict[tuple[uuid.UUID, dt.date], int] = {
        (item_id, day): last
        for item_id, day, last in CaseNumberCounter.objects.values_list("item_id", "day", "last")
    }
    existing_counters = set(serials)
    deadlines: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    counts = {"cases": 0, "events": 0, "deadlines": 0, "case_number_counters": 0, "with_number": 0}
    counts |= dict.fromkeys((f"status_{status}" for status in statuses), 0)

    sealed_forms: dict[uuid.UUID, Any] = {}

    def sealed_form(version: Any) -> Any:
        # Rows bypass the model: seal the personal answers as SealedFormField would (once per version).
        if version.pk not in sealed_forms:
            schema = version.form_schema or {}
            sealed_forms[version.pk] = form_seal(schema, (schema.get("examples") or [{}])[0])
        return sealed_forms[version.pk]

    def due(start: dt.date, days: int) -> DueDate:
        key = (start, days)
        if key not in due_cache:
            due_cache[key] = calendar.add_working_days(start, days)
        return due_cache[key]

    def case_rows() -> Iterator[dict[str, Any]]:
        for _ in range(cases):
            item = rng.choices(items, weights)[0]
            version = cast(ItemVersion, item.published_version)  # only published items were loaded
            status = rng.choices(statuses, shares)[0]
            counts[f"status_{status}"] += 1
            low, high = CASE_AGE_DAYS.get(status, CASE_AGE_DEFAULT)
            timeline = CASE_TIMELINES[status]
            days = 0 if version.case_type == 1 else version.promised_days
            # Each step's time after receipt; the receipt is then placed so that the last step is in the past.
            offset = {"submitted": dt.timedelta(0)}
            offset["accepted"] = dt.timedelta(hours=rng.uniform(0.5, 30))
            offset["process_started"] = offset["accepted"] + dt.timedelta(hours=rng.uniform(1, 24))
            offset["suspended"] = offset["process_started"] + dt.timedelta(days=rng.uniform(1, 3))
            offset["concluded"] = offset["process_started"] + dt.timedelta(
                days=rng.uniform(0.2, max(days, 1) * 1.3)
            )
            offset["delivered"] = offset["concluded"] + dt.timedelta(days=rng.uniform(0.1, 3))
            closing = dt.timedelta(days=rng.uniform(0.5, 5))
            offset |= {"correction_requested": closing, "not_accepted": closing, "withdrawn": closing}
            received = now - dt.timedelta(days=rng.uniform(low, high))
            last = offset[timeline[-1][0]]
            if received + last > now:
                received = now - last - dt.timedelta(minutes=rng.uniform(10, 600))
            at = {action: received + offset[action] for action in offset}
            case_id = uuid.uuid4()
            applicant = applicants[rng.randrange(len(applicants))][1]
            row: dict[str, Any] = {
                "id": case_id,
                "created_at": received - dt.timedelta(minutes=rng.randrange(5, 120)),
                "updated_at": received + last,
                "applicant_id": applicant,
                "item_id": item.pk,
                "item_version_id": version.pk,
                "department_id": item.department_id,
                "status": status,
                "version": len(timeline) + 1,
                "form_data": sealed_form(version),
                "walk_in": rng.random() < 0.15,
                "submitted_at": received,
                "intake_due_on": due(timezone.localdate(received), 5).date,
                "accepted_by_default": False,
                "extended_days": 0,
            }
            accepted = any(action == "accepted" for action, _, _ in timeline)
            if accepted:
                accepted_at = at["accepted"]
                accepted_on = timezone.localdate(accepted_at)
                key = (item.pk, accepted_on)
                serials[key] = serials.get(key, 0) + 1
                number = f"{item.implementation_code}{accepted_on:%Y%m%d}{serials[key]:05d}"
                password = bench_case_password(number)
                deadline_id = uuid.uuid4()
                due_on = due(accepted_on, days)
                deadlines.append(
                    {
                        "id": deadline_id,
                        "created_at": accepted_at,
                        "updated_at": accepted_at,
                        "label": f"{number} {version.name}"[:200],
                        "start_on": accepted_on,
                        "working_days": days,
                        "due_on": due_on.date,
                        "provisional": due_on.provisional,
                    }
                )
                row |= {
                    "number": number,
                    "query_password_hash": case_password_hash(number, password),
                    "accepted_at": accepted_at,
                    "deadline_id": deadline_id,
                }
                concluded_at = at["concluded"]
                if status in ("concluded", "delivered"):
                    row |= {
                        "conclusion_code": 0 if rng.random() < 0.93 else 1,
                        "result": f"{version.result_name}（电子证照）" if version.result_name else "",
                        "concluded_at": concluded_at,
                        "closed_at": concluded_at,
                    }
                if status == "delivered":
                    method = rng.choice(["electronic", "electronic", "window", "post"])
                    row |= {
                        "delivery_method": method,
                        "tracking_number": f"SF{rng.randrange(10**12):012d}" if method == "post" else "",
                        "delivered_at": at["delivered"],
                    }
                counts["with_number"] += 1
            else:
                closed = at["withdrawn"]
                if status == "not_accepted":
                    row |= {"refusal_reason": "申请事项依法不属于本行政机关职权范围。", "closed_at": closed}
                elif status == "withdrawn":
                    row["closed_at"] = closed
            for action, from_status, to_status in timeline:
                events.append(
                    {
                        "id": uuid.uuid4(),
                        "created_at": at[action],
                        "updated_at": at[action],
                        "case_id": case_id,
                        "action": action,
                        "from_status": from_status,
                        "to_status": to_status,
                        "department_id": item.department_id,
                        "at": at[action],
                        "note": f"受理编号 {row['number']}。" if action == "accepted" else "",
                        "public": True,
                    }
                )
            yield row

    started = time.perf_counter()
    with transaction.atomic():
        chunk = max(ROW_BATCH * 5, 1)
        rows_iter = case_rows()
        while True:
            # Deadlines first (cases point at them), then the cases, then their events: one chunk at a time.
            batch = list(itertools.islice(rows_iter, chunk))
            if not batch:
                break
            counts["deadlines"] += bench_rows_insert(Deadline, deadlines)
            counts["cases"] += bench_rows_insert(Case, batch)
            counts["events"] += bench_rows_insert(CaseEvent, events)
            deadlines.clear()
            events.clear()
        counts["case_number_counters"] = bench_rows_insert(
            CaseNumberCounter,
            (
                {"item_id": item_id, "day": day, "last": last}
                for (item_id, day), last in serials.items()
                if (item_id, day) not in existing_counters
            ),
        )
        for item_id, day in existing_counters:
            CaseNumberCounter.objects.filter(item_id=item_id, day=day).update(last=serials[item_id, day])
    counts["seconds"] = round(time.perf_counter() - started, 2)  # type: ignore[assignment]
    return counts
