"""Background jobs of the measures: the rollup refresh the dashboard reads."""

from __future__ import annotations

from django_tasks import task

from onewindow.analytics.services import rollups_refresh


@task()
def analytics_rollup_job() -> int:
    """Every ``ONEWINDOW_ANALYTICS_ROLLUP_SECONDS``: recompute the rollups of the days changed since the
    previous refresh; returns the rows written."""
    return rollups_refresh().rows
