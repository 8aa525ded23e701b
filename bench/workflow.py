"""The workflow benchmark (issue #6): a million cases, 100,000 open tasks, then engine steps and inboxes timed.

    .venv/bin/python bench/workflow.py --db sqlite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wfbench .venv/bin/python bench/workflow.py --db postgresql

The database is prepared as ``bench/cases.py`` does (fresh SQLite file in ``--data-dir`` or a PostgreSQL
database, dropped and created again, whose name must contain "bench"), the demo is loaded (every demo item
gets its process) and applicants and cases are written with ``bench/seed.py`` (``seed_applicants``,
``seed_cases``). On top come the workflow rows (``seed_work_tasks`` here): a process instance with engine
state for each open case, ``--tasks`` open WorkTask rows and the finished steps before them, and staff in
every department. Then, with real cases created and stepped through the services:

- ``engine``: ``task_claim`` and ``task_approve`` (load the SpiffWorkflow state, run, dump, mirror sync,
  audit) on the demo's 食品经营许可 process, 承办 → 联合审查 (市场监管 ∥ 卫健) → 批准;
- ``inbox``: the workflow selectors and the ``/workbench/tasks/`` page (Django test client, signed in) for
  the demo window clerk of 市市场监管局 and, for the department view, its department administrator.

Figures go to bench/results/workflow-<db>.json (see bench/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cases import _prepare, _summary  # noqa: E402
from bench.cases import _seed as seed_cases_dataset  # noqa: E402
from bench.run import RESULTS, _database, _machine  # noqa: E402

# Staff per department and role written for the benchmark (besides the demo personas).
STAFF_PER_ROLE = {"window_clerk": 4, "reviewer": 6, "approver": 2}
# Where an open step's due date lies relative to today (working-day limits are short): (share, low, high).
DUE_SPREAD = [(0.12, -15, -1), (0.18, 0, 2), (0.55, 3, 10), (0.15, 11, 30)]
CLAIMED_SHARE = 0.35
MEASURED_CLERK = "clerk_market"  # demo persona: window clerk of 市市场监管局
MEASURED_HEAD = "deptadmin"  # demo persona: department administrator of 市市场监管局
ENGINE_ITEM = "食品经营许可（新办）"  # its demo process: 承办 → 联合审查（市场监管 ∥ 卫健） → 批准


def _counting() -> tuple[list[int], Callable[..., Any]]:
    queries = [0]

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries[0] += 1
        return execute(sql, params, many, context)

    return queries, wrapper


# --- seeding --------------------------------------------------------------------------------------------


def _bench_staff(rng: random.Random) -> dict[tuple[Any, str], list[uuid.UUID]]:
    """Window clerks, reviewers and approvers in every department (bulk), with the demo personas counted in:
    (department id, role) → user ids."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from bench.seed import BENCH_PASSWORD, bench_rows_insert
    from onewindow.core import clock
    from onewindow.organisations.models import Department, Membership

    now = clock.now()
    password = make_password(BENCH_PASSWORD)
    users, memberships = [], []
    pool: dict[tuple[Any, str], list[uuid.UUID]] = {}
    for d, department in enumerate(Department.objects.order_by("credit_code")):
        for role, count in STAFF_PER_ROLE.items():
            for n in range(count):
                user_id = uuid.uuid4()
                users.append(
                    {
                        "id": user_id,
                        "username": f"bwf{d:02d}{role[:3]}{n}",
                        "name": f"基准工作人员{d:02d}{role[:3]}{n}",
                        "password": password,
                        "is_active": True,
                        "is_staff": True,
                        "is_superuser": False,
                        "date_joined": now,
                        "failed_logins": 0,
                    }
                )
                memberships.append(
                    {
                        "id": uuid.uuid4(),
                        "created_at": now,
                        "updated_at": now,
                        "user_id": user_id,
                        "department_id": department.pk,
                        "role": role,
                    }
                )
                pool.setdefault((department.pk, role), []).append(user_id)
    bench_rows_insert(get_user_model(), users)
    bench_rows_insert(Membership, memberships)
    for department_id, role, user_id in Membership.objects.filter(
        role__in=list(STAFF_PER_ROLE), user__username__in=_persona_usernames()
    ).values_list("department_id", "role", "user_id"):
        pool.setdefault((department_id, role), []).append(user_id)
    return pool


