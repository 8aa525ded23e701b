"""Calendar background jobs."""

from __future__ import annotations

from django_tasks import task

from onewindow.workdays.models import Deadline
from onewindow.workdays.services import deadlines_refresh


@task()
def deadlines_refresh_paused() -> int:
    """Move the due dates of clocks that are still paused: each paused working day pushes them a day."""
    return deadlines_refresh(Deadline.objects.filter(pauses__end_on__isnull=True).distinct())
