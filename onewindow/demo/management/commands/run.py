"""The quick start: migrate, load the demo once, then run the web server, one worker and the scheduler, and
restart any of them that dies (with back-off) until Ctrl+C."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from onewindow.demo.data import DEMO_PASSWORD, PERSONAS, demo_load
from onewindow.demo.identity import demo_identity_summary

logger = logging.getLogger("onewindow.run")

# A child that dies is started again after 1 s, then 2, 4 … up to a minute while it keeps dying; one that
# ran this long before dying counts as healthy and restarts at once.
RESTART_DELAY_FIRST = 1.0
RESTART_DELAY_MAX = 60.0
HEALTHY_AFTER_SECONDS = 30.0


@dataclass
class Child:
    """One supervised process: its command, the running process, and its restart back-off."""

    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    delay: float = RESTART_DELAY_FIRST
    restart_at: float | None = None
    restarts: int = field(default=0)

    def start(self) -> None:
        self.process = subprocess.Popen(self.command)
        self.started_at = time.monotonic()
        self.restart_at = None


class Command(BaseCommand):
    help = "Run the whole platform on this machine: web server, task worker and scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--no-demo", action="store_true", help="do not load the demo data")

    def handle(self, *args: object, **options: object) -> None:
        self._migrate()
        self._step("collecting static files")
        call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_demo"]:
            self._load_demo()
        onewindow = [sys.executable, "-m", "onewindow.cli"]
        children = [
            Child(
                "web",
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "onewindow.wsgi",
                    "--bind",
                    str(options["bind"]),
                    "--workers",
                    str(options["web_workers"]),
                    "--access-logfile",
                    "-",
                ],
            ),
            Child("worker", [*onewindow, "worker"]),
            Child("scheduler", [*onewindow, "scheduler"]),
        ]
        for child in children:
            child.start()
        # Drawn once in the background (niced), so the first visitors to a guide's PDF find it ready.
        warm = subprocess.Popen([*onewindow, "catalogue_pdfs_warm"], preexec_fn=lambda: os.nice(10))
        self._banner(str(options["bind"]), demo=not options["no_demo"])
        self._supervise(children, one_shots=[warm])

    def _step(self, text: str) -> None:
        self.stdout.write(f"» {text}")
        self.stdout.flush()

    def _migrate(self) -> None:
        connection = connections["default"]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if not plan:
            self._step("database is up to date")
            return
        self._step(f"migrating the database: {len(plan)} migrations to apply")
        # The raw stream: a second OutputWrapper would end each "Applying …" with a newline before its "OK".
        call_command("migrate", interactive=False, verbosity=1, stdout=sys.stdout)

    def _load_demo(self) -> None:
        started = time.monotonic()
        self._step("loading the demo data (first run: a minute or two)")
        created = demo_load(progress=lambda name: self._step(f"  demo: {name}"))
        made = ", ".join(f"{count} {what}" for what, count in created.items() if count)
        self._step(f"demo data ready in {time.monotonic() - started:.0f} s ({made or 'nothing new'})")

    def _banner(self, bind: str, *, demo: bool) -> None:
        url = settings.ONEWINDOW_PUBLIC_BASE_URL
        self.stdout.write(
            self.style.SUCCESS(
                f"\nonewindow is running at {url}  (listening on {bind}; database: "
                f"{settings.DATABASES['default']['NAME']})"
            )
        )
        self.stdout.write(
            f"  portal {url}/   workbench {url}/workbench/   admin {url}/admin/   health {url}/healthz"
        )
        self.stdout.write(f"  elderly mode {url}/elderly/   kiosk {url}/kiosk/")
        if demo:
            self.stdout.write(f"  demo staff accounts, password {DEMO_PASSWORD}:")
            for persona in PERSONAS:
                self.stdout.write(f"    {persona.username:<17} {persona.description}")
            self.stdout.write(demo_identity_summary(indent="  "))
        self.stdout.write("  press Ctrl+C to stop\n")
        self.stdout.flush()

    def _supervise(self, children: list[Child], one_shots: list[subprocess.Popen[bytes]]) -> None:
        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            for child in children:
                supervise_step(child, now=time.monotonic())
            time.sleep(0.5)
        everything = [c.process for c in children if c.process is not None] + one_shots
        for process in everything:
            if process.poll() is None:
                process.terminate()
        for process in everything:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def supervise_step(child: Child, *, now: float) -> None:
    """Look after one child once: notice that it died, and start it again when its back-off has passed."""
    if child.restart_at is not None:
        if now >= child.restart_at:
            child.restarts += 1
            logger.warning("restarting %s (restart %d)", child.name, child.restarts)
            child.start()
        return
    if child.process is None or (code := child.process.poll()) is None:
        return
    if now - child.started_at >= HEALTHY_AFTER_SECONDS:
        child.delay = RESTART_DELAY_FIRST
    logger.error("%s exited with status %s; restarting it in %.0f s", child.name, code, child.delay)
    child.restart_at = now + child.delay
    child.delay = min(child.delay * 2, RESTART_DELAY_MAX)
