"""The catalogue search benchmark: 10,000 generated published items, the index rebuilt, then the citizen
phrasing set and random queries timed through ``search_catalogue`` (segmentation, synonyms, typo correction,
the text match and the ranking).

    .venv/bin/python bench/search.py                        # SQLite in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onewindow_search_bench .venv/bin/python bench/search.py \
        --output bench/results/search-postgresql.json

A PostgreSQL database is dropped and created again, so its name must contain "bench".
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import RESULTS, _database, _machine, _prepare_environment  # noqa: E402

# What the generated items are about: (object, keywords) × actions gives a few hundred basic entries, each
# implemented by many departments, as in a real provincial catalogue.
OBJECTS = [
    ("食品经营许可", "餐饮 食品"),
    ("食品生产许可", "食品 工厂"),
    ("社会保障卡", "社保卡"),
    ("居民身份证", "身份证"),
    ("机动车驾驶证", "驾驶证"),
    ("机动车登记", "上牌 车辆"),
    ("普通护照", "出国"),
    ("往来港澳通行证", "香港 澳门"),
    ("住房公积金", "公积金"),
    ("最低生活保障", "低保"),
    ("特困人员救助供养", "救助"),
    ("残疾人证", "残疾"),
    ("出生医学证明", "新生儿"),
    ("户口登记", "户口 落户"),
    ("居住证", "暂住"),
    ("结婚登记", "结婚"),
    ("收养登记", "收养"),
    ("失业保险金", "失业金"),
    ("基本养老保险", "养老金 退休"),
    ("基本医疗保险", "医保"),
    ("生育保险待遇", "生育津贴"),
    ("工伤认定", "工伤"),
    ("企业设立登记", "开公司 营业执照"),
    ("个体工商户登记", "个体户"),
    ("药品经营许可", "药店"),
    ("医疗器械经营许可", "器械"),
    ("医师执业注册", "医生"),
    ("护士执业注册", "护士"),
    ("公共场所卫生许可", "卫生许可证"),
    ("建筑工程施工许可", "施工"),
    ("建设工程规划许可", "规划"),
    ("不动产登记", "房产证 过户"),
    ("道路运输经营许可", "货运 客运"),
    ("出租汽车驾驶员从业资格", "网约车"),
    ("教师资格认定", "教师"),
    ("民办学校办学许可", "办学"),
    ("烟草专卖零售许可", "卖烟"),
    ("酒类商品零售许可", "卖酒"),
    ("排污许可", "环保"),
    ("取水许可", "水资源"),
]
ACTIONS = ["", "申领", "补领", "换领", "变更", "注销", "延续", "核发", "查询", "证明开具"]
COLLOQUIAL = [
    "我想开个饭店",
    "怎么办",
    "丢了",
    "到期",
    "在哪里办",
    "需要什么材料",
    "多久能拿到",
    "宝宝刚出生",
]
ITEMS = 10_000


def _generate(rng: random.Random) -> dict[str, object]:
    """Bulk-insert ``ITEMS`` published items (rows written directly: this measures search, not publishing)."""
    from django.db import transaction

    from onewindow.catalogue.models import BasicItem, Item, ItemVersion, Material, VersionStatus
    from onewindow.core import clock
    from onewindow.organisations.models import Department

    departments = list(Department.objects.order_by("credit_code"))
    names = [(f"{obj}{action}", keywords) for obj, keywords in OBJECTS for action in ACTIONS]
    now = clock.now()
    started = time.perf_counter()
    # Basic codes beside the demo's own (which use some of this range: 000110001000 collided and stopped the
    # HTTP suite's small and full seeds).
    taken = set(BasicItem.objects.values_list("basic_code", flat=True))
    free_codes = (code for n in itertools.count(10000) if (code := f"0001{n:05d}000") not in taken)
    with transaction.atomic():
        basics = BasicItem.objects.bulk_create(
            BasicItem(basic_code=next(free_codes), name=name, item_type="01") for name, _ in names
        )
        items, versions, materials = [], [], []
        if ITEMS // len(departments) + 1 > len(basics):
            raise SystemExit("not enough basic entries for one item per department and entry")
        for n in range(ITEMS):
            department = departments[n % len(departments)]
            basic = basics[(n // len(departments) + 13 * (n % len(departments))) % len(basics)]
            items.append(
                Item(
                    implementation_code=f"{department.credit_code}{department.level}{basic.basic_code}",
                    basic=basic,
                    department=department,
                    region_id=department.region_id,
                    popularity=int(rng.paretovariate(1.2) * 10),
                )
            )
        Item.objects.bulk_create(items, batch_size=1000)
        keywords = dict(names)
        for item in items:
            versions.append(
                ItemVersion(
                    item=item,
                    number=1,
                    status=VersionStatus.PUBLISHED,
                    published_at=now,
                    name=item.basic.name,
                    item_type="01",
                    level=item.department.level,
                    legal_basis="《中华人民共和国行政许可法》",
                    acceptance_conditions="材料齐全、符合法定形式。",
                    keywords=keywords[item.basic.name],
                    statutory_days=20,
                    promised_days=5,
                    case_type=2,
                    service_objects=["1"],
                    handling_forms=["1", "2"],
                    result_name=f"{item.basic.name}决定书",
                    result_type="文",
                    address="行政服务中心",
                    office_hours="工作日",
                    consultation_phone="0591-87654321",
                    complaint_phone="12345",
                )
            )
        ItemVersion.objects.bulk_create(versions, batch_size=1000)
        for version in versions:
            for order, (key, name) in enumerate(
                [("id-card", "居民身份证"), ("application-form", "申请表"), ("photo", "近期免冠照片")],
                start=1,
            ):
                materials.append(Material(version=version, order=order, key=key, name=name))
        Material.objects.bulk_create(materials, batch_size=2000)
        for item, version in zip(items, versions, strict=True):
            item.published_version = version
        Item.objects.bulk_update(items, ["published_version"], batch_size=1000)
    return {
        "items": len(items),
        "basic_items": len(basics),
        "materials": len(materials),
        "generate_seconds": round(time.perf_counter() - started, 2),
    }


def _random_queries(rng: random.Random, count: int) -> list[str]:
    words = [obj for obj, _ in OBJECTS] + [k for _, ks in OBJECTS for k in ks.split()] + ACTIONS[1:]
    queries = []
    for _ in range(count):
        query = "".join(rng.sample(words, rng.choice([1, 1, 2, 3]))) + rng.choice(["", *COLLOQUIAL])
        if rng.random() < 0.2:  # a typo: one character replaced by a neighbour from another word
            i = rng.randrange(len(query))
            query = query[:i] + rng.choice(rng.choice(words)) + query[i + 1 :]
        queries.append(query)
    return queries


def _latencies(queries: list[str]) -> dict[str, object]:
    from onewindow.catalogue.search import search_catalogue

    times, empty = [], 0
    started = time.perf_counter()
    for query in queries:
        one = time.perf_counter()
        result = search_catalogue(query, 20)
        times.append((time.perf_counter() - one) * 1000)
        empty += not result.hits
    total = time.perf_counter() - started
    times.sort()
    return {
        "queries": len(queries),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[max(int(len(times) * 0.95) - 1, 0)], 2),
        "mean_ms": round(statistics.fmean(times), 2),
        "max_ms": round(times[-1], 2),
        "queries_per_s": round(len(queries) / total),
        "without_hits": empty,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--output", type=Path, default=RESULTS / "search.json")
    parser.add_argument("--queries", type=int, default=2000, help="random queries to time")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    url = _prepare_environment(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    from bench.seed import SeedSizes, seed
    from onewindow.catalogue.models import Item
    from onewindow.catalogue.search import search_catalogue, search_index_item, search_index_rebuild
    from onewindow.catalogue.tests.search_phrasings import PHRASINGS

    rng = random.Random(args.seed)
    call_command("migrate", interactive=False, verbosity=0)
    seed(SeedSizes.for_scale("tiny"), random_seed=args.seed)
    dataset = _generate(rng)
    print(f"generated {dataset}", flush=True)

    started = time.perf_counter()
    documents = search_index_rebuild()
    rebuild_seconds = time.perf_counter() - started
    search_catalogue("社保卡", 20)  # load jieba's dictionary and the typo vocabulary before timing

    sample = list(Item.objects.order_by("?")[:200])
    started = time.perf_counter()
    for item in sample:
        search_index_item(item)
    reindex_ms = (time.perf_counter() - started) * 1000 / len(sample)

    results: dict[str, object] = {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "database": _database() | {"url_scheme": urlparse(url).scheme},
        "dataset": dataset,
        "index": {
            "documents": documents,
            "rebuild_seconds": round(rebuild_seconds, 2),
            "documents_per_s": round(documents / rebuild_seconds),
            "reindex_one_item_ms": round(reindex_ms, 2),
        },
        "phrasings": _latencies([phrasing for phrasing, _ in PHRASINGS] * 10),
        "random": _latencies(_random_queries(rng, args.queries)),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
