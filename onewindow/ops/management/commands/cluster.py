"""``onewindow cluster up|down|status|env|kill NAME``: the production topology on one machine, on loopback.

PostgreSQL primary and a streaming replica (own clusters on 5433/5434, never the system's 5432), pgbouncer in
transaction mode, Redis on 6380, N gunicorn app servers behind nginx (8180), M task workers and the
scheduler — for the failure suite (``scripts/failure-suite``) and for trying the deployment of
docs/deploy.md. Files under ``--dir`` (default ``./var-cluster``), 0700/0600.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.ops.cluster.engines import Cluster
from onewindow.ops.cluster.layout import ClusterLayout


class Command(BaseCommand):
    help = "Start, stop or show the one-machine production topology (nginx, app servers, PostgreSQL, Redis…)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["up", "down", "status", "env", "kill"])
        parser.add_argument("name", nargs="?", help="kill: the service to kill -9 (see status)")
        # Not under var/, the data directory that settings make 0700: PostgreSQL (as the postgres OS user)
        # and nginx's workers could not reach their directories below it.
        parser.add_argument(
            "--dir", default="var-cluster", help="where the cluster lives (default var-cluster)"
        )
        parser.add_argument("--app-servers", type=int, default=2, help="gunicorn app servers behind nginx")
        parser.add_argument("--workers", type=int, default=2, help="task workers")
        parser.add_argument(
            "--task-lease-seconds",
            type=int,
            help="ONEWINDOW_TASK_LEASE_SECONDS of the cluster's processes (default: the platform's, 600)",
        )
        parser.add_argument(
            "--worker-heartbeat-seconds",
            type=int,
            help="ONEWINDOW_WORKER_HEARTBEAT_SECONDS of the cluster's processes (default: the platform's, 30)",
        )
        parser.add_argument("--demo", action="store_true", help="up: load the demo data after migrating")
        parser.add_argument("--json", action="store_true", help="status: as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["app_servers"] < 1 or options["workers"] < 1:
            raise CommandError("--app-servers and --workers must be at least 1")
        layout = ClusterLayout(
            root=Path(options["dir"]).resolve(),
            app_servers=options["app_servers"],
            workers=options["workers"],
            task_lease_seconds=options["task_lease_seconds"],
            worker_heartbeat_seconds=options["worker_heartbeat_seconds"],
        )
        action = options["action"]
        try:
            cluster = Cluster(layout)
            if action == "up":
                cluster.up(demo=options["demo"], say=self._say)
                self._say(
                    f"up: {layout.public_url()}/  (status: onewindow cluster status --dir {layout.root})"
                )
            elif action == "down":
                cluster.down(say=self._say)
            elif action == "status":
                self._status(cluster, as_json=options["json"])
            elif action == "env":
                for key, value in layout.app_environment().items():
                    self.stdout.write(f"export {key}='{value}'")
            else:
                self._kill(cluster, options["name"])
        except RuntimeError as error:
            raise CommandError(str(error)) from error

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def _status(self, cluster: Cluster, *, as_json: bool) -> None:
        rows = cluster.status()
        if as_json:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        for row in rows:
            state = "running" if row["running"] else "stopped"
            port = f":{row['port']}" if row["port"] else ""
            listening = (
                "" if row["listening"] is None else (" listening" if row["listening"] else " not listening")
            )
            self.stdout.write(f"{row['name']:<12} {state:<8} pid {row['pid'] or '-':<8} {port}{listening}")
        if not all(row["running"] for row in rows):
            raise CommandError("some services are not running")

    def _kill(self, cluster: Cluster, name: str | None) -> None:
        if not name:
            raise CommandError("kill needs the name of a service (see status)")
        try:
            service = cluster.service(name)
        except KeyError:
            raise CommandError(f"no service {name!r}") from None
        pid = service.kill(signal.SIGKILL)
        self._say(f"killed {name} (pid {pid})" if pid else f"{name} was not running")
