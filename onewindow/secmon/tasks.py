"""Security monitoring background jobs."""

from __future__ import annotations

from django_tasks import task

from onewindow.secmon.services import security_events_prune


@task()
def security_events_prune_job() -> int:
    """Daily: drop security events past the retention period (at least 180 days, 网络安全法 art. 21)."""
    return security_events_prune()
