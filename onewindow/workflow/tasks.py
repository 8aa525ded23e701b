"""Workflow background jobs."""

from __future__ import annotations

from django_tasks import task

from onewindow.workflow.services import work_task_due_dates_refresh


@task()
def work_task_due_dates_sync() -> int:
    """Run with ``workdays.deadlines_refresh_paused`` (every 6 hours): keep the inboxes' due dates equal to the clocks."""
    return work_task_due_dates_refresh()