def _persona_usernames() -> list[str]:
    from onewindow.demo.data import PERSONAS

    return [persona.username for persona in PERSONAS]


def _stages(definition_id: Any) -> list[list[Any]]:
    """A definition's steps grouped into stages: a joint review's parallel steps (same name before the
    department in brackets) form one stage."""
    from onewindow.workflow.models import ProcessStep

    stages: list[list[Any]] = []
    for step in ProcessStep.objects.filter(definition_id=definition_id).order_by("position"):
        base = step.name.split("（", 1)[0]
        if stages and stages[-1][0].name.split("（", 1)[0] == base and step.department_id is not None:
            stages[-1].append(step)
        else:
            stages.append([step])
    return stages


def seed_work_tasks(*, open_tasks: int, rng: random.Random) -> dict[str, object]:
    """Process instances and ``open_tasks`` open WorkTask rows over the open seeded cases (accepted, in
    process, suspended), each at a random stage of its item's demo process with the earlier stages done;
    35 % claimed by a staff member of the step's department and role; due dates spread around today.
    Benchmark data only: the bulk instances carry a real engine state of their definition (its first step),
    not one matching the task rows, so they are listed, never stepped."""
    from django.db import transaction

    from bench.seed import bench_rows_insert
    from onewindow.cases.models import Case
    from onewindow.core import clock
    from onewindow.workdays.calendar import WorkCalendar
    from onewindow.workflow.engine import workflow_dump, workflow_new
    from onewindow.workflow.models import ProcessAssignment, ProcessDefinition, ProcessInstance, WorkTask

    started = time.perf_counter()
    pool = _bench_staff(rng)
    latest: dict[str, ProcessDefinition] = {}
    for definition in ProcessDefinition.objects.order_by("key", "version"):
        latest[definition.key] = definition
    by_item: dict[Any, tuple[ProcessDefinition, list[list[Any]], dict[str, Any]]] = {}
    states: dict[Any, dict[str, Any]] = {}
    stages_of: dict[Any, list[list[Any]]] = {}
    for item_id, key in ProcessAssignment.objects.values_list("item_id", "definition_key"):
        definition = latest[key]
        if definition.pk not in states:
            states[definition.pk] = workflow_dump(workflow_new(definition))
            stages_of[definition.pk] = _stages(definition.pk)
        by_item[item_id] = (definition, stages_of[definition.pk], states[definition.pk])
    cases = list(
        Case.objects.filter(status__in=["accepted", "in_process", "suspended"], parent=None, process=None)
        .exclude(number=None)
        .values_list("pk", "item_id", "department_id", "accepted_at")
    )
    rng.shuffle(cases)
    today, now = clock.today(), clock.now()
    calendar = WorkCalendar()
    due_cache: dict[int, dt.date] = {}

    def due_on() -> dt.date:
        low, high = rng.choices([(a, b) for _, a, b in DUE_SPREAD], [w for w, _, _ in DUE_SPREAD])[0]
        offset = rng.randint(low, high)
        if offset not in due_cache:
            # Past due dates in calendar days; future ones in working days, as the step clocks count.
            due_cache[offset] = (
                calendar.add_working_days(today, offset).date
                if offset >= 0
                else today - dt.timedelta(days=-offset)
            )
        return due_cache[offset]

    counts: dict[str, Any] = {"instances": 0, "open_tasks": 0, "done_tasks": 0, "claimed_tasks": 0}
    instances: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []

    def rows() -> Iterator[None]:
        for case_id, item_id, department_id, accepted_at in cases:
            if counts["open_tasks"] >= open_tasks:
                return
            found = by_item.get(item_id)
            if found is None:
                continue
            definition, stages, state = found
            instance_id = uuid.uuid4()
            opened = accepted_at or now
            instances.append(
                {
                    "id": instance_id,
                    "created_at": opened,
                    "updated_at": opened,
                    "case_id": case_id,
                    "definition_id": definition.pk,
                    "state": state,
                    "status": "running",
                    "revision": 1,
                }
            )
            counts["instances"] += 1
            at = rng.randrange(len(stages))
            for position, stage in enumerate(stages[: at + 1]):
                for step in stage:
                    department = step.department_id or department_id
                    staff: list[uuid.UUID | None] = list(pool.get((department, step.role), [])) or [None]
                    row = {
                        "id": uuid.uuid4(),
                        "created_at": opened,
                        "updated_at": opened,
                        "instance_id": instance_id,
                        "case_id": case_id,
                        "spiff_task_id": uuid.uuid4(),
                        "step_id": step.pk,
                        "name": step.name,
                        "department_id": department,
                        "role": step.role,
                        "opened_at": opened,
                    }
                    if position < at:
                        handler = rng.choice(staff)
                        closed = opened + dt.timedelta(hours=rng.uniform(1, 40))
                        row |= {
                            "status": "done",
                            "assignee_id": handler,
                            "completed_by_id": handler,
                            "claimed_at": opened + dt.timedelta(minutes=30),
                            "completed_at": closed,
                            "action": "approve",
                            "opinion": "同意。",
                            "due_on": due_on(),
                        }
                        counts["done_tasks"] += 1
                    else:
                        row |= {"status": "ready", "due_on": due_on()}
                        if rng.random() < CLAIMED_SHARE and staff[0] is not None:
                            row |= {
                                "status": "claimed",
                                "assignee_id": rng.choice(staff),
                                "claimed_at": opened + dt.timedelta(minutes=30),
                            }
                            counts["claimed_tasks"] += 1
                        counts["open_tasks"] += 1
                    tasks.append(row)
                opened += dt.timedelta(hours=rng.uniform(2, 48))
            yield None

    with transaction.atomic():
        produce = rows()
        while True:
            stepped = sum(1 for _ in zip(range(20_000), produce, strict=False))
            if not stepped and not instances:
                break
            bench_rows_insert(ProcessInstance, instances)
            bench_rows_insert(WorkTask, tasks)
            instances.clear()
            tasks.clear()
            if not stepped:
                break
    counts["open_cases_available"] = len(cases)
    counts["staff_written"] = sum(STAFF_PER_ROLE.values()) * len({d for d, _ in pool})
    counts["seconds"] = round(time.perf_counter() - started, 2)
    if counts["open_tasks"] < open_tasks:
        print(f"only {counts['open_tasks']} open tasks: not enough open cases", flush=True)
    return counts


