"""``onewindow sharing_log_verify``: check the data-sharing access log's chain and signatures."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from onewindow.sharing.access_log import log_verify


class Command(BaseCommand):
    help = "Verify the data-sharing access log: every entry present, in order, unchanged and validly signed."

    def handle(self, *args: Any, **options: Any) -> None:
        result = log_verify()
        if not result.ok:
            raise CommandError(f"access log check failed: {result.problem}")
        self.stdout.write(f"access log ok: {result.entries} entries, chain and signatures valid")
