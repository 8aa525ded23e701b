"""Personal data at rest: SM4-GCM encryption with a rotatable key ring, and a keyed hash for exact look-up.

A ciphertext is ``sm4gcm:<key id>:<base64(nonce | ciphertext | tag)>``. The first key of
``settings.ONEWINDOW_DATA_KEYS`` encrypts; every key in the ring decrypts, so keys rotate by putting a new
one first and running ``onewindow personal_data_rekey`` (docs/deploy.md). The field's purpose is bound in as
associated data, so a ciphertext copied into another column does not decrypt.

Encryption is randomised, so equality look-ups (find the account with this ID number) go through
``lookup_hash``: HMAC-SM3 under a separate key that never leaves the server.
"""

from __future__ import annotations

import base64
import hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

SCHEME = "sm4gcm"
_NONCE_BYTES = 12
_TAG_BYTES = 16


class DecryptionError(ValueError):
    """A stored ciphertext that no key in the ring opens: a missing key, or tampering."""


@cache
def _ring() -> tuple[tuple[str, bytes], ...]:
    return tuple((kid, bytes(key)) for kid, key in settings.ONEWINDOW_DATA_KEYS)


def key_ring_clear() -> None:
    """Forget the cached key ring (after settings change in tests or a rotation)."""
    _ring.cache_clear()


def active_key_id() -> str:
    return _ring()[0][0]


def encrypt(plaintext: str, *, purpose: str) -> str:
    kid, key = _ring()[0]
    nonce = os.urandom(_NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(purpose.encode())
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    blob = base64.b64encode(nonce + body + encryptor.tag).decode()
    return f"{SCHEME}:{kid}:{blob}"


def ciphertext_key_id(token: str) -> str:
    return token.split(":", 2)[1]


def decrypt(token: str, *, purpose: str) -> str:
    try:
        scheme, kid, blob = token.split(":", 2)
        raw = base64.b64decode(blob, validate=True)
    except ValueError:
        raise DecryptionError("not an onewindow ciphertext") from None
    key = dict(_ring()).get(kid)
    if scheme != SCHEME or key is None:
        raise DecryptionError(f"no key {kid!r} in ONEWINDOW_DATA_KEYS")
    nonce, body, tag = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:-_TAG_BYTES], raw[-_TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(purpose.encode())
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except InvalidTag:
        raise DecryptionError("ciphertext does not authenticate") from None


def lookup_hash(value: str, *, purpose: str) -> str:
    """A keyed digest for exact matching; without the key it cannot be reversed by trying every ID number."""
    mac = crypto_hmac.HMAC(bytes(settings.ONEWINDOW_LOOKUP_KEY), hashes.SM3())
    mac.update(f"{purpose}\x00{value}".encode())
    return mac.finalize().hex()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
