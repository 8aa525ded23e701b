"""Core writes: the audit trail."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction

from onewindow.core import clock
from onewindow.core.context import acting_for, client_ip
from onewindow.core.hashing import canonical_json, sm3_hex
from onewindow.core.models import AuditEntry
from onewindow.core.signals import audit_recorded

GENESIS_HASH = "0" * 64
# Any constant works; with the stream number it names the advisory lock that serialises appends to one
# stream's chain on PostgreSQL (pg_advisory_xact_lock(int, int)).
_AUDIT_LOCK_KEY = 0x0A0D17


def audit_stream_for(target_type: str, target_id: str) -> int:
    """The stream a transaction that first records this target joins (spreading writers over the locks).

    Entries without a target (system jobs, failed sign-ins) go to stream 0. Every later entry of the same
    transaction joins the same stream (``_transaction_stream``).
    """
    if not target_id:
        return 0
    return int(sm3_hex(f"{target_type}:{target_id}")[:8], 16) % settings.ONEWINDOW_AUDIT_STREAMS


def audit_entry_digest(entry: AuditEntry) -> str:
    """The SM3 hash of an entry's content chained to its predecessor's hash."""
    content: dict[str, Any] = {
        "seq": entry.seq,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor": str(entry.actor_id or ""),
        "actor_label": entry.actor_label,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target_label": entry.target_label,
        "changes": entry.changes,
        "ip": entry.ip or "",
    }
    # Entries written before streams existed are stream 0 with position == seq and were hashed without the
    # two fields; hashing them the same way keeps the old chain valid. Either way both are covered by the
    # digest, so changing the stream or the position breaks the entry.
    if entry.stream != 0 or entry.stream_seq != entry.seq:
        content["stream"], content["stream_seq"] = entry.stream, entry.stream_seq
    return sm3_hex(entry.prev_hash + canonical_json(content))


def audit_record(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """Append one entry to the audit trail, in the caller's transaction.

    ``actor`` is the user who acted (None for the system: the scheduler, a worker, a command). ``changes``
    summarises what changed, e.g. ``{"status": ["submitted", "accepted"]}``. When an agent acts for a
    company, the label says for whom (``张三 代 某公司（9135…）``).
    """
    if actor_label is None and actor is not None:
        name, username = getattr(actor, "name", ""), actor.get_username()
        actor_label = f"{name}（{username}）" if name else username
        if (company_of := acting_for.get()) and (company := company_of()):
            actor_label = f"{actor_label} 代 {company}"
    target_type = target._meta.label_lower if target is not None else ""
    target_id = str(target.pk) if target is not None else ""
    # No savepoint of its own (two statements per entry): a failed append fails the caller's transaction,
    # or the caller's own savepoint, which is where a refusal is handled anyway.
    with transaction.atomic(savepoint=False):
        stream = _transaction_stream(audit_stream_for(target_type, target_id))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_AUDIT_LOCK_KEY, stream])
        # On SQLite the IMMEDIATE transaction already holds the database's single write lock.
        last = (
            AuditEntry.objects.filter(stream=stream)
            .order_by("-stream_seq")
            .only("stream_seq", "hash")
            .first()
        )
        entry = AuditEntry(
            seq=_next_seq(),
            stream=stream,
            stream_seq=(last.stream_seq + 1) if last else 1,
            at=clock.now(),
            actor_id=getattr(actor, "pk", None),
            actor_label=(actor_label or "system")[:200],
            action=action,
            target_type=target_type,
            target_id=target_id,
            target_label=str(target)[:300] if target is not None else "",
            # Stored exactly as hashed: JSON round-trips turn tuples into lists and dates into strings.
            changes=_json_roundtrip(changes or {}),
            ip=client_ip.get(),
            prev_hash=last.hash if last else GENESIS_HASH,
        )
        entry.hash = audit_entry_digest(entry)
        entry.save(force_insert=True)
        audit_recorded.send(sender=AuditEntry, entry=entry)
    return entry


def _transaction_stream(preferred: int) -> int:
    """One stream per transaction: the first entry's. A transaction holding two stream locks taken in
    different orders by two writers would deadlock; with one lock each it cannot."""
    outermost = connection.atomic_blocks[0]
    held = getattr(connection, "_onewindow_audit_stream", None)
    if held is not None and held[0] is outermost:
        return int(held[1])
    connection._onewindow_audit_stream = (outermost, preferred)  # type: ignore[attr-defined]
    transaction.on_commit(lambda: setattr(connection, "_onewindow_audit_stream", None))
    return preferred


def _next_seq() -> int:
    """The entry's number, known before the insert because the digest covers it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence('core_auditentry', 'seq'))")
        else:
            # Under SQLite's write lock; AUTOINCREMENT's counter never reuses the number of a deleted row.
            cursor.execute(
                "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'core_auditentry'), "
                "(SELECT MAX(seq) FROM core_auditentry), 0) + 1"
            )
        return int(cursor.fetchone()[0])


def _json_roundtrip(value: dict[str, Any]) -> dict[str, Any]:
    return json.loads(canonical_json(value))
