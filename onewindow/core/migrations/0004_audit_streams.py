"""Split the audit chain into streams (issue #17): a stream number and a position in it on every entry.

``seq`` becomes database-assigned (writers on different streams no longer wait for each other). On SQLite
changing the primary key rebuilds the table, which drops the append-only triggers of 0002: they are dropped
first and created again afterwards, on both databases, so the migration behaves the same everywhere.
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
    dependencies = [("core", "0003_worker_heartbeat_handled_once")]
    operations = [
        migrations.RunPython(triggers_drop, triggers_create, elidable=False),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.BigAutoField(primary_key=True, serialize=False),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="stream",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="stream"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="stream_seq",
            field=models.BigIntegerField(default=0, verbose_name="position in stream"),
        ),
        migrations.RunPython(triggers_create, triggers_drop, elidable=False),
    ]
