"""12345 background jobs."""

from __future__ import annotations

from django_tasks import task

from onewindow.hotline.services import tickets_escalate_overdue


@task()
def tickets_escalate_job() -> int:
    """Hourly: escalate open tickets past their due date to supervision (督办)."""
    return tickets_escalate_overdue()
