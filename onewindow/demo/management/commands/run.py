"""The quick start: migrate, load the demo once, then run the web server, one worker and the scheduler."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from onewindow.demo.data import DEMO_PASSWORD, PERSONAS
from onewindow.demo.identity import demo_identity_summary


class Command(BaseCommand):
    help = "Run the whole platform on this machine: web server, task worker and scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--no-demo", action="store_true", help="do not load the demo data")

    def handle(self, *args: object, **options: object) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_demo"]:
            call_command("demo", verbosity=0)
        onewindow = [sys.executable, "-m", "onewindow.cli"]
        children = [
            subprocess.Popen(
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
                ]
            ),
            subprocess.Popen([*onewindow, "worker"]),
            subprocess.Popen([*onewindow, "scheduler"]),
        ]
        url = f"http://{options['bind']}"
        self.stdout.write(
            self.style.SUCCESS(
                f"\nonewindow is running at {url}  (database: {settings.DATABASES['default']['NAME']})"
            )
        )
        self.stdout.write(
            f"  portal {url}/   workbench {url}/workbench/   admin {url}/admin/   health {url}/healthz"
        )
        if not options["no_demo"]:
            self.stdout.write(f"  demo staff accounts, password {DEMO_PASSWORD}:")
            for persona in PERSONAS:
                self.stdout.write(f"    {persona.username:<17} {persona.description}")
            self.stdout.write(demo_identity_summary(indent="  "))
        self.stdout.write("  press Ctrl+C to stop\n")
        self._supervise(children)

    def _supervise(self, children: list[subprocess.Popen[bytes]]) -> None:
        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.5)
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
