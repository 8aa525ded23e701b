"""The application form's column: personal answers stored SM4-GCM encrypted, everything else as plain JSON.

``Case.form_data`` is a ``SealedFormField``. Python code reads and writes the plain answers; when the row is
saved, every value the item's JSON Schema marks as personal (``catalogue.form_personal.is_personal``: the
``x-personal`` keyword, the ``citizen-id`` and ``mobile`` formats, well-known names) is replaced by
``{"$sealed": "sm4gcm:<key id>:<…>"}`` under the platform's key ring (``core.crypto``), with the column and the
field's path bound in as associated data, so a sealed value copied to another field or column does not open.
Reading the row opens them again. The sealing sits in the field rather than in each service so that no code
path — intake, bundles, walk-ins, the API, a data migration — can store an ID number in clear by forgetting
to call a helper; non-personal answers stay plain so the catalogue's statistics can still read them.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from onewindow.catalogue.form_personal import is_personal, items_schema, property_schema
from onewindow.core import crypto

SEALED = "$sealed"
FORM_PURPOSE = "cases.case.form_data"


class StoredForm(dict[str, Any]):
    """Answers already in their stored shape (personal values sealed): written to the column as they are."""


def _purpose(path: str) -> str:
    return f"{FORM_PURPOSE}:{path}"


def is_sealed(value: Any) -> bool:
    """A value in its sealed shape ``{"$sealed": "<scheme>:…"}`` (the licence face uses it too)."""
    return (
        isinstance(value, dict)
        and set(value) == {SEALED}
        and isinstance(value[SEALED], str)
        and value[SEALED].startswith(f"{crypto.SCHEME}:")
    )


def _seal_value(value: Any, path: str) -> dict[str, str]:
    return {SEALED: crypto.encrypt(json.dumps(value, ensure_ascii=False), purpose=_purpose(path))}


def _looks_sealed(value: Any) -> bool:
    return isinstance(value, dict) and SEALED in value


def _seal_list(schema: dict[str, Any], values: list[Any], path: str) -> list[Any]:
    # A repeated group (family members, shareholders): each entry sealed like an object of the items' schema.
    items = items_schema(schema)
    return [
        _seal_value(value, path)
        if _looks_sealed(value)
        else form_seal(items, value, prefix=f"{path}.")
        if isinstance(value, dict)
        else value
        for value in values
    ]


def form_seal(schema: dict[str, Any] | None, data: Any, *, prefix: str = "") -> Any:
    """The answers as stored: personal values sealed (see the module docstring)."""
    if not isinstance(data, dict):
        return data
    stored = StoredForm()
    for name, value in data.items():
        sub = property_schema(schema, name)
        path = f"{prefix}{name}"
        if value is None or value == "":
            stored[name] = value
        elif is_personal(name, sub) or _looks_sealed(value):
            # An answer that merely looks sealed (typed into a draft through the API) is sealed as data, so
            # reading it back returns what was typed instead of failing to decrypt.
            stored[name] = _seal_value(value, path)
        elif isinstance(value, dict):
            stored[name] = form_seal(sub, value, prefix=f"{path}.")
        elif isinstance(value, list):
            stored[name] = _seal_list(sub, value, path)
        else:
            stored[name] = value
    return stored


def _open_value(value: Any, path: str) -> Any:
    if is_sealed(value):
        return json.loads(crypto.decrypt(value[SEALED], purpose=_purpose(path)))
    if isinstance(value, dict):
        return form_open(value, prefix=f"{path}.")
    if isinstance(value, list):
        return [_open_value(item, path) for item in value]
    return value


def form_open(stored: Any, *, prefix: str = "") -> Any:
    """The answers as the applicant gave them: every sealed value opened (the schema is not needed)."""
    if not isinstance(stored, dict):
        return stored
    return {name: _open_value(value, f"{prefix}{name}") for name, value in stored.items()}


def _sealed_tokens(stored: Any) -> list[str]:
    if is_sealed(stored):
        return [stored[SEALED]]
    if isinstance(stored, dict):
        return [token for value in stored.values() for token in _sealed_tokens(value)]
    if isinstance(stored, list):
        return [token for value in stored for token in _sealed_tokens(value)]
    return []


class SealedFormField(models.JSONField):
    """A JSON form whose personal answers are encrypted at rest; the model supplies the JSON Schema that
    says which answers are personal through a ``form_schema`` attribute (name-based rules without one)."""

    def stored_key_ids(self, raw: Any) -> set[str]:
        stored = json.loads(raw) if isinstance(raw, str | bytes) else raw
        return {crypto.ciphertext_key_id(token) for token in _sealed_tokens(stored)}

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return form_open(super().from_db_value(value, expression, connection))

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        answers = super().pre_save(model_instance, add)
        return form_seal(getattr(model_instance, "form_schema", None), answers)

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if isinstance(value, dict) and not isinstance(value, StoredForm):
            # A write that bypassed pre_save (QuerySet.update, bulk_update) has no schema at hand: the
            # name and format rules still seal ID numbers, phones, addresses and bank accounts.
            value = form_seal(None, value)
        return super().get_db_prep_save(value, connection)
