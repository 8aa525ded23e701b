"""Personal data at rest: SM4-GCM with a rotatable key ring, purpose binding, keyed look-up hashes, masking."""

from __future__ import annotations

import base64

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from onewindow.core import crypto
from onewindow.core.masking import mask_citizen_id, mask_name, mask_phone
from tests.factories import person, valid_citizen_id

OLD = ("old1", b"\x01" * 16)
NEW = ("new2", b"\x02" * 16)


@pytest.fixture(autouse=True)
def fresh_ring():
    crypto.key_ring_clear()
    yield
    crypto.key_ring_clear()


def test_a_value_round_trips_and_the_ciphertext_names_its_key():
    token = crypto.encrypt("110101199003077578", purpose="t.id")
    assert token.startswith(f"sm4gcm:{crypto.active_key_id()}:")
    assert "110101199003077578" not in token
    assert crypto.decrypt(token, purpose="t.id") == "110101199003077578"


def test_encryption_is_randomised():
    assert crypto.encrypt("13800138000", purpose="t") != crypto.encrypt("13800138000", purpose="t")


def test_a_ciphertext_moved_to_another_column_does_not_decrypt():
    token = crypto.encrypt("13800138000", purpose="identity.person.phone")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, purpose="identity.person.id_number")


def test_a_changed_ciphertext_is_detected():
    scheme, kid, blob = crypto.encrypt("13800138000", purpose="t").split(":")
    raw = bytearray(base64.b64decode(blob))
    raw[14] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{scheme}:{kid}:{base64.b64encode(bytes(raw)).decode()}", purpose="t")


def test_old_keys_still_decrypt_after_rotation():
    with override_settings(ONEWINDOW_DATA_KEYS=[OLD]):
        crypto.key_ring_clear()
        token = crypto.encrypt("secret", purpose="t")
    with override_settings(ONEWINDOW_DATA_KEYS=[NEW, OLD]):
        crypto.key_ring_clear()
        assert crypto.decrypt(token, purpose="t") == "secret"
    with override_settings(ONEWINDOW_DATA_KEYS=[NEW]):
        crypto.key_ring_clear()
        with pytest.raises(crypto.DecryptionError, match="no key 'old1'"):
            crypto.decrypt(token, purpose="t")


def test_lookup_hash_is_keyed_and_stable():
    first = crypto.lookup_hash("13800138000", purpose="p")
    assert first == crypto.lookup_hash("13800138000", purpose="p")
    assert first != crypto.lookup_hash("13800138000", purpose="q")
    with override_settings(ONEWINDOW_LOOKUP_KEY=b"\x09" * 32):
        assert crypto.lookup_hash("13800138000", purpose="p") != first


@pytest.mark.django_db
def test_rekey_command_moves_every_row_to_the_active_key():
    with override_settings(ONEWINDOW_DATA_KEYS=[OLD]):
        crypto.key_ring_clear()
        citizen = person(5)
    with override_settings(ONEWINDOW_DATA_KEYS=[NEW, OLD]):
        crypto.key_ring_clear()
        call_command("personal_data_rekey", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number, phone FROM identity_person")
            stored = cursor.fetchall()
        assert stored and all(value.startswith("sm4gcm:new2:") for row in stored for value in row)
    with override_settings(ONEWINDOW_DATA_KEYS=[NEW]):
        crypto.key_ring_clear()
        citizen.refresh_from_db()
        assert citizen.id_number == valid_citizen_id(5)


def test_masks_keep_only_what_identifies_the_record():
    assert mask_citizen_id("11010519491231002X") == "1101**********002X"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_name("张三丰") == "张*丰"
    assert mask_name("李四") == "李*"
