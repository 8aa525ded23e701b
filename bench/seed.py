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
import random
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

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
