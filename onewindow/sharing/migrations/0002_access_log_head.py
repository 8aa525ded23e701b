from django.db import migrations


def head_create(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("sharing", "AccessLogHead").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    """The access log's head row, which every writer locks (the chain starts at the all-zero hash)."""

    dependencies = [("sharing", "0001_initial")]

    operations = [migrations.RunPython(head_create, migrations.RunPython.noop)]
