"""Core reads: the audit trail and its verification."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import QuerySet
from django_tasks_db.models import DBTaskResult

from onewindow.core import clock
from onewindow.core.models import AuditEntry, SchedulerLease
from onewindow.core.queue import tasks_abandoned
from onewindow.core.services import GENESIS_HASH, audit_entry_digest

_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class AuditChainReport:
    """The outcome of walking the chain: how many entries were checked and the first broken one."""

    checked: int
    first_bad_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


def audit_chain_verify() -> AuditChainReport:
    """Walk the whole chain in order; name the first altered, reordered or missing entry."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            missing = (
                f"#{expected_seq}" if entry.seq == expected_seq + 1 else f"#{expected_seq}–#{entry.seq - 1}"
            )
            return AuditChainReport(checked, expected_seq, f"entry {missing} is missing (deleted)")
        if entry.prev_hash != prev_hash:
            return AuditChainReport(
                checked, entry.seq, f"entry #{entry.seq} does not chain to its predecessor"
            )
        if audit_entry_digest(entry) != entry.hash:
            return AuditChainReport(
                checked, entry.seq, f"entry #{entry.seq} was altered after it was written"
            )
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    return AuditChainReport(checked)


def audit_entries_for(*, target_type: str, target_id: str) -> QuerySet[AuditEntry]:
    """The history of one record, newest first."""
    return AuditEntry.objects.filter(target_type=target_type, target_id=target_id).select_related("actor")


def platform_health() -> dict[str, object]:
    """For /healthz: the database, the task queue and the scheduler, each with its state, and ``problems``
    naming the failing component. ``status`` is ``unavailable`` (the database is away: the site cannot serve),
    ``degraded`` (it serves, but background work is stuck, failing or not scheduled) or ``ok``."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return {
            "ok": False,
            "status": "unavailable",
            "problems": [{"component": "database", "code": "database.unreachable"}],
            "database": {"ok": False, "error": error.__class__.__name__},
        }
    now = clock.now()
    ready = DBTaskResult.objects.ready()
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    stuck = len(tasks_abandoned())
    failed = DBTaskResult.objects.failed().filter(finished_at__gte=now - _DAY).count()
    lease = SchedulerLease.objects.first()
    scheduler_running = bool(lease and lease.expires_at > now)
    problems = [
        {"component": component, "code": code}
        for component, code, failing in (
            ("queue", "tasks.stuck", stuck > 0),
            ("queue", "tasks.failed", failed > 0),
            ("scheduler", "scheduler.not_running", not scheduler_running),
        )
        if failing
    ]
    return {
        "ok": True,
        "status": "degraded" if problems else "ok",
        "problems": problems,
        "database": {"ok": True, "vendor": connection.vendor},
        "tasks": {
            "ok": not stuck and not failed,
            "ready": ready.count(),
            "running": DBTaskResult.objects.running().count(),
            "stuck": stuck,
            "failed_last_24h": failed,
            "oldest_ready_seconds": int((now - oldest).total_seconds()) if oldest else 0,
            "lease_seconds": settings.ONEWINDOW_TASK_LEASE_SECONDS,
        },
        "scheduler": {
            "running": scheduler_running,
            "heartbeat_seconds_ago": int((now - lease.heartbeat_at).total_seconds()) if lease else None,
        },
    }