def _seed(args: argparse.Namespace) -> dict[str, object]:
    """The cases benchmark's data (demo, applicants, cases) plus the workflow rows on top."""

    def workflow_rows() -> dict[str, object]:
        tasks = seed_work_tasks(open_tasks=args.tasks, rng=random.Random(args.seed))
        print(f"workflow rows {tasks}", flush=True)
        return {"workflow": tasks}

    return seed_cases_dataset(args, more=workflow_rows, action="bench.seed_workflow")


def _existing() -> dict[str, object]:
    from onewindow.core.models import AuditEntry

    entry = AuditEntry.objects.filter(action="bench.seed_workflow").order_by("-seq").first()
    if entry is None:
        raise SystemExit("no seeded workflow in this database: run once without --reuse")
    return entry.changes["dataset"] | {"reused": True}


# --- engine steps ---------------------------------------------------------------------------------------


def _engine_cases(count: int) -> list[Any]:
    """``count`` new cases of the joint-review item, applied for, submitted and accepted through the services
    (acceptance starts the process: 承办 opens in the market window clerks' inbox)."""
    from django.contrib.auth import get_user_model

    from onewindow.cases import services as case_services
    from onewindow.catalogue.models import Item
    from onewindow.demo.workflow import _form_and_materials_fill
    from onewindow.identity.models import Person

    item = Item.objects.get(published_version__name=ENGINE_ITEM, process_assignment__isnull=False)
    clerk = get_user_model().objects.get(username=MEASURED_CLERK)
    users = list(get_user_model().objects.filter(username__startswith="bcase").order_by("username")[:20])
    Person.objects.filter(user__in=users).update(assurance_level=3)
    cases = []
    for n in range(count):
        user = users[n % len(users)]
        case = case_services.case_start(user=user, item=item)
        _form_and_materials_fill(case, user)
        case = case_services.case_submit(case=case, actor=user)
        cases.append(case_services.case_accept(case=case, clerk=clerk).case)
    return cases


