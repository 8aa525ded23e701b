"""``/metrics`` for Prometheus: django-prometheus's request and response counters, plus the platform's own
gauges read at scrape time — the task queue (the figures of ``/healthz``), the database's reachability and
latency, its connections, and the read replica's state. Only for the networks in
``ONEWINDOW_METRICS_ALLOW`` (loopback by default): the figures show load and failures to no one else.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Iterator

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.core import REGISTRY, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from onewindow.core import replica
from onewindow.core.ratelimit import client_address
from onewindow.core.selectors import platform_health


class PlatformCollector(Collector):
    """Gauges computed when scraped (nothing counted per request, so every app server reports the same)."""

    def collect(self) -> Iterator[Metric]:
        started = time.perf_counter()
        health = platform_health()
        latency = time.perf_counter() - started
        database = health.get("database") or {}
        up = GaugeMetricFamily(
            "onewindow_database_up", "1 when the primary database answers", labels=["alias"]
        )
        up.add_metric(["default"], 1.0 if isinstance(database, dict) and database.get("ok") else 0.0)
        yield up
        seconds = GaugeMetricFamily(
            "onewindow_health_check_seconds", "Time to gather the /healthz figures (database round trips)"
        )
        seconds.add_metric([], latency)
        yield seconds
        tasks = health.get("tasks")
        if isinstance(tasks, dict):
            for key, value in tasks.items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    gauge = GaugeMetricFamily(
                        f"onewindow_tasks_{key}", f"Task queue: {key.replace('_', ' ')}"
                    )
                    gauge.add_metric([], float(value))
                    yield gauge
        scheduler = health.get("scheduler")
        if isinstance(scheduler, dict):
            running = GaugeMetricFamily("onewindow_scheduler_running", "1 while a scheduler holds the lease")
            running.add_metric([], 1.0 if scheduler.get("running") else 0.0)
            yield running
        yield from _connections()
        if replica.replica_configured():
            usable = GaugeMetricFamily("onewindow_replica_usable", "1 while public reads go to the replica")
            usable.add_metric([], 1.0 if replica.replica_usable() else 0.0)
            yield usable
            if replica.health.last_lag_seconds is not None:
                lag = GaugeMetricFamily("onewindow_replica_lag_seconds", "Replay lag of the read replica")
                lag.add_metric([], replica.health.last_lag_seconds)
                yield lag


def _connections() -> Iterator[Metric]:
    """PostgreSQL's server connections to this database by state (through pgbouncer: the pooled ones)."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COALESCE(state, 'unknown'), count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() GROUP BY 1"
            )
            rows = cursor.fetchall()
    except DatabaseError:
        return
    gauge = GaugeMetricFamily(
        "onewindow_database_connections", "Server connections by state", labels=["state"]
    )
    for state, count in rows:
        gauge.add_metric([state], float(count))
    yield gauge


def metrics_allowed(request: HttpRequest) -> bool:
    """The client (the last proxy hop behind nginx) is inside one of ONEWINDOW_METRICS_ALLOW's networks."""
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    for network in settings.ONEWINDOW_METRICS_ALLOW:
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return JsonResponse(
            {"code": "forbidden", "message": "监控指标仅对运维网络开放。", "problems": []}, status=403
        )
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # gunicorn's workers are separate processes: add up what each wrote to the shared directory.
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)
    scrape = CollectorRegistry()
    scrape.register(PlatformCollector())
    body = generate_latest(registry) + generate_latest(scrape)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
