"""``onewindow workflow_repair``: rebuild the task mirror of every running process from its engine state."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from onewindow.workflow.repair import workflow_repair


class Command(BaseCommand):
    help = (
        "Rebuild the work-task mirror of every running process instance from its engine state (idempotent)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = workflow_repair()
        self.stdout.write(
            f"instances checked: {report.instances}, tasks opened: {report.opened}, "
            f"tasks closed: {report.closed}, instances completed: {report.completed}"
        )