def bench_engine(count: int) -> dict[str, object]:
    """Claim and approve every step of ``count`` cases, one action at a time, timing each kind of action."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from onewindow.workflow import services
    from onewindow.workflow.models import OPEN_TASK_STATUSES, WorkTask

    started = time.perf_counter()
    cases = _engine_cases(count)
    setup = time.perf_counter() - started
    users = {u.username: u for u in get_user_model().objects.filter(username__in=_persona_usernames())}
    plan = [
        ("claim", "承办", MEASURED_CLERK),
        ("approve_first_step", "承办", MEASURED_CLERK),
        ("approve_joint_branch", "联合审查（市市场监管局）", "reviewer"),
        ("approve_joint_join", "联合审查（市卫健委）", "reviewer2"),
        ("approve_last_step", "批准", "approver"),
    ]
    queries, wrapper = _counting()
    times: dict[str, list[float]] = {name: [] for name, _, _ in plan}
    query_counts: dict[str, list[int]] = {name: [] for name, _, _ in plan}
    seconds: dict[str, float] = dict.fromkeys(times, 0.0)
    with connection.execute_wrapper(wrapper):
        for name, step, username in plan:
            for case in cases:
                task = WorkTask.objects.get(case=case, name=step, status__in=OPEN_TASK_STATUSES)
                before = queries[0]
                one = time.perf_counter()
                if name == "claim":
                    services.task_claim(task=task, user=users[username])
                else:
                    services.task_approve(task=task, user=users[username], opinion="同意。")
                elapsed = time.perf_counter() - one
                times[name].append(elapsed * 1000)
                seconds[name] += elapsed
                query_counts[name].append(queries[0] - before)
    approvals = [t for name in times if name.startswith("approve") for t in times[name]]
    figures: dict[str, object] = {
        name: _summary(times[name], seconds[name])
        | {"queries_min": min(query_counts[name]), "queries_max": max(query_counts[name])}
        for name in times
    }
    figures["approve_all_steps"] = _summary(
        approvals, sum(s for name, s in seconds.items() if name.startswith("approve"))
    )
    figures["cases"] = count
    figures["setup_seconds"] = round(setup, 2)
    figures["process"] = "承办 → 联合审查（市市场监管局 ∥ 市卫健委） → 批准 (demo market.food-joint)"
    return figures


# --- inbox ------------------------------------------------------------------------------------------------


def _explain(queryset: Any) -> str:
    from django.db import connection

    try:
        return str(queryset.explain(**({"analyze": False} if connection.vendor == "postgresql" else {})))
    except Exception as error:  # the plan is extra information; never fail the run for it
        return f"EXPLAIN failed: {error!r}"


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[dict[str, object], int]:
    from django.db import connection

    queries, wrapper = _counting()
    fn()  # warm
    times = []
    per_call = []
    started = time.perf_counter()
    with connection.execute_wrapper(wrapper):
        for _ in range(repeat):
            before = queries[0]
            one = time.perf_counter()
            fn()
            times.append((time.perf_counter() - one) * 1000)
            per_call.append(queries[0] - before)
    summary = _summary(times, time.perf_counter() - started)
    return summary | {"queries_min": min(per_call), "queries_max": max(per_call)}, max(per_call)


def bench_inbox(repeat: int, rng: random.Random) -> dict[str, object]:
    """The selectors and the inbox page for the demo market window clerk (and its department head)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from onewindow.organisations.selectors import staff_memberships
    from onewindow.workflow import selectors
    from onewindow.workflow.models import OPEN_TASK_STATUSES, WorkTask

    users = get_user_model().objects
    clerk, head = users.get(username=MEASURED_CLERK), users.get(username=MEASURED_HEAD)
    department_ids = list(staff_memberships(user=clerk).values_list("department_id", flat=True))
    mine = selectors.tasks_for_user(user=clerk, status="ready")
    numbers = [n for n in mine.values_list("case__number", flat=True)[:2000] if n]
    searches = [rng.choice(numbers) for _ in range(repeat)] if numbers else []
    search_iter = iter(searches * 3)
    context = {
        "user": MEASURED_CLERK,
        "department_open_tasks": WorkTask.objects.filter(
            department_id__in=department_ids, status__in=OPEN_TASK_STATUSES
        ).count(),
        "all_open_tasks": WorkTask.objects.filter(status__in=OPEN_TASK_STATUSES).count(),
        "counts": selectors.inbox_counts(user=clerk),
    }
    page = slice(0, 25)
    selector_cases: dict[str, Callable[[], Any]] = {
        "todo": lambda: list(selectors.tasks_for_user(user=clerk, status="ready")[page]),
        "claimed": lambda: list(selectors.tasks_for_user(user=clerk, status="claimed")[page]),
        "done": lambda: list(selectors.tasks_for_user(user=clerk, status="done")[page]),
        "overdue": lambda: list(selectors.tasks_for_user(user=clerk, status="overdue")[page]),
        "due_soon": lambda: list(selectors.tasks_for_user(user=clerk, status="due_soon")[page]),
        "counts": lambda: selectors.inbox_counts(user=clerk),
        "department_open": lambda: list(selectors.tasks_for_department(user=head, status="open")[page]),
        "department_open_count": lambda: selectors.tasks_for_department(user=head, status="open").count(),
        "search_case_number": lambda: list(
            selectors.tasks_for_user(user=clerk, status="ready").filter(
                case__number__icontains=next(search_iter)
            )[page]
        ),
    }
    results: dict[str, object] = {"context": context, "selectors": {}, "page": {}, "explain": {}}
    for name, fn in selector_cases.items():
        results["selectors"][name], _ = _timed(fn, repeat)  # type: ignore[index]
        print(f"selector {name} {results['selectors'][name]}", flush=True)  # type: ignore[index]
    plans = {
        "todo": selectors.tasks_for_user(user=clerk, status="ready")[page],
        "claimed": selectors.tasks_for_user(user=clerk, status="claimed")[page],
        "done": selectors.tasks_for_user(user=clerk, status="done")[page],
        "overdue": selectors.tasks_for_user(user=clerk, status="overdue")[page],
        "due_soon": selectors.tasks_for_user(user=clerk, status="due_soon")[page],
        "department_open": selectors.tasks_for_department(user=head, status="open")[page],
        "search_case_number": selectors.tasks_for_user(user=clerk, status="ready").filter(
            case__number__icontains=searches[0] if searches else "x"
        )[page],
    }
    for name, queryset in plans.items():
        results["explain"][name] = _explain(queryset)  # type: ignore[index]

    clerk_client, head_client = Client(), Client()
    clerk_client.force_login(clerk)
    head_client.force_login(head)
    pages: dict[str, tuple[Client, Callable[[], str]]] = {
        "todo": (clerk_client, lambda: "/workbench/tasks/?tab=todo"),
        "claimed": (clerk_client, lambda: "/workbench/tasks/?tab=claimed"),
        "done": (clerk_client, lambda: "/workbench/tasks/?tab=done"),
        "overdue": (clerk_client, lambda: "/workbench/tasks/?tab=overdue"),
        "due_soon": (clerk_client, lambda: "/workbench/tasks/?tab=due_soon"),
        "todo_page_5": (clerk_client, lambda: "/workbench/tasks/?tab=todo&page=5"),
        "department": (head_client, lambda: "/workbench/tasks/?tab=department"),
        "search_case_number": (clerk_client, lambda: f"/workbench/tasks/?tab=todo&q={next(search_iter)}"),
    }
    for name, (client, url) in pages.items():

        def get(client: Client = client, url: Callable[[], str] = url) -> None:
            response = client.get(url())
            if response.status_code != 200:
                raise SystemExit(f"{url()} answered {response.status_code}")

        results["page"][name], _ = _timed(get, repeat)  # type: ignore[index]
        print(f"page {name} {results['page'][name]}", flush=True)  # type: ignore[index]
    return results


