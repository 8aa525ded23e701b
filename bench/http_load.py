"""The HTTP load suite (issue #18): onewindow over real HTTP against a bare-Django floor, measured with wrk.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_http_bench .venv/bin/python bench/http_load.py --scale full
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_http_bench .venv/bin/python bench/http_load.py --scale smoke \\
        --check bench/results/http-smoke.json          # the CI step: fails when a ratio halves

It seeds PostgreSQL (a database whose name contains "bench" is dropped and created again): the demo, then
applicants, cases, open workflow tasks, licences and catalogue items in bulk with the other benchmarks' own
generators (``bench/seed.py``, ``bench/workflow.py``, ``bench/licences.py``, ``bench/search.py``). It starts
the production settings under gunicorn (``--workers`` sync workers, like the floor; Redis as the shared cache,
``--redis-url``, its database emptied first) and the floor app
(``bench/floor/``: one indexed read of a case by number, JSON), then runs ``wrk`` on each endpoint at each
concurrency, floor and onewindow interleaved in pairs (the order alternating), and reports medians of the
pairs and each endpoint's ratio to the floor. A run answered with any non-2xx response, or with socket
errors, is invalid and reported as such (the suite exits 1). Submissions over HTTP (create + submit in one
request with a citizen session, and with a bearer token) are timed by Python client threads.

Figures: ``bench/results/http-<scale>.json`` and ``.md`` (see bench/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import RESULTS, _database, _machine, _postgres_recreate  # noqa: E402

SCALES: dict[str, dict[str, int]] = {
    # cases, applicants, open tasks, licences (signed among them), catalogue items on top of the demo
    "smoke": {"cases": 5_000, "applicants": 2_000, "tasks": 1_000, "licences": 1_000, "signed": 40, "items": 0},
    "small": {"cases": 50_000, "applicants": 20_000, "tasks": 10_000, "licences": 10_000, "signed": 200, "items": 2_000},
    "full": {
        "cases": 1_000_000, "applicants": 200_000, "tasks": 100_000, "licences": 100_000, "signed": 1_000,
        "items": 10_000,
    },
}  # fmt: skip
LUA = """
local paths = {}
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  counter = math.random(#paths)
end
request = function()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end
"""
# The benchmark's own Redis database, emptied at each run (bench/jobs.py reuses what the suite seeded).
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
SEARCH_PHRASES = ["营业执照", "食品经营许可", "社保卡", "护照", "新生儿出生", "公司注册"]


@dataclass
class Endpoint:
    name: str
    paths: list[str]
    headers: tuple[str, ...] = ()
    concurrency: tuple[int, ...] = (16,)


# --- environment, seeding -------------------------------------------------------------------------------


def _redis_empty(url: str) -> None:
    """Empty the benchmark's Redis database: pages and counters stored by a run over another dataset would be
    answered from the cache. Fails when Redis is not there, as the production configuration would."""
    import redis

    try:
        redis.Redis.from_url(url).flushdb()
    except redis.RedisError as error:
        raise SystemExit(
            f"Redis at {url} is not reachable ({error}); pass --redis-url '' for the file cache"
        ) from error


def _environment(args: argparse.Namespace) -> dict[str, str]:
    """The production settings with what a benchmark host needs: plain HTTP on loopback, the rate limits on
    public look-ups and writes lifted (wrk asks from one address thousands of times a minute), sandbox
    plug-ins (no SMS gateway), staff sign-in without TOTP (the inbox is read with a session made here)."""
    return {
        "DJANGO_SETTINGS_MODULE": "onewindow.settings",
        "DATABASE_URL": args.database_url,
        "ONEWINDOW_DATA_DIR": str(args.data_dir),
        "SECRET_KEY": "bench-http-not-secret-" + "x" * 40,
        "ONEWINDOW_HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "ONEWINDOW_PUBLIC_LOOKUP_PER_MINUTE": "1000000000",
        "ONEWINDOW_ACCOUNT_WRITES_PER_MINUTE": "1000000000",
        "ONEWINDOW_SANDBOX": "true",
        "ONEWINDOW_ALLOW_SANDBOX_PLUGINS": "true",
        "ONEWINDOW_STAFF_TOTP_REQUIRED": "false",
        "LOG_LEVEL": "WARNING",
        **({"REDIS_URL": args.redis_url} if args.redis_url else {}),
    }


def _seed(args: argparse.Namespace, sizes: dict[str, int]) -> dict[str, object]:
    from django.core.management import call_command
    from django.db import connection

    import bench.search
    from bench.licences import seed_licences
    from bench.seed import seed_applicants, seed_cases
    from bench.workflow import seed_work_tasks
    from onewindow.catalogue.search import search_index_rebuild
    from onewindow.core.services import audit_record

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    dataset: dict[str, object] = {"migrate_and_demo_seconds": round(time.perf_counter() - started, 1)}
    rng = random.Random(args.seed)
    started = time.perf_counter()
    applicants = seed_applicants(sizes["applicants"], random_seed=args.seed)
    dataset["cases"] = seed_cases(cases=sizes["cases"], applicants=applicants, random_seed=args.seed)
    print(f"cases {dataset['cases']}", flush=True)
    dataset["workflow"] = seed_work_tasks(open_tasks=sizes["tasks"], rng=rng)
    dataset["licences"] = seed_licences(sizes["licences"], sizes["signed"], rng)
    print(f"licences {dataset['licences']}", flush=True)
    if sizes["items"]:
        bench.search.ITEMS = sizes["items"]
        dataset["items"] = bench.search._generate(rng)
        dataset["search_documents"] = search_index_rebuild()
    dataset["seed_seconds"] = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    audit_record(actor=None, action="bench.seed_http", changes={"dataset": dataset})
    return dataset


def _existing() -> dict[str, object]:
    from onewindow.core.models import AuditEntry

    entry = AuditEntry.objects.filter(action="bench.seed_http").order_by("-seq").first()
    if entry is None:
        raise SystemExit("no HTTP suite data in this database: run once without --reuse")
    return entry.changes["dataset"] | {"reused": True}


# --- what is asked ----------------------------------------------------------------------------------------


def _csrf_and_session(user: Any) -> tuple[str, str]:
    """A signed-in session for ``user`` made as the sign-in view would (``login`` with its signals), and a
    CSRF token: the cookie header and the token for ``X-CSRFToken``."""
    from django.conf import settings
    from django.middleware.csrf import _get_new_csrf_string  # type: ignore[attr-defined]
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = _get_new_csrf_string()
    return f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}", csrf


def _bench_password_opens(number: str) -> bool:
    """Whether the seeded password opens this case: the demo's own few cases (made through the platform, with
    random passwords) would answer 404 and make every tracking run invalid with one stray non-2xx."""
    from bench.seed import bench_case_password
    from onewindow.cases.selectors import case_track
    from onewindow.core.errors import DomainError

    try:
        case_track(case_number=number, password=bench_case_password(number))
    except DomainError:
        return False
    return True


def _endpoints(rng: random.Random, sample: int) -> tuple[list[Endpoint], list[str]]:
    from django.contrib.auth import get_user_model

    from bench.seed import bench_case_password
    from onewindow.cases.models import Case
    from onewindow.catalogue.models import Item
    from onewindow.licences.models import Licence, SigningKey

    numbers = list(
        Case.objects.exclude(number=None).filter(parent=None).values_list("number", flat=True)[: sample * 20]
    )
    numbers = [n for n in rng.sample(numbers, min(sample, len(numbers))) if _bench_password_opens(n)]
    floor = [f"/track/{number}" for number in numbers]
    tracking = [f"/api/v1/track/{n}?password={bench_case_password(n)}" for n in numbers]
    items = list(
        Item.objects.exclude(published_version=None)
        .order_by("-popularity")
        .values_list("implementation_code", flat=True)[:200]
    )
    guides = [f"/services/items/{code}/" for code in items]
    signed = {
        algorithm: list(
            Licence.objects.filter(signing_key__in=SigningKey.objects.filter(algorithm=algorithm))
            .exclude(signature__startswith="bench")
            .values_list("identifier", flat=True)[:sample]
        )
        for algorithm in ("ed25519", "sm2-sm3")
    }
    clerk = get_user_model().objects.get(username="clerk_market")
    cookie, _ = _csrf_and_session(clerk)
    endpoints = [
        Endpoint("tracking", tracking, concurrency=(1, 16)),
        Endpoint("guide", guides),
        Endpoint("search", [f"/services/search/?q={quote(phrase)}" for phrase in SEARCH_PHRASES]),
        Endpoint("home", ["/"], concurrency=(1, 16)),
        Endpoint("verify_ed25519", [f"/api/v1/licences/verify/{i}" for i in signed["ed25519"]]),
        Endpoint("verify_sm2", [f"/api/v1/licences/verify/{i}" for i in signed["sm2-sm3"]]),
        Endpoint("inbox_clerk_market", ["/workbench/tasks/"], headers=(f"Cookie: {cookie}",)),
    ]
    return endpoints, floor


# --- servers --------------------------------------------------------------------------------------------


def _wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing listens on port {port} after {timeout} s")


def _gunicorn(app: str, port: int, workers: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", "sync", "--timeout", "60", "--access-logfile", "/dev/null",
        # The default control socket in the home directory would be shared by every gunicorn there.
        "--no-control-socket",
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    _wait_for(port)
    return process


def _nginx(name: str, port: int, app_port: int, static_root: Path | str, root: Path) -> Path:
    """nginx on ``port`` in front of the gunicorn on ``app_port``, with the committed production configuration
    (``onewindow/ops/cluster/templates/nginx.conf``, the one docs/deploy.md shows); the collected static files
    from disk when ``static_root`` is given. Returns its configuration file (what ``_nginx_stop`` needs)."""
    from onewindow.ops.cluster.engines import render

    directory = root / f"nginx-{name}"
    (directory / "tmp").mkdir(parents=True, exist_ok=True)
    conf = directory / "nginx.conf"
    # Started as root nginx would run its workers as nobody, who cannot read the 0700 data directory the
    # static files are collected into: on this loopback-only benchmark they run as the invoking user.
    user = "root root" if os.geteuid() == 0 else ""
    conf.write_text(
        render(
            "nginx.conf", user=user, nginx_dir=directory, log_dir=directory, app_ports=[app_port],
            nginx_port=port, static_root=static_root,
        )
    )  # fmt: skip
    subprocess.run(["nginx", "-p", str(directory), "-c", str(conf), "-t"], check=True, capture_output=True)
    subprocess.run(["nginx", "-p", str(directory), "-c", str(conf)], check=True)
    _wait_for(port)
    return conf


def _nginx_stop(conf: Path) -> None:
    subprocess.run(["nginx", "-p", str(conf.parent), "-c", str(conf), "-s", "quit"], check=False)


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


# --- wrk --------------------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk_parse(output: str) -> dict[str, Any]:
    """Requests/s, the latency percentiles and the errors of one ``wrk --latency`` run."""
    result: dict[str, Any] = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])}  # type: ignore[index]
    for percentile in ("50", "90", "99"):
        found = re.search(rf"^\s+{percentile}%\s+([\d.]+(?:us|ms|s))", output, re.M)
        result[f"p{percentile}_ms"] = round(_ms(found[1]), 2) if found else None
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["non_2xx"] = int(non_2xx[1]) if non_2xx else 0
    result["socket_errors"] = sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    result["requests"] = int(re.search(r"(\d+) requests in", output)[1])  # type: ignore[index]
    result["valid"] = result["non_2xx"] == 0 and result["socket_errors"] == 0 and result["requests"] > 0
    return result


def wrk_run(port: int, endpoint: Endpoint, concurrency: int, seconds: int, workdir: Path) -> dict[str, Any]:
    paths = workdir / f"{endpoint.name}.paths"
    paths.write_text("\n".join(endpoint.paths) + "\n")
    script = workdir / "paths.lua"
    script.write_text(LUA)
    # A 30 s timeout: wrk's 2 s default counts a slow answer as a socket error (an invalid run), and slow is
    # what is being measured.
    command = [
        "wrk",
        f"-t{min(2, concurrency)}",
        f"-c{concurrency}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "30s",
    ]
    for header in endpoint.headers:
        command += ["-H", header]
    command += ["-s", str(script), f"http://127.0.0.1:{port}", "--", str(paths)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return wrk_parse(output)


def _request(port: int, path: str, endpoint: Endpoint) -> urllib.request.Request:
    """A GET of ``path`` with the endpoint's headers, as wrk sends it."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    for header in endpoint.headers:
        name, _, value = header.partition(": ")
        request.add_header(name, value)
    return request


