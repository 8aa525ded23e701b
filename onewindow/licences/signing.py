"""Licence signatures behind one small interface: SM2 with SM3 (GB/T 32918, GM/T 0009 — the national default)
or Ed25519. Public keys are SubjectPublicKeyInfo PEM so anyone can verify offline (OpenSSL 3 included);
signatures are base64: DER ``SEQUENCE {r, s}`` for SM2 (as ``openssl pkeyutl`` writes them), the raw 64
bytes for Ed25519.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from gmssl import sm2

from onewindow.core.hashing import canonical_json, sm3_hex
from onewindow.licences import sm2_native

if TYPE_CHECKING:
    from onewindow.licences.models import Licence, SigningKey

# GM/T 0009's default signer ID; gmssl hard-codes it in its Z value, OpenSSL takes it as ``distid``.
SM2_SIGNER_ID = "1234567812345678"
_SM2_N = int(sm2.default_ecc_table["n"], 16)
# SubjectPublicKeyInfo up to the point: id-ecPublicKey with the SM2 curve (1.2.156.10197.1.301), then the
# BIT STRING holding the uncompressed point 04 || x || y.
_SM2_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d03420004")


class SignatureError(ValueError):
    """A key or signature that cannot be read at all (as opposed to one that does not verify)."""


class Signer(Protocol):
    """Signs and verifies licence payloads with one key pair (verification needs only the public key)."""

    algorithm: str

    def sign(self, data: bytes) -> str: ...

    def verify(self, data: bytes, signature: str) -> bool: ...

    def public_key_pem(self) -> str: ...


def _pem(label: str, der: bytes) -> str:
    body = base64.encodebytes(der).decode().replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


def _pem_der(pem: str) -> bytes:
    lines = [line.strip() for line in pem.strip().splitlines() if line.strip() and "-----" not in line]
    try:
        return base64.b64decode("".join(lines), validate=True)
    except binascii.Error:
        raise SignatureError("not a PEM document") from None


class Sm2Signer:
    """SM2 with the SM3 digest over Z || message (Z from the default signer ID): natively through the system
    OpenSSL 3 (``sm2_native``) when it can be loaded, else via gmssl (pure Python, some 15 times slower).
    ``native=False`` forces gmssl (the tests cross-check the two)."""

    algorithm = "sm2-sm3"

    def __init__(self, *, public_key_hex: str, private_key_hex: str = "", native: bool | None = None) -> None:
        if len(public_key_hex) != 128:
            raise SignatureError("an SM2 public key is 64 bytes (x || y)")
        self._public_key_hex = public_key_hex.lower()
        self._crypt = sm2.CryptSM2(private_key=private_key_hex, public_key="")
        # CryptSM2 strips a leading "04" with lstrip, eating key bytes that happen to be 0 or 4: set it here.
        self._crypt.public_key = self._public_key_hex
        self._native: sm2_native.NativeKey | None = None
        if native is not False and sm2_native.available():
            try:
                self._native = sm2_native.NativeKey(
                    public_key_hex=self._public_key_hex, private_key_hex=private_key_hex
                )
            except ValueError:
                # OpenSSL refuses a point off the curve (or a scalar out of range) when the key is read;
                # gmssl only fails when it is used: keep its behaviour (a signature that never verifies).
                self._native = None
        elif native:
            raise SignatureError("native SM2 (OpenSSL 3 libcrypto) is not available")

    @property
    def native(self) -> bool:
        """Whether this signer runs in OpenSSL rather than in pure Python."""
        return self._native is not None

    @classmethod
    def generate(cls) -> Sm2Signer:
        private = secrets.randbelow(_SM2_N - 2) + 1
        point = sm2.CryptSM2(private_key="", public_key="")._kg(private, sm2.default_ecc_table["g"])
        return cls(public_key_hex=point, private_key_hex=f"{private:064x}")

    @classmethod
    def from_public_pem(cls, pem: str) -> Sm2Signer:
        der = _pem_der(pem)
        if not der.startswith(_SM2_SPKI_PREFIX) or len(der) != len(_SM2_SPKI_PREFIX) + 64:
            raise SignatureError("not an SM2 SubjectPublicKeyInfo")
        return cls(public_key_hex=der[len(_SM2_SPKI_PREFIX) :].hex())

    def private_key_text(self) -> str:
        return str(self._crypt.private_key)

    def sign(self, data: bytes) -> str:
        if not self._crypt.private_key:
            raise SignatureError("no private key to sign with")
        if self._native is not None:
            # OpenSSL draws the nonce from its own CSPRNG.
            return base64.b64encode(self._native.sign(data=data, distid=SM2_SIGNER_ID.encode())).decode()
        signature = None
        while signature is None:  # gmssl returns None for the (astronomically rare) r = 0 or s = 0 nonce
            # gmssl draws the nonce from `random` unless given one: a predictable nonce leaks the private key.
            signature = self._crypt.sign_with_sm3(data, random_hex_str=secrets.token_hex(32))
        r, s = int(signature[:64], 16), int(signature[64:], 16)
        return base64.b64encode(encode_dss_signature(r, s)).decode()

    def verify(self, data: bytes, signature: str) -> bool:
        try:
            r, s = decode_dss_signature(base64.b64decode(signature, validate=True))
        except (ValueError, binascii.Error):
            return False
        if not (0 < r < _SM2_N and 0 < s < _SM2_N):
            return False
        if self._native is not None:
            # Re-encoded, so a non-canonical DER that gmssl (which sees only r and s) accepts is judged alike.
            der = encode_dss_signature(r, s)
            return self._native.verify(data=data, signature_der=der, distid=SM2_SIGNER_ID.encode())
        return bool(self._crypt.verify_with_sm3(f"{r:064x}{s:064x}", data))

    def public_key_pem(self) -> str:
        return _pem("PUBLIC KEY", _SM2_SPKI_PREFIX + bytes.fromhex(self._public_key_hex))


class Ed25519Signer:
    """Ed25519 (RFC 8032) through ``cryptography``."""

    algorithm = "ed25519"

    def __init__(self, *, public_key: Ed25519PublicKey, private_key: Ed25519PrivateKey | None = None) -> None:
        self._public_key = public_key
        self._private_key = private_key

    @classmethod
    def generate(cls) -> Ed25519Signer:
        private = Ed25519PrivateKey.generate()
        return cls(public_key=private.public_key(), private_key=private)

    @classmethod
    def from_pems(cls, *, public_pem: str, private_pem: str = "") -> Ed25519Signer:
        try:
            public = serialization.load_pem_public_key(public_pem.encode())
            private = serialization.load_pem_private_key(private_pem.encode(), None) if private_pem else None
        except ValueError:
            raise SignatureError("not an Ed25519 PEM key") from None
        if not isinstance(public, Ed25519PublicKey) or not (
            private is None or isinstance(private, Ed25519PrivateKey)
        ):
            raise SignatureError("not an Ed25519 key")
        return cls(public_key=public, private_key=private)

    def private_key_text(self) -> str:
        if self._private_key is None:
            return ""
        return self._private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    def sign(self, data: bytes) -> str:
        if self._private_key is None:
            raise SignatureError("no private key to sign with")
        return base64.b64encode(self._private_key.sign(data)).decode()

    def verify(self, data: bytes, signature: str) -> bool:
        try:
            self._public_key.verify(base64.b64decode(signature, validate=True), data)
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True

    def public_key_pem(self) -> str:
        return self._public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()


def signer_generate(algorithm: str) -> Sm2Signer | Ed25519Signer:
    """A fresh key pair for ``algorithm`` (a ``SignatureAlgorithm`` value)."""
    if algorithm == Sm2Signer.algorithm:
        return Sm2Signer.generate()
    if algorithm == Ed25519Signer.algorithm:
        return Ed25519Signer.generate()
    raise SignatureError(f"unknown signature algorithm {algorithm!r}")


def public_signer(*, algorithm: str, public_key_pem: str) -> Signer:
    """A verify-only signer from a published public key."""
    if algorithm == Sm2Signer.algorithm:
        return Sm2Signer.from_public_pem(public_key_pem)
    if algorithm == Ed25519Signer.algorithm:
        return Ed25519Signer.from_pems(public_pem=public_key_pem)
    raise SignatureError(f"unknown signature algorithm {algorithm!r}")


@functools.lru_cache(maxsize=256)
def _public_signer_cached(algorithm: str, public_key_pem: str) -> Signer:
    # A public key never changes its meaning: parsing it once per process is safe (a rotated key is a new row
    # with a new PEM, so a new cache entry).
    return public_signer(algorithm=algorithm, public_key_pem=public_key_pem)


# Verified signatures remembered for a short while, keyed by a digest of EVERYTHING the check covered (the
# algorithm, the public key, the exact signed bytes, the signature): a changed column changes the payload and
# so the key, and is checked afresh on the very next look-up. Only successes are kept; per process, so nothing
# another process writes can vouch for a signature here.
VERIFIED_TTL_SECONDS = 300.0
VERIFIED_MAX = 4096
_verified: OrderedDict[bytes, float] = OrderedDict()
_verified_lock = threading.Lock()


def signature_verify_cached(*, algorithm: str, public_key_pem: str, data: bytes, signature: str) -> bool:
    """``verify`` with the public key, remembering a success for ``VERIFIED_TTL_SECONDS``."""
    digest = hashlib.sha256(
        b"\0".join((algorithm.encode(), public_key_pem.encode(), data, signature.encode()))
    ).digest()
    now = time.monotonic()
    with _verified_lock:
        seen = _verified.get(digest)
        if seen is not None and now - seen < VERIFIED_TTL_SECONDS:
            return True
    if not _public_signer_cached(algorithm, public_key_pem).verify(data, signature):
        return False
    with _verified_lock:
        _verified[digest] = now
        _verified.move_to_end(digest)
        while len(_verified) > VERIFIED_MAX:
            _verified.popitem(last=False)
    return True


def signature_cache_clear() -> None:
    """Forget every remembered verification (tests; benchmarks measuring the signature check itself)."""
    with _verified_lock:
        _verified.clear()


def signer_for(key: SigningKey, *, with_private: bool = True) -> Signer:
    """The signer of a stored key; ``with_private=False`` skips decrypting the private key (verification)."""
    if key.algorithm == Sm2Signer.algorithm:
        public = Sm2Signer.from_public_pem(key.public_key)
        if not with_private:
            return public
        return Sm2Signer(public_key_hex=public._public_key_hex, private_key_hex=key.private_key)
    if key.algorithm == Ed25519Signer.algorithm:
        return Ed25519Signer.from_pems(
            public_pem=key.public_key, private_pem=key.private_key if with_private else ""
        )
    raise SignatureError(f"unknown signature algorithm {key.algorithm!r}")


def key_id_for(*, algorithm: str, public_key_pem: str) -> str:
    """A key's published ID: the algorithm and the first 16 hex digits of the SM3 of its public key."""
    return f"{algorithm}-{sm3_hex(_pem_der(public_key_pem))[:16]}"


def licence_payload_data(licence: Licence) -> dict[str, Any]:
    """The signed metadata (GB/T 36903) of a licence, from its own stored columns only: the type and issuer as
    snapshotted at issue, so renaming a department or a licence type leaves its signatures valid. The status
    is not signed: it changes over the licence's life while the signed content does not."""
    return {
        "identifier": licence.identifier,
        "type_code": licence.type_code,
        "type_name": licence.type_name,
        "number": licence.number,
        "version": licence.version,
        "issuer_name": licence.issuer_name,
        "issuer_code": licence.issuer_code,
        "holder_type": licence.holder_type,
        "holder_name": licence.holder_name,
        "holder_code": licence.holder_code,
        "face": licence.face,
        "issued_on": licence.issued_on.isoformat(),
        "valid_from": licence.valid_from.isoformat(),
        "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
        "previous": licence.previous.identifier if licence.previous_id and licence.previous else "",
        "key_id": licence.signing_key.key_id,
    }


def licence_payload(licence: Licence) -> bytes:
    """The exact bytes signed: canonical JSON (sorted keys, no whitespace, UTF-8) of the signed metadata."""
    return canonical_json(licence_payload_data(licence)).encode()