# The index the inbox needs (see bench/README.md): (assignee, status) as today's worktask_assignee_status, then
# department and role, so the "unclaimed tasks of my department and role" branch of the inbox scope is one
# index range instead of every unclaimed task of the platform; due_on last for the ordering.
PROPOSED_INDEX = ("wfbench_worktask_inbox", ["assignee_id", "status", "department_id", "role", "due_on"])


def bench_index_proposal(repeat: int) -> dict[str, object]:
    """The user inbox (to do, counts, overdue, department) and the to-do page before and after creating
    ``PROPOSED_INDEX`` in this benchmark database (raw SQL, dropped afterwards: a measurement, not a migration)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from onewindow.workflow import selectors

    users = get_user_model().objects
    clerk, head = users.get(username=MEASURED_CLERK), users.get(username=MEASURED_HEAD)
    client = Client()
    client.force_login(clerk)
    page = slice(0, 25)
    measured: dict[str, Callable[[], Any]] = {
        "selector_todo": lambda: list(selectors.tasks_for_user(user=clerk, status="ready")[page]),
        "selector_overdue": lambda: list(selectors.tasks_for_user(user=clerk, status="overdue")[page]),
        "selector_counts": lambda: selectors.inbox_counts(user=clerk),
        "selector_department_open": lambda: list(
            selectors.tasks_for_department(user=head, status="open")[page]
        ),
        "page_todo": lambda: client.get("/workbench/tasks/?tab=todo"),
    }

    def run() -> dict[str, object]:
        figures: dict[str, object] = {name: _timed(fn, repeat)[0] for name, fn in measured.items()}
        figures["explain_todo"] = _explain(selectors.tasks_for_user(user=clerk, status="ready")[page])
        return figures

    name, columns = PROPOSED_INDEX
    before = run()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX {name} ON workflow_worktask ({', '.join(columns)})")
        created = time.perf_counter() - started
        cursor.execute("ANALYZE workflow_worktask" if connection.vendor == "postgresql" else "ANALYZE")
    try:
        after = run()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX {name}")
    return {
        "index": f"CREATE INDEX {name} ON workflow_worktask ({', '.join(columns)})",
        "create_seconds": round(created, 2),
        "before": before,
        "after": after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--tasks", type=int, default=100_000, help="open WorkTask rows")
    parser.add_argument("--applicants", type=int, default=200_000)
    parser.add_argument("--engine-cases", type=int, default=200, help="cases stepped through the engine")
    parser.add_argument("--repeat", type=int, default=200, help="requests per inbox measurement")
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "onewindow-workflow-bench"
    )
    parser.add_argument("--reuse", action="store_true", help="measure a database an earlier run seeded")
    parser.add_argument(
        "--index-only",
        action="store_true",
        help="with --reuse: only measure the proposed index, added to the existing results file",
    )
    parser.add_argument("--output", type=Path)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    output = args.output or RESULTS / f"workflow-{args.db}.json"

    url = _prepare(args.db, args.data_dir, fresh=not args.reuse)
    import django

    django.setup()
    logging.getLogger("django_tasks").setLevel(logging.WARNING)

    rng = random.Random(args.seed)
    if args.index_only:
        earlier = json.loads(output.read_text()) if output.exists() else {}
        proposal = bench_index_proposal(min(args.repeat, 50))
        proposal["load_average"] = [round(n, 2) for n in os.getloadavg()]
        earlier["index_proposal"] = proposal
        output.write_text(json.dumps(earlier, ensure_ascii=False, indent=2) + "\n")
        print(json.dumps(proposal, ensure_ascii=False, indent=2))
        return
    dataset = _existing() if args.reuse else _seed(args)
    results: dict[str, object] = {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine() | {"load_average_before_measuring": [round(n, 2) for n in os.getloadavg()]},
        "database": _database() | {"url_scheme": urlparse(url).scheme},
        "scale": {"cases": args.cases, "open_tasks": args.tasks, "full": args.cases >= 1_000_000},
        "dataset": dataset,
    }
    results["inbox"] = bench_inbox(args.repeat, rng)
    results["engine"] = bench_engine(args.engine_cases)
    print(f"engine {results['engine']}", flush=True)
    results["index_proposal"] = bench_index_proposal(min(args.repeat, 50))
    results["load_average_after_measuring"] = [round(n, 2) for n in os.getloadavg()]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"written to {output}")


if __name__ == "__main__":
    main()
