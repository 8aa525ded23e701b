"""The licence keeps the type and issuer as printed and signed at issue (type code and name, issuer name and
credit code): existing licences take them from their rows now, which are the values they were signed with."""

from typing import Any

from django.db import migrations, models


def snapshot_fill(apps: Any, schema_editor: Any) -> None:
    licence_model = apps.get_model("licences", "Licence")
    rows = licence_model.objects.select_related("licence_type", "issuer").only(
        "pk", "licence_type__code", "licence_type__name", "issuer__name", "issuer__credit_code"
    )
    for licence in rows.iterator(chunk_size=500):
        licence_model.objects.filter(pk=licence.pk).update(
            type_code=licence.licence_type.code,
            type_name=licence.licence_type.name,
            issuer_name=licence.issuer.name,
            issuer_code=licence.issuer.credit_code,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("licences", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="licence",
            name="type_code",
            field=models.CharField(default="", editable=False, max_length=40, verbose_name="licence type code"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="licence",
            name="type_name",
            field=models.CharField(default="", editable=False, max_length=100, verbose_name="licence type name"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="licence",
            name="issuer_name",
            field=models.CharField(
                default="", editable=False, max_length=200, verbose_name="issuing department (as issued)"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="licence",
            name="issuer_code",
            field=models.CharField(default="", editable=False, max_length=18, verbose_name="issuer code"),
            preserve_default=False,
        ),
        # Reversing drops the columns (the AddFields above), so the fill has nothing to undo.
        migrations.RunPython(snapshot_fill, migrations.RunPython.noop),
    ]
