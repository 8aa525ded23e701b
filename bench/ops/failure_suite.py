"""The failure suite (issue #17): the production topology on this machine (``onewindow cluster``), a stream of
applications submitted over real HTTP through nginx with Idempotency-Key retries, and one fault per phase:

    kill -9 of an app server · of a task worker · of the scheduler · the primary's connections terminated
    (repeatedly, for half a phase) · the replica stopped · Redis restarted

A killed process is started again halfway through its phase, as systemd's ``Restart=always`` would
(``onewindow cluster up`` starts only what is not running); a process that died *without* being killed
(a worker or the scheduler that exits when the database goes away) is reported, then started again the same
way. Afterwards, with the queue drained: every acknowledged application present exactly once, every
notification delivered exactly once, and what the clients saw during each fault (503 JSON, never HTML 500).

    scripts/failure-suite                      # a fresh cluster in var-cluster, ~3 minutes of load
    scripts/failure-suite --phase-seconds 30 --citizens 6

Figures: bench/results/failure-suite.json and bench/results/failure-suite.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.ops.load import Citizen, Recorder, Visitor  # noqa: E402
from bench.ops.report import report_write  # noqa: E402

PUBLIC_PATHS = ["/services/", "/api/v1/items?page=1", "/api/v1/regions", "/licences/keys/"]


# Most online items take the applicant's identity card and household register from the e-licence library.
HELD_LICENCE_TYPES = ("11100000MB0148400N001", "11100000MB0148400N002")


def licences_hand_out(people: Any) -> None:
    """Give each citizen the identity licences the demo items ask for, and their consent to reuse them, so
    that their applications need no upload (the library attaches them at the start)."""
    from onewindow.demo.licences import _face_values, _primary_specs
    from onewindow.licences.models import LicenceType
    from onewindow.licences.services.issuing import licence_issue
    from onewindow.licences.services.reuse import reuse_consent_grant
    from onewindow.licences.wallet_selectors import holder_of

    specs = _primary_specs()
    for code in HELD_LICENCE_TYPES:
        licence_type = LicenceType.objects.get(code=code)
        face = _face_values(specs[code], licence_type.face_fields) if code in specs else {}
        for person in people:
            licence_issue(licence_type=licence_type, holder_person=person, face=face, actor=None)
    for person in people:
        holder = holder_of(person=person)
        assert holder is not None
        reuse_consent_grant(holder=holder, user=person.user)


def onewindow(*arguments: str, check: bool = True) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "onewindow.cli", *arguments],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"onewindow {' '.join(arguments)}: {result.stderr or result.stdout}")
    return result.stdout


class Suite:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.directory = Path(args.dir).resolve()
        self.cluster_args = [
            "--dir",
            str(self.directory),
            "--app-servers",
            str(args.app_servers),
            "--workers",
            str(args.workers),
            "--task-lease-seconds",
            str(args.task_lease_seconds),
            "--worker-heartbeat-seconds",
            str(args.worker_heartbeat_seconds),
        ]
        self.recorder = Recorder()
        self.events: list[dict[str, Any]] = []
        self.started = time.monotonic()

    def log(self, text: str, **details: Any) -> None:
        at = round(time.monotonic() - self.started, 1)
        print(f"[{at:7.1f} s] {text}", flush=True)
        self.events.append({"at_seconds": at, "phase": self.recorder.phase, "event": text, **details})

    # --- the cluster ---------------------------------------------------------------------------------------
    def cluster_fresh(self) -> None:
        if self.directory.exists() and not self.args.reuse:
            onewindow("cluster", "down", *self.cluster_args, check=False)
            shutil.rmtree(self.directory)
        self.log("cluster up (with the demo data)")
        onewindow("cluster", "up", "--demo", *self.cluster_args)

    def status(self) -> dict[str, dict[str, Any]]:
        rows = json.loads(onewindow("cluster", "status", "--json", *self.cluster_args, check=False))
        return {row["name"]: row for row in rows}

    def restart_missing(self, expected_down: set[str]) -> None:
        """Start again what is not running (systemd's Restart=always); report what died unexpectedly."""
        down = {name for name, row in self.status().items() if not row["running"]}
        if unexpected := down - expected_down:
            self.log(f"died without being killed: {', '.join(sorted(unexpected))}", died=sorted(unexpected))
        if down:
            onewindow("cluster", "up", *self.cluster_args)
            self.log(f"started again: {', '.join(sorted(down))}", restarted=sorted(down))

    def kill(self, name: str) -> None:
        """kill -9 by the service's pid file, at once (what ``onewindow cluster kill NAME`` does, without the
        seconds a new process takes to start)."""
        from onewindow.ops.cluster.engines import Cluster

        pid = Cluster(self.layout).service(name).kill(signal.SIGKILL)
        self.log(f"kill -9 {name} (pid {pid})" if pid else f"{name} was not running")

    # --- Django, in this process, on the primary directly ------------------------------------------------
    def django_setup(self) -> None:
        from onewindow.ops.cluster.layout import ClusterLayout

        layout = ClusterLayout(
            root=self.directory,
            app_servers=self.args.app_servers,
            workers=self.args.workers,
            task_lease_seconds=self.args.task_lease_seconds,
            worker_heartbeat_seconds=self.args.worker_heartbeat_seconds,
        )
        os.environ.update(layout.app_environment(direct=True))
        self.base_url = layout.public_url()
        self.layout = layout
        import django

        django.setup()

    def citizens_prepare(self) -> tuple[list[str], list[tuple[str, dict[str, Any]]]]:
        """Seeded citizens (level 3, so every online item is open) and the items they can submit without
        uploads; the probe submissions of ``_submittable_items`` are made by a citizen not in the stream."""
        from django.contrib.auth import get_user_model

        from bench.cases import _submittable_items
        from bench.seed import seed_applicants
        from onewindow.identity.models import Person

        pairs = seed_applicants(self.args.citizens + 1, random_seed=17)
        Person.objects.filter(pk__in=[person for _, person in pairs]).update(assurance_level=3)
        licences_hand_out(
            Person.objects.filter(pk__in=[person for _, person in pairs]).select_related("user")
        )
        users = list(get_user_model().objects.filter(pk__in=[user for user, _ in pairs]).order_by("username"))
        self.probe_user = users[0]
        items = [(item.implementation_code, form) for item, form in _submittable_items(users[0])]
        phones = [f"137{n:08d}" for n in range(1, self.args.citizens + 1)]
        self.stream_users = [str(user.pk) for user in users[1:]]
        return phones, items[: self.args.items]

    def database_connections_close(self) -> None:
        """This process's own connection must not be one that the database fault kills."""
        from django.db import connections

        connections.close_all()

    def database_connections_terminate(self, seconds: float) -> int:
        """The primary's client connections to the platform's database killed again and again (what a
        failover or an operator's pg_terminate_backend does), for ``seconds``."""
        import psycopg

        killed = 0
        deadline = time.monotonic() + seconds
        with psycopg.connect(
            host="127.0.0.1",
            port=self.layout.primary_port,
            user="postgres",
            password=self.layout.database_password(),
            dbname="postgres",
            autocommit=True,
        ) as admin:
            while time.monotonic() < deadline:
                rows = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = 'onewindow' AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                ).fetchall()
                killed += len(rows)
                time.sleep(0.5)
        return killed

    def worker_ids(self) -> dict[str, str]:
        """django-tasks' id of each worker process, from the line it logs when it starts."""
        ids = {}
        for index in range(1, self.args.workers + 1):
            name = f"worker-{index}"
            for line in self.layout.log_file(name).read_text(errors="replace").splitlines():
                if "Starting worker worker_id=" in line:
                    ids[line.split("worker_id=", 1)[1].split()[0]] = name
        return ids

    def worker_kill_mid_task(self, *, timeout: float) -> str:
        """kill -9 the worker that is running a task (a notification, most often) at this very moment: the
        crash that leaves a task RUNNING with nobody to finish it. Any worker after ``timeout`` without one."""
        from django_tasks_db.models import DBTaskResult

        ids = self.worker_ids()
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                running = DBTaskResult.objects.running().values_list("worker_ids", "task_path", "id").first()
                if running and running[0] and running[0][-1] in ids:
                    name = ids[running[0][-1]]
                    self.kill(name)
                    self.log(f"{name} was running {running[1]} (task {running[2]})", task=str(running[2]))
                    return name
                time.sleep(0.02)
            self.log("no worker was running a task: killing worker-1 while idle")
            self.kill("worker-1")
            return "worker-1"
        finally:
            self.database_connections_close()

    def replica_stop(self) -> None:
        from onewindow.ops.cluster.engines import PG_BIN
        from onewindow.ops.cluster.layout import postgres_os_user
        from onewindow.ops.cluster.processes import run

        run(
            [str(PG_BIN / "pg_ctl"), "stop", "-m", "immediate", "-D", str(self.layout.pg_data("replica"))],
            user=postgres_os_user(),
        )

    # --- the run -----------------------------------------------------------------------------------------
    def phases(self) -> list[tuple[str, Callable[[], set[str]]]]:
        half = self.args.phase_seconds / 2

        def kill(name: str) -> Callable[[], set[str]]:
            def fault() -> set[str]:
                self.kill(name)
                time.sleep(half)
                return {name}

            return fault

        def worker() -> set[str]:
            name = self.worker_kill_mid_task(timeout=half)
            time.sleep(half)
            return {name}

        def database() -> set[str]:
            killed = self.database_connections_terminate(half)
            self.log(f"terminated {killed} database connections over {half:.0f} s", terminated=killed)
            return set()

        def replica() -> set[str]:
            self.replica_stop()
            self.log("replica stopped (immediate)")
            time.sleep(half)
            return {"pg-replica"}

        def redis() -> set[str]:
            self.kill("redis")
            time.sleep(1.0)
            return {"redis"}

        return [
            ("baseline", lambda: (time.sleep(half), set())[1]),
            ("kill -9 app server", kill("web-1")),
            ("kill -9 worker (while it runs a task)", worker),
            ("kill -9 scheduler", kill("scheduler")),
            ("primary connections terminated", database),
            ("replica stopped", replica),
            ("Redis restarted", redis),
        ]

    def run(self) -> dict[str, Any]:
        self.cluster_fresh()
        self.django_setup()
        phones, items = self.citizens_prepare()
        self.database_connections_close()
        self.log(f"{len(phones)} citizens, {len(items)} items")
        stop = threading.Event()
        citizens = [
            Citizen(
                base_url=self.base_url,
                phone=phone,
                password=self.args.password,
                items=items,
                recorder=self.recorder,
                stop=stop,
                seed=index,
            )
            for index, phone in enumerate(phones)
        ]
        visitor = Visitor(
            base_url=self.base_url, paths=PUBLIC_PATHS, recorder=self.recorder, stop=stop, seed=99
        )
        for thread in [*citizens, visitor]:
            thread.start()
        for name, fault in self.phases():
            self.recorder.phase = name
            self.log(f"phase: {name}")
            expected_down = fault()
            self.restart_missing(expected_down)
            time.sleep(self.args.phase_seconds / 2)
        self.recorder.phase = "drain"
        stop.set()
        for thread in [*citizens, visitor]:
            thread.join(timeout=180)
        self.log("load stopped; waiting for the task queue to drain")
        from bench.ops.report import checks, queue_drain

        self.database_connections_close()
        drained = queue_drain(timeout=self.args.drain_seconds)
        self.log(f"queue drained: {drained}")
        self.restart_missing(set())
        return checks(
            suite=self,
            citizens=citizens,
            drained=drained,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    # Not under var/: that is the platform's data directory, made 0700 by every onewindow command, which
    # would shut the postgres and nginx OS users out of the cluster below it.
    parser.add_argument("--dir", default=str(ROOT / "var-cluster"))
    parser.add_argument("--app-servers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--citizens", type=int, default=4, help="concurrent submitting clients")
    parser.add_argument("--items", type=int, default=10, help="distinct items submitted")
    parser.add_argument("--phase-seconds", type=float, default=24.0)
    parser.add_argument("--drain-seconds", type=float, default=120.0)
    # A task left RUNNING by a killed worker is retried once its lease is over and the reaper (every 60 s)
    # has run: lease + 60 s must fit in the drain time.
    parser.add_argument("--task-lease-seconds", type=int, default=30)
    parser.add_argument("--worker-heartbeat-seconds", type=int, default=5)
    parser.add_argument("--password", default="Bench@2026!")
    parser.add_argument("--reuse", action="store_true", help="keep an existing cluster directory")
    parser.add_argument("--keep", action="store_true", help="leave the cluster running afterwards")
    args = parser.parse_args()
    suite = Suite(args)
    try:
        results = suite.run()
    finally:
        if not args.keep:
            onewindow("cluster", "down", *suite.cluster_args, check=False)
    json_path, markdown_path = report_write(results)
    print(f"written {json_path.relative_to(ROOT)} and {markdown_path.relative_to(ROOT)}")
    sys.exit(0 if results["verdict"]["passed"] else 1)


if __name__ == "__main__":
    main()
