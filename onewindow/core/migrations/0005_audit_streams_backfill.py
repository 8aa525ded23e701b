"""Entries written before streams existed form stream 0, in their old order: position = seq.

On PostgreSQL the new identity sequence starts after the highest existing number (Django's AlterField to an
auto field does not move it). The append-only triggers are lifted for this one statement (the table owner runs migrations) and restored.
The hashes do not change: an entry whose position equals its ``seq`` in stream 0 is hashed as before.
"""

from django.db import migrations

SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS core_auditentry_no_update BEFORE UPDATE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only: UPDATE refused'); END;",
    "CREATE TRIGGER IF NOT EXISTS core_auditentry_no_delete BEFORE DELETE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only: DELETE refused'); END;",
]
BACKFILL = "UPDATE core_auditentry SET stream = 0, stream_seq = seq WHERE stream_seq = 0"


def backfill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_update")
        schema_editor.execute(BACKFILL)
        schema_editor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_no_update")
        schema_editor.execute(
            "SELECT setval(pg_get_serial_sequence('core_auditentry', 'seq'), COALESCE(MAX(seq), 0) + 1, false) "
            "FROM core_auditentry"
        )
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update;")
        schema_editor.execute(BACKFILL)
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_streams")]
    # Backwards nothing to undo: 0003's reversal drops the columns.
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False)]
