"""Seal the face values of licences issued before the face was encrypted at rest (issue #17.4).

Forward: every row is written again through ``SealedFaceField``, which seals each value (a face already
sealed is opened on read and sealed again, so running twice is harmless). Backward: the opened faces are
written as plain JSON with a raw UPDATE, since the field itself would seal them again.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


def seal_faces(apps: Any, schema_editor: Any) -> None:
    Licence = apps.get_model("licences", "Licence")
    for pk, face in Licence.objects.values_list("pk", "face").iterator():
        Licence.objects.filter(pk=pk).update(face=face)


def open_faces(apps: Any, schema_editor: Any) -> None:
    Licence = apps.get_model("licences", "Licence")
    connection = schema_editor.connection
    plain = models.JSONField()
    table = connection.ops.quote_name(Licence._meta.db_table)
    with connection.cursor() as cursor:
        for pk, face in Licence.objects.values_list("pk", "face").iterator():
            cursor.execute(
                f"UPDATE {table} SET face = %s WHERE id = %s",  # noqa: S608 - the table name is ours
                [
                    plain.get_db_prep_save(face, connection),
                    Licence._meta.pk.get_db_prep_value(pk, connection),
                ],
            )


class Migration(migrations.Migration):
    dependencies = [("licences", "0004_licence_face_sealed_field")]

    operations = [migrations.RunPython(seal_faces, open_faces)]
