"""Migrations core/0004–0006 (audit streams) on a trail written before them: the old entries become stream 0
with their hashes unchanged, new entries chain after them, the append-only triggers survive (SQLite rebuilds
the table), and the migrations reverse. Run in a fresh process on a throwaway database."""

from __future__ import annotations

import subprocess
import sys

from django.db import connection

from onewindow.core.tests.test_backup import _environment, _postgres_database

SCRIPT = """
import datetime as dt
import django
django.setup()
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from onewindow.core.hashing import canonical_json, sm3_hex

call_command("migrate", "core", "0002", verbosity=0)
prev = "0" * 64
with connection.cursor() as cursor:
    for seq in (1, 2, 3):
        at = dt.datetime(2026, 1, seq, tzinfo=dt.timezone.utc)
        content = {"seq": seq, "at": at.isoformat(timespec="microseconds"), "actor": "", "actor_label": "system",
                   "action": "legacy.entry", "target_type": "", "target_id": "", "target_label": "",
                   "changes": {}, "ip": ""}
        digest = sm3_hex(prev + canonical_json(content))
        cursor.execute(
            "INSERT INTO core_auditentry (seq, at, actor_label, action, target_type, target_id, target_label,"
            " changes, prev_hash, hash) VALUES (%s, %s, 'system', 'legacy.entry', '', '', '', '{}', %s, %s)",
            [seq, at, prev, digest],
        )
        prev = digest
call_command("migrate", "core", verbosity=0)
call_command("audit", "verify")
from onewindow.core.models import AuditEntry
from onewindow.core.services import audit_record
print("LEGACY", list(AuditEntry.objects.order_by("seq").values_list("stream", "stream_seq")))
entry = audit_record(actor=None, action="new.entry")
print("NEW", entry.seq, entry.stream, entry.stream_seq, entry.prev_hash == prev)
call_command("audit", "verify")
try:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = 1")
    print("TRIGGERS missing")
except DatabaseError:
    print("TRIGGERS kept")
call_command("migrate", "core", "0002", verbosity=0)
print("REVERSED")
"""


def test_the_stream_migrations_keep_an_existing_trail_verifying(tmp_path):
    env = _environment(tmp_path / "data")
    database_name = None
    if connection.vendor == "postgresql":
        database_name = f"{connection.settings_dict['NAME']}_audit_migrations"
        env["DATABASE_URL"] = _postgres_database(database_name, create=True)
    try:
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600
        )
    finally:
        if database_name:
            _postgres_database(database_name, create=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "LEGACY [(0, 1), (0, 2), (0, 3)]" in done.stdout
    assert "NEW 4 0 4 True" in done.stdout
    assert "TRIGGERS kept" in done.stdout
    assert "REVERSED" in done.stdout
