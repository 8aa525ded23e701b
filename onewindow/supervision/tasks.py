"""E-supervision background jobs."""

from __future__ import annotations

from django_tasks import task

from onewindow.supervision.scan import supervision_scan


@task()
def supervision_scan_job() -> int:
    """Every 15 minutes: raise the warnings, cards and breaches due now."""
    return supervision_scan().raised