def _precheck(port: int, endpoint: Endpoint) -> None:
    """Every path answers 200 before it is measured (a redirect to the sign-in page would measure nothing)."""
    for path in {endpoint.paths[0], endpoint.paths[-1]}:
        request = _request(port, path, endpoint)

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        try:
            status = urllib.request.build_opener(NoRedirect).open(request, timeout=60).status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 200:
            raise SystemExit(f"{endpoint.name}: {path} answers {status}, not 200")


def _visit_each(port: int, endpoint: Endpoint) -> None:
    """Ask for every path once, after the timed warm-up: a warm-up of a few seconds left some of the 161 smoke
    guides unvisited (one in four or five, by chance), and their first rendering (~50 ms each, 13 statements)
    inside a 3-second run took the guide from 60 % of the floor to 9 % between two runs of the same code. What
    is measured is a server whose shared cache holds the public pages, as one that has been up for a while."""
    for path in dict.fromkeys(endpoint.paths):
        with urllib.request.build_opener().open(_request(port, path, endpoint), timeout=60) as response:
            response.read()


def _median(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [run[key] for run in runs if run.get(key) is not None]
    return round(statistics.median(values), 2) if values else None


def measure_pairs(
    *, endpoint: Endpoint, floor: Endpoint, ports: tuple[int, int], concurrency: int, args: argparse.Namespace,
    workdir: Path,
) -> dict[str, Any]:  # fmt: skip
    """``--pairs`` pairs of runs, onewindow and floor back to back, the order alternating between pairs."""
    ours, theirs = [], []
    for pair in range(args.pairs):
        order = [("ours", ports[0], endpoint), ("floor", ports[1], floor)]
        for side, port, target in order if pair % 2 == 0 else reversed(order):
            run = wrk_run(port, target, concurrency, args.seconds, workdir)
            (ours if side == "ours" else theirs).append(run)
    result: dict[str, Any] = {
        "concurrency": concurrency,
        "valid": all(run["valid"] for run in ours + theirs),
        "onewindow": {key: _median(ours, key) for key in ("requests_per_s", "p50_ms", "p90_ms", "p99_ms")},
        "floor": {key: _median(theirs, key) for key in ("requests_per_s", "p50_ms", "p90_ms", "p99_ms")},
        "runs": {"onewindow": ours, "floor": theirs},
    }
    floor_rps = result["floor"]["requests_per_s"] or 0
    result["ratio"] = round(result["onewindow"]["requests_per_s"] / floor_rps, 4) if floor_rps else None
    return result


# --- submissions over HTTP --------------------------------------------------------------------------------


def _submitters(count: int) -> tuple[list[Any], list[tuple[str, dict[str, Any]]]]:
    """Seeded citizens at level 3 holding the identity licences the demo items take from the library (with
    their consent to reuse them), and the online items they can submit with the guide's example form."""
    from django.contrib.auth import get_user_model

    from bench.cases import _submittable_items
    from bench.ops.failure_suite import licences_hand_out
    from onewindow.identity.models import Person

    users = list(
        get_user_model().objects.filter(username__startswith="bcase").order_by("username")[: count + 1]
    )
    people = Person.objects.filter(user__in=users)
    people.update(assurance_level=3)
    licences_hand_out(people.select_related("user"))
    items = [(item.implementation_code, form) for item, form in _submittable_items(users[0])]
    if not items:
        raise SystemExit("no online item can be submitted without an upload: nothing to measure")
    return users[1:], items


def _bearer_token(user: Any) -> str:
    """An access token with the ``cases`` scope for ``user`` from the demo's first OIDC client, written as the
    provider would store it (the token endpoint's exchange is not what is measured)."""
    from django.utils import timezone
    from oauth2_provider.models import AccessToken, Application

    token = uuid.uuid4().hex + uuid.uuid4().hex
    AccessToken.objects.create(
        user=user,
        application=Application.objects.order_by("pk").first(),
        token=token,
        expires=timezone.now() + dt.timedelta(days=1),
        scope="openid cases",
    )
    return token


def measure_submissions(
    *, port: int, users: list[Any], items: list[tuple[str, dict[str, Any]]], clients: int, seconds: int,
    bearer: bool,
) -> dict[str, Any]:  # fmt: skip
    """``clients`` threads, each its own citizen, each submitting one application after another (create and
    submit in one request, a new Idempotency-Key each) for ``seconds``."""
    import requests

    stop = threading.Event()
    times: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def work(user: Any, seed: int) -> None:
        session = requests.Session()
        rng = random.Random(seed)
        if bearer:
            session.headers["Authorization"] = f"Bearer {_bearer_token(user)}"
        else:
            cookie, csrf = _csrf_and_session(user)
            session.headers.update(
                {"Cookie": cookie, "X-CSRFToken": csrf, "Referer": f"http://127.0.0.1:{port}/"}
            )
        while not stop.is_set():
            code, form = rng.choice(items)
            started = time.perf_counter()
            answer = session.post(
                f"http://127.0.0.1:{port}/api/v1/cases",
                json={"item": code, "form_data": form, "submit": True},
                headers={"Idempotency-Key": str(uuid.uuid4())},
                timeout=60,
            )
            elapsed = time.perf_counter() - started
            with lock:
                if answer.status_code in (200, 201) and answer.json()["status"]["code"] == "submitted":
                    times.append(elapsed)
                else:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")

    threads = [threading.Thread(target=work, args=(users[n], n), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # sessions and tokens made; the clock starts with the load running
    with lock:
        times.clear()
    started = time.perf_counter()
    time.sleep(seconds)
    with lock:
        done, window = list(times), time.perf_counter() - started
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    return {
        "clients": clients,
        "auth": "bearer token" if bearer else "citizen session",
        "cases_per_s": round(len(done) / window, 2),
        "p50_ms": round(statistics.median(done) * 1000, 1) if done else None,
        "requests_per_case": 1,
        "failures": len(failures),
        "failure_samples": failures[:3],
        "valid": not failures and bool(done),
    }


# --- report -----------------------------------------------------------------------------------------------


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"# HTTP load suite — {results['scale']} scale, {results['timestamp']}",
        "",
        f"{'nginx in front of ' if results.get('nginx') else ''}gunicorn {results['workers']} sync workers each "
        "(onewindow: production settings; floor: bench/floor), "
        f"wrk {results['seconds']} s per run, median of {results['pairs']} interleaved pairs; load average "
        f"{results['machine']['load_average_before_measuring']} before, {results['load_average_after_measuring']} after.",
        "",
        "| endpoint | clients | onewindow req/s | p50 / p99 ms | floor req/s | floor p50 ms | ratio | valid |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, runs in results["endpoints"].items():
        for run in runs:
            ours, floor = run["onewindow"], run["floor"]
            ratio = f"{run['ratio'] * 100:.0f} %" if run["ratio"] is not None else "—"
            lines.append(
                f"| {name} | {run['concurrency']} | {ours['requests_per_s']} | {ours['p50_ms']} / {ours['p99_ms']} "
                f"| {floor['requests_per_s']} | {floor['p50_ms']} | {ratio} | {'yes' if run['valid'] else '**NO**'} |"
            )
    if results.get("submissions"):
        lines += [
            "",
            "| submissions (create + submit, one request) | clients | cases/s | p50 ms | valid |",
            "|---|---|---|---|---|",
        ]
        for run in results["submissions"]:
            lines.append(
                f"| {run['auth']} | {run['clients']} | {run['cases_per_s']} | {run['p50_ms']} | "
                f"{'yes' if run['valid'] else '**NO**'} |"
            )
    return "\n".join(lines) + "\n"


def check_against(results: dict[str, Any], reference_path: Path) -> list[str]:
    """Endpoints whose ratio to the floor fell below half the reference run's (the committed figures)."""
    reference = json.loads(reference_path.read_text())
    fallen = []
    for name, runs in results["endpoints"].items():
        earlier = {run["concurrency"]: run["ratio"] for run in reference.get("endpoints", {}).get(name, [])}
        for run in runs:
            before = earlier.get(run["concurrency"])
            if before and run["ratio"] is not None and run["ratio"] < before / 2:
                fallen.append(
                    f"{name} at {run['concurrency']} clients: {run['ratio'] * 100:.1f} % of the floor, "
                    f"below half of the committed {before * 100:.1f} % ({reference_path})"
                )
    return fallen


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "onewindow-http-bench")
    parser.add_argument("--reuse", action="store_true", help="measure the database an earlier run seeded")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers, onewindow and floor")
    parser.add_argument(
        "--port", type=int, default=8180, help="onewindow; the floor listens on the next port"
    )
    parser.add_argument(
        "--nginx",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="put nginx (the committed configuration, static files from disk) in front of onewindow and of "
        "the floor alike, on the given ports, with gunicorn two ports up (--no-nginx: wrk asks gunicorn)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
        help="the shared cache, as in production (emptied first: a database for the benchmark alone); '' runs "
        "with the quick start's file cache, which holds neither the public pages nor the counters as well",
    )
    parser.add_argument("--seconds", type=int, default=20, help="per wrk run")
    parser.add_argument(
        "--warmup", type=int, default=10, help="seconds of unrecorded load per endpoint first"
    )
    parser.add_argument(
        "--pairs", type=int, default=3, help="interleaved onewindow/floor pairs per measurement"
    )
    parser.add_argument("--submission-clients", type=int, nargs="*", default=[1, 4, 16])
    parser.add_argument(
        "--bearer",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also submit with bearer tokens (needs the API's CSRF check limited to cookie sessions)",
    )
    parser.add_argument("--only", nargs="*", help="measure only these endpoints (names as in the report)")
    parser.add_argument("--check", type=Path, help="fail when a ratio is below half of this earlier result's")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if "bench" not in args.database_url.rsplit("/", 1)[-1] or not args.database_url.startswith("postgres"):
        raise SystemExit(
            "--database-url (or DATABASE_URL) must name a PostgreSQL database containing 'bench'"
        )
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    output = args.output or RESULTS / f"http-{args.scale}.json"
    sizes = SCALES[args.scale]
    if not args.reuse:
        if args.data_dir.exists():
            shutil.rmtree(args.data_dir)
        _postgres_recreate(args.database_url)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    if args.redis_url:
        _redis_empty(args.redis_url)
    env = _environment(args)
    if args.nginx:
        # nginx passes Host without the port: the submissions' Origin/Referer names the port nginx listens on.
        env |= {"ONEWINDOW_BEHIND_PROXY": "true", "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{args.port}"}
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    dataset = _existing() if args.reuse else _seed(args, sizes)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"data ready in {time.perf_counter() - started:.0f} s", flush=True)
    rng = random.Random(args.seed)
    endpoints, floor_paths = _endpoints(rng, sample=2_000 if args.scale == "full" else 500)
    if args.only:
        endpoints = [endpoint for endpoint in endpoints if endpoint.name in args.only]
    floor = Endpoint("floor", floor_paths)
    logs = args.data_dir / "logs"
    logs.mkdir(exist_ok=True)
    # wrk always asks args.port (onewindow) and args.port + 1 (the floor); behind nginx gunicorn listens two up.
    app_port = args.port + 2 if args.nginx else args.port
    if args.nginx and not shutil.which("nginx"):
        raise SystemExit("nginx is missing: apt-get install -y nginx (or measure gunicorn alone: --no-nginx)")
    ours = _gunicorn("onewindow.wsgi", app_port, args.workers, env, logs / "onewindow.log")
    floor_env = env | {"DJANGO_SETTINGS_MODULE": "bench.floor.settings"}
    theirs = _gunicorn("bench.floor.wsgi", app_port + 1, args.workers, floor_env, logs / "floor.log")
    proxies = []
    if args.nginx:
        from django.conf import settings

        proxies = [
            _nginx("onewindow", args.port, app_port, settings.STATIC_ROOT, args.data_dir),
            _nginx("floor", args.port + 1, app_port + 1, "", args.data_dir),
        ]
    results: dict[str, Any] = {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scale": args.scale,
        "sizes": sizes,
        "machine": _machine() | {"load_average_before_measuring": [round(n, 2) for n in os.getloadavg()]},
        "database": _database(),
        "dataset": dataset,
        "workers": args.workers,
        "nginx": args.nginx,
        "seconds": args.seconds,
        "pairs": args.pairs,
        "endpoints": {},
    }
    try:
        with tempfile.TemporaryDirectory() as workdir:
            for endpoint in [floor, *endpoints]:
                port = args.port + 1 if endpoint is floor else args.port
                _precheck(port, endpoint)
                # Not recorded: every worker process loads what it keeps for its life (jieba's dictionary
                # takes seconds, the first connection, the templates) and the shared cache fills, as on a
                # server that has been up for a while.
                if args.warmup:
                    wrk_run(port, endpoint, 4, args.warmup, Path(workdir))
                    _visit_each(port, endpoint)
            for endpoint in endpoints:
                results["endpoints"][endpoint.name] = []
                for concurrency in endpoint.concurrency:
                    run = measure_pairs(
                        endpoint=endpoint, floor=floor, ports=(args.port, args.port + 1),
                        concurrency=concurrency, args=args, workdir=Path(workdir),
                    )  # fmt: skip
                    print(f"{endpoint.name} c={concurrency}: {run['onewindow']} floor {run['floor']} "
                          f"ratio {run['ratio']} valid {run['valid']}", flush=True)  # fmt: skip
                    results["endpoints"][endpoint.name].append(run)
        if args.submission_clients and (not args.only or "submissions" in args.only):
            users, items = _submitters(max(args.submission_clients) * 2)
            results["submissions"] = []
            for bearer in (False, True) if args.bearer else (False,):
                for clients in args.submission_clients:
                    run = measure_submissions(
                        port=args.port, users=users[clients if bearer else 0 :], items=items, clients=clients,
                        seconds=max(args.seconds, 10), bearer=bearer,
                    )  # fmt: skip
                    print(f"submissions {run}", flush=True)
                    results["submissions"].append(run)
    finally:
        for conf in proxies:
            _nginx_stop(conf)
        _stop(ours)
        _stop(theirs)
    results["load_average_after_measuring"] = [round(n, 2) for n in os.getloadavg()]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    output.with_suffix(".md").write_text(markdown(results))
    print(markdown(results))
    print(f"written to {output} and {output.with_suffix('.md')}")
    invalid = [name for name, runs in results["endpoints"].items() if not all(run["valid"] for run in runs)]
    invalid += [
        f"submissions {run['auth']} ×{run['clients']}"
        for run in results.get("submissions", [])
        if not run["valid"]
    ]
    fallen = check_against(results, args.check) if args.check and args.check.exists() else []
    for problem in [f"INVALID (non-2xx or socket errors): {name}" for name in invalid] + fallen:
        print(f"FAIL {problem}", file=sys.stderr)
    if invalid or fallen:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
