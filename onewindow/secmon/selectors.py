"""Security monitoring reads, for platform administrators only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet

from onewindow.core import clock
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.organisations.selectors import staff_is_platform_admin
from onewindow.secmon.models import AlertStatus, EventKind, Incident, SecurityAlert, SecurityEvent


def security_admin_check(*, user: Any) -> None:
    """Security monitoring is for platform administrators only."""
    if not staff_is_platform_admin(user=user):
        raise PermissionDenied()


def security_overview(*, user: Any) -> dict[str, Any]:
    """Open alerts, event counts per kind in the last 24 hours, and incidents still being handled."""
    security_admin_check(user=user)
    since = clock.now() - dt.timedelta(hours=24)
    counts = dict(
        SecurityEvent.objects.filter(at__gte=since)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return {
        "open_alerts": list(SecurityAlert.objects.filter(status=AlertStatus.OPEN).order_by("-last_at")[:100]),
        "recent_alerts": list(
            SecurityAlert.objects.exclude(status=AlertStatus.OPEN).order_by("-last_at")[:20]
        ),
        "counts": [(label, counts.get(value, 0)) for value, label in EventKind.choices],
        "incidents": list(Incident.objects.select_related("reported_by").order_by("-created_at")[:50]),
        "recent_events": list(SecurityEvent.objects.order_by("-at")[:30]),
    }


def security_alert_get(*, user: Any, pk: Any) -> SecurityAlert:
    security_admin_check(user=user)
    alert = SecurityAlert.objects.filter(pk=pk).first()
    if alert is None:
        raise NotFound()
    return alert


def incident_get(*, user: Any, pk: Any) -> Incident:
    security_admin_check(user=user)
    incident = Incident.objects.select_related("reported_by", "alert").filter(pk=pk).first()
    if incident is None:
        raise NotFound()
    return incident


def incident_steps(*, incident: Incident) -> QuerySet[Any]:
    return incident.steps.select_related("actor").order_by("created_at")
