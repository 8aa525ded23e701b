"""A licence's face values are encrypted at rest (issue #17.4) and open only in Python: the signature, the
public verification (masked) and the holder's wallet keep working on the plain values."""

from __future__ import annotations

import importlib
import io
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from onewindow.cases.fields import SEALED
from onewindow.core import crypto
from onewindow.core.errors import DomainError
from onewindow.licences.fields import face_open, face_seal
from onewindow.licences.models import Licence
from onewindow.licences.selectors import face_public, licence_verify
from onewindow.licences.tests.factories import licence_issued, licence_type
from tests.factories import valid_citizen_id

ID_NUMBER = valid_citizen_id(17)
PHONE = "13912340017"
FACE_FIELDS = [
    {"key": "applicant", "label": "申请人", "source": "holder.name"},
    {"key": "id_number", "label": "公民身份号码", "source": "form.id_number"},
    {"key": "mobile", "label": "联系电话", "source": "form.mobile"},
    {"key": "address", "label": "住址", "source": "form.address"},
    {"key": "note", "label": "备注", "source": "form.note"},
]
FACE = {
    "applicant": "张三",
    "id_number": ID_NUMBER,
    "mobile": PHONE,
    "address": "福州市鼓楼区五四路158号",
    "note": "",
}
_migration = importlib.import_module("onewindow.licences.migrations.0005_seal_licence_faces")


def _raw(licence: Licence) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT face FROM licences_licence WHERE id = %s",
            [licence.pk.hex if connection.vendor == "sqlite" else licence.pk],
        )
        value = cursor.fetchone()[0]
    return value if isinstance(value, dict) else json.loads(value)


@pytest.fixture
def licence(citizen, department_a):
    kind = licence_type(department_a, face_fields=FACE_FIELDS)
    return licence_issued(holder_person=citizen.person, licence_type=kind, face=dict(FACE))


def test_every_face_value_is_stored_encrypted(licence):
    raw = _raw(licence)
    assert set(raw) == set(FACE) and raw["note"] == ""
    assert all(SEALED in raw[key] for key in FACE if FACE[key])
    assert ID_NUMBER not in json.dumps(raw) and PHONE not in json.dumps(raw)


def test_the_model_reads_the_face_back_in_clear(licence):
    assert Licence.objects.get(pk=licence.pk).face == FACE


def test_the_signature_still_verifies_over_the_plain_values(licence):
    result = licence_verify(licence.identifier)
    assert result.outcome == "valid" and result.signature_valid
    assert result.face["address"] == FACE["address"] and result.face["id_number"].endswith(ID_NUMBER[-4:])


def test_the_public_face_still_masks_the_identifiers(licence):
    public = face_public(Licence.objects.get(pk=licence.pk))
    assert ID_NUMBER not in public["id_number"] and PHONE not in public["mobile"]
    assert "*" in public["id_number"] and "*" in public["mobile"]


def test_a_queryset_update_seals_and_tampering_is_still_caught(licence):
    Licence.objects.filter(pk=licence.pk).update(face=FACE | {"address": "别处"})
    assert SEALED in _raw(licence)["address"]
    assert not licence_verify(licence.identifier).signature_valid


def test_a_sealed_value_does_not_open_under_another_key():
    sealed = face_seal({"id_number": ID_NUMBER})
    with pytest.raises((DomainError, ValueError)):
        face_open({"mobile": sealed["id_number"]})


def test_a_typed_value_that_looks_sealed_round_trips():
    face = {"note": {SEALED: "sm4gcm:x:y"}, "count": 3}
    assert face_open(json.loads(json.dumps(face_seal(face)))) == face


def test_the_migration_seals_existing_rows_and_reverses(licence):
    _migration.open_faces(apps, connection.schema_editor())
    assert _raw(licence)["id_number"] == ID_NUMBER
    assert Licence.objects.get(pk=licence.pk).face == FACE  # a row not yet sealed still reads
    _migration.seal_faces(apps, connection.schema_editor())
    assert SEALED in _raw(licence)["id_number"] and SEALED in _raw(licence)["mobile"]
    assert licence_verify(licence.identifier).signature_valid


def test_rekey_moves_the_face_to_the_active_key(citizen, department_a, settings):
    old, new = ("old1", bytes(range(16))), ("new2", bytes(range(16, 32)))
    ring = list(settings.ONEWINDOW_DATA_KEYS)
    settings.ONEWINDOW_DATA_KEYS = [old, *ring]
    crypto.key_ring_clear()
    kind = licence_type(department_a, face_fields=FACE_FIELDS)
    licence = licence_issued(holder_person=citizen.person, licence_type=kind, face=dict(FACE))
    settings.ONEWINDOW_DATA_KEYS = [new, old, *ring]
    crypto.key_ring_clear()
    call_command("personal_data_rekey", stdout=io.StringIO())
    assert _raw(licence)["id_number"][SEALED].startswith("sm4gcm:new2:")
    settings.ONEWINDOW_DATA_KEYS = [new]
    crypto.key_ring_clear()
    assert Licence.objects.get(pk=licence.pk).face == FACE
    crypto.key_ring_clear()
