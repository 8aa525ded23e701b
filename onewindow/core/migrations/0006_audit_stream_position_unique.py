"""One entry per position in a stream, and the index the verifier and the writers walk.

On SQLite adding a constraint rebuilds the table, which drops the append-only triggers: they are restored.
"""

from django.db import migrations, models

SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS core_auditentry_no_update BEFORE UPDATE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only: UPDATE refused'); END;",
    "CREATE TRIGGER IF NOT EXISTS core_auditentry_no_delete BEFORE DELETE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only: DELETE refused'); END;",
]


def triggers_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update;")
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_delete;")


def triggers_create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_audit_streams_backfill")]
    operations = [
        migrations.RunPython(triggers_drop, triggers_create, elidable=False),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(
                fields=("stream", "stream_seq"), name="core_auditentry_stream_position"
            ),
        ),
        migrations.RunPython(triggers_create, triggers_drop, elidable=False),
    ]
