"""Core reads: the audit trail and its verification."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import QuerySet
from django_tasks_db.models import DBTaskResult

from onewindow.core import clock
from onewindow.core.audit_checkpoints import Checkpoints, checkpoints_read
from onewindow.core.models import AuditEntry, SchedulerLease
from onewindow.core.queue import tasks_abandoned
from onewindow.core.services import GENESIS_HASH, audit_entry_digest

_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class AuditChainReport:
    """The outcome of walking every stream: entries checked, the first broken one, and the checkpoints used."""

    checked: int
    first_bad_seq: int | None = None
    problem: str = ""
    streams: int = 0
    checkpoints: int = 0
    checkpoint_at: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def audit_chain_verify(*, with_checkpoints: bool = True) -> AuditChainReport:
    """Walk every stream in order; name the first altered, reordered or missing entry.

    With ``with_checkpoints`` the newest signed checkpoint (core.audit_checkpoints) must still be reachable:
    every stream at least as long as it was then, with the same hash at that position — so deleting the newest
    entries, which leaves a shorter but self-consistent chain, is reported too.
    """
    marks = checkpoints_read() if with_checkpoints else Checkpoints(0, None)
    if marks.problem:
        return AuditChainReport(0, None, marks.problem, checkpoints=marks.count)
    expected = {
        int(stream): (head["position"], head["hash"])
        for stream, head in ((marks.latest or {}).get("streams") or {}).items()
    }
    anchored_at = str(marks.latest["at"]) if marks.latest else ""
    stream, position, prev_hash, checked, streams = -1, 0, GENESIS_HASH, 0, 0
    reached: dict[int, int] = {}

    def report(bad_seq: int | None, problem: str) -> AuditChainReport:
        return AuditChainReport(checked, bad_seq, problem, streams, marks.count)

    for entry in AuditEntry.objects.order_by("stream", "stream_seq").iterator(chunk_size=2000):
        if entry.stream != stream:
            stream, position, prev_hash, streams = entry.stream, 0, GENESIS_HASH, streams + 1
        if entry.stream_seq != position + 1:
            first, last = position + 1, entry.stream_seq - 1
            missing = f"#{first}" if first == last else f"#{first}–#{last}"
            return report(entry.seq, f"stream {stream}: entry {missing} is missing (deleted)")
        if entry.prev_hash != prev_hash:
            return report(entry.seq, f"entry #{entry.seq} does not chain to its predecessor")
        if audit_entry_digest(entry) != entry.hash:
            return report(entry.seq, f"entry #{entry.seq} was altered after it was written")
        anchor = expected.get(stream)
        if anchor and anchor[0] == entry.stream_seq and anchor[1] != entry.hash:
            return report(
                entry.seq,
                f"entry #{entry.seq} differs from the checkpoint of {anchored_at}: the chain was rewritten",
            )
        prev_hash, position, checked = entry.hash, entry.stream_seq, checked + 1
        reached[stream] = position
    for anchored_stream, (anchored_position, _hash) in sorted(expected.items()):
        have = reached.get(anchored_stream, 0)
        if have < anchored_position:
            gone = f"#{have + 1}" if have + 1 == anchored_position else f"#{have + 1}–#{anchored_position}"
            return report(
                None,
                f"stream {anchored_stream}: the newest entries {gone} are missing (deleted); the signed "
                f"checkpoint of {anchored_at} recorded {anchored_position} entries",
            )
    return AuditChainReport(checked, None, "", streams, marks.count, anchored_at)


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
