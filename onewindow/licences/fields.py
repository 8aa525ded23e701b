"""The licence face's column: every face value stored SM4-GCM encrypted.

A licence issued to a person prints its holder's ID number, phone and address (from the application form,
``services.cases.face_from_case``); issue #17.4 and 个人信息保护法 art. 51 want them encrypted at rest like
the form they were copied from. Unlike the form (``cases.fields.SealedFormField``) no statistic reads a face
value, and a type's face template may name a personal field anything (``cert_no``, ``法定代表人证件``), so
every non-empty value is sealed, each with ``licences.licence.face:<key>`` bound in as associated data so a
value moved to another key or column does not open. Python code — the signature over the canonical plain
values, the PDF, verification, the wallet, the API — reads and writes plain values.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from onewindow.cases.fields import SEALED, is_sealed
from onewindow.core import crypto

FACE_PURPOSE = "licences.licence.face"


def _purpose(key: str) -> str:
    return f"{FACE_PURPOSE}:{key}"


class StoredFace(dict[str, Any]):
    """A face already in its stored shape (every value sealed)."""


def face_seal(face: Any) -> Any:
    """The face as stored: each non-empty value sealed under its key."""
    if not isinstance(face, dict) or isinstance(face, StoredFace):
        return face
    return StoredFace(
        {
            key: value
            if value is None or value == ""
            else {SEALED: crypto.encrypt(json.dumps(value, ensure_ascii=False), purpose=_purpose(str(key)))}
            for key, value in face.items()
        }
    )


def face_open(stored: Any) -> Any:
    """The face as printed: every sealed value opened (a value stored before sealing passes through)."""
    if not isinstance(stored, dict):
        return stored
    return {
        key: json.loads(crypto.decrypt(value[SEALED], purpose=_purpose(str(key))))
        if is_sealed(value)
        else value
        for key, value in stored.items()
    }


class SealedFaceField(models.JSONField):
    """A licence face whose values are encrypted at rest (see the module docstring)."""

    def stored_key_ids(self, raw: Any) -> set[str]:
        stored = json.loads(raw) if isinstance(raw, str | bytes) else raw
        if not isinstance(stored, dict):
            return set()
        return {crypto.ciphertext_key_id(value[SEALED]) for value in stored.values() if is_sealed(value)}

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return face_open(super().from_db_value(value, expression, connection))

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        # Here rather than in pre_save so that QuerySet.update and bulk_update seal too.
        return super().get_db_prep_save(face_seal(value), connection)
