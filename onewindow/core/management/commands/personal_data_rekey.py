"""``onewindow personal_data_rekey``: re-encrypt personal data under the active key after a key rotation."""

from __future__ import annotations

from collections.abc import Sequence

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, models, transaction

from onewindow.core import crypto
from onewindow.core.fields import KeyRingField
from onewindow.core.services import audit_record


def _stale_pks(model: type[models.Model], fields: Sequence[KeyRingField], active: str) -> list[object]:
    """Rows with a ciphertext under another key, read raw: the field itself would hand back plain text."""
    quote = connection.ops.quote_name
    pk_column = str(model._meta.pk.column)
    # Identifiers only, quoted by the backend: nothing here comes from a request.
    selected = ", ".join(quote(c) for c in [pk_column, *(str(f.column) for f in fields)])  # type: ignore[attr-defined]
    sql = f"SELECT {selected} FROM {quote(model._meta.db_table)}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [
            pk
            for pk, *values in cursor.fetchall()
            if any(f.stored_key_ids(value) - {active} for f, value in zip(fields, values, strict=True))
        ]


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column with the first key of ONEWINDOW_DATA_KEYS, so older keys can be "
        "removed from the ring afterwards (docs/deploy.md, 'Rotating the personal-data key')."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: object, **options: object) -> None:
        active = crypto.active_key_id()
        batch_size = int(str(options["batch_size"]))
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, KeyRingField)]
            if not fields:
                continue
            stale = _stale_pks(model, fields, active)
            for start in range(0, len(stale), batch_size):
                with transaction.atomic():
                    rows = model._base_manager.select_for_update().filter(
                        pk__in=stale[start : start + batch_size]
                    )
                    for row in rows:
                        # Saving encrypts again, under the active key.
                        row.save(update_fields=[f.attname for f in fields])
            total += len(stale)
            self.stdout.write(f"{model._meta.label}: {len(stale)} rows re-encrypted with key {active}")
        audit_record(actor=None, action="personal_data.rekey", changes={"key": active, "rows": total})
