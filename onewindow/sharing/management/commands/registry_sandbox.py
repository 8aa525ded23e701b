"""``onewindow registry_sandbox down market`` / ``up market`` / ``status``: stop or restart sandbox registries
(the demo's degraded path: intake falls back to uploads)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.sharing.registries import REGISTRIES, sandbox_down_names, sandbox_down_set


class Command(BaseCommand):
    help = "Switch sandbox registries off (down) or on (up), or show which are off (status)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["down", "up", "status"])
        parser.add_argument("names", nargs="*", help=f"registries: {', '.join(REGISTRIES)} or all")

    def handle(self, *args: Any, action: str, names: list[str], **options: Any) -> None:
        unknown = [n for n in names if n not in REGISTRIES and n != "all"]
        if unknown:
            raise CommandError(f"unknown registries: {', '.join(unknown)}")
        down = sandbox_down_names()
        if action == "down":
            sandbox_down_set(down | set(names or ["all"]))
        elif action == "up":
            sandbox_down_set(set() if not names or "all" in names else down - set(names))
        self.stdout.write("switched off: " + (", ".join(sorted(sandbox_down_names())) or "none"))
