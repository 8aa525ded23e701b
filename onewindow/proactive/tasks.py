"""Proactive services' background job: the daily look for what is due."""

from __future__ import annotations

from django_tasks import task

from onewindow.proactive.services import recommendations_generate


@task()
def recommendations_generate_job() -> int:
    """Daily: record (and, for those who opted in, text) the licence expiries and life events coming up."""
    return recommendations_generate()
