"""SM2 with SM3 through the system OpenSSL 3 (``libcrypto``) by ``ctypes``: the native path behind ``Sm2Signer``.

Pure-Python gmssl verifies about 70 signatures a second; OpenSSL 3 does over a thousand per core from Python.
``cryptography`` does not expose SM2, so the EVP calls are made directly (the sequence of the SM2(7) manual
page: an ``EVP_PKEY_CTX`` carrying the distinguishing ID, attached to the digest context before
``EVP_DigestSign/VerifyInit``). ``available()`` is False when no libcrypto 3 with SM2 can be loaded (another
platform, an OpenSSL built without SM2, or ``ONEWINDOW_SM2_NATIVE=0``); ``Sm2Signer`` then stays on gmssl.

Keys cross the boundary as DER built here — SubjectPublicKeyInfo for the public key, PKCS #8 around a SEC 1
``ECPrivateKey`` for the private one — so nothing but bytes is handed to OpenSSL's own decoders.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from typing import Any

# id-ecPublicKey (1.2.840.10045.2.1) with the SM2 curve (1.2.156.10197.1.301), then the uncompressed point.
_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d03420004")
_SM2_CURVE_OID = bytes.fromhex("06082a811ccf5501822d")
_ALGORITHM = bytes.fromhex("301306072a8648ce3d0201") + _SM2_CURVE_OID
# An SM2 DER signature is at most 72 bytes (two 33-byte INTEGERs in a SEQUENCE).
_MAX_SIGNATURE = 80

_lock = threading.Lock()
_lib: Any = None
_loaded = False


def _library_candidates() -> list[str]:
    found = ctypes.util.find_library("crypto")
    return [name for name in ("libcrypto.so.3", found) if name]


def _load() -> Any:
    """The configured libcrypto, or None. Loaded once; the function signatures are declared here."""
    global _lib, _loaded
    if _loaded:
        return _lib
    with _lock:
        if _loaded:
            return _lib
        _lib = None
        if os.environ.get("ONEWINDOW_SM2_NATIVE", "1") != "0":
            for name in _library_candidates():
                try:
                    lib = ctypes.CDLL(name)
                    _declare(lib)
                except (OSError, AttributeError):
                    continue
                if lib.OpenSSL_version_num() >= 0x30000000 and lib.EVP_sm3():
                    _lib = lib
                    break
        _loaded = True
    return _lib


def _declare(lib: Any) -> None:
    p, c_int, size_t = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t
    pp = ctypes.POINTER(ctypes.c_char_p)
    signatures: dict[str, tuple[Any, list[Any]]] = {
        "OpenSSL_version_num": (ctypes.c_ulong, []),
        "EVP_sm3": (p, []),
        "d2i_PUBKEY": (p, [p, pp, ctypes.c_long]),
        "d2i_AutoPrivateKey": (p, [p, pp, ctypes.c_long]),
        "EVP_PKEY_free": (None, [p]),
        "EVP_PKEY_CTX_new": (p, [p, p]),
        "EVP_PKEY_CTX_free": (None, [p]),
        "EVP_PKEY_CTX_set1_id": (c_int, [p, ctypes.c_char_p, c_int]),
        "EVP_MD_CTX_new": (p, []),
        "EVP_MD_CTX_free": (None, [p]),
        "EVP_MD_CTX_set_pkey_ctx": (None, [p, p]),
        "EVP_DigestVerifyInit": (c_int, [p, p, p, p, p]),
        "EVP_DigestVerify": (c_int, [p, ctypes.c_char_p, size_t, ctypes.c_char_p, size_t]),
        "EVP_DigestSignInit": (c_int, [p, p, p, p, p]),
        "EVP_DigestSign": (c_int, [p, ctypes.c_char_p, ctypes.POINTER(size_t), ctypes.c_char_p, size_t]),
        "ERR_clear_error": (None, []),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes


def available() -> bool:
    """Whether SM2 runs natively in this process."""
    return _load() is not None


def _der_length(length: int) -> bytes:
    return bytes([length]) if length < 0x80 else bytes([0x81, length])


def _tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + _der_length(len(value)) + value


def private_key_der(*, private_key_hex: str, public_key_hex: str) -> bytes:
    """PKCS #8 ``PrivateKeyInfo`` holding the SEC 1 ``ECPrivateKey`` (scalar, curve, public point)."""
    ec_private = _tlv(
        0x30,
        bytes.fromhex("020101")
        + _tlv(0x04, bytes.fromhex(private_key_hex.rjust(64, "0")))
        + _tlv(0xA0, _SM2_CURVE_OID)
        + _tlv(0xA1, _tlv(0x03, b"\x00\x04" + bytes.fromhex(public_key_hex))),
    )
    return _tlv(0x30, bytes.fromhex("020100") + _ALGORITHM + _tlv(0x04, ec_private))


class NativeKey:
    """One parsed SM2 key (``EVP_PKEY``), reusable from many threads: OpenSSL 3 keys are read-only once built
    and every operation gets its own contexts."""

    def __init__(self, *, public_key_hex: str, private_key_hex: str = "") -> None:
        lib = _load()
        if lib is None:
            raise OSError("no libcrypto with SM2")
        self._lib = lib
        if private_key_hex:
            der = private_key_der(private_key_hex=private_key_hex, public_key_hex=public_key_hex)
            decode = lib.d2i_AutoPrivateKey
        else:
            der = _SPKI_PREFIX + bytes.fromhex(public_key_hex)
            decode = lib.d2i_PUBKEY
        buffer = ctypes.c_char_p(der)
        self._pkey = decode(None, ctypes.byref(buffer), len(der))
        if not self._pkey:
            lib.ERR_clear_error()
            raise ValueError("OpenSSL refused the SM2 key")
        self.can_sign = bool(private_key_hex)

    def __del__(self) -> None:
        pkey, lib = getattr(self, "_pkey", None), getattr(self, "_lib", None)
        if pkey and lib is not None:
            lib.EVP_PKEY_free(pkey)

    def _contexts(self, distid: bytes) -> tuple[Any, Any]:
        lib = self._lib
        md_ctx = lib.EVP_MD_CTX_new()
        pkey_ctx = lib.EVP_PKEY_CTX_new(self._pkey, None)
        if not md_ctx or not pkey_ctx or lib.EVP_PKEY_CTX_set1_id(pkey_ctx, distid, len(distid)) != 1:
            self._free(md_ctx, pkey_ctx)
            raise MemoryError("OpenSSL could not set up an SM2 context")
        lib.EVP_MD_CTX_set_pkey_ctx(md_ctx, pkey_ctx)
        return md_ctx, pkey_ctx

    def _free(self, md_ctx: Any, pkey_ctx: Any) -> None:
        # EVP_MD_CTX_set_pkey_ctx does not hand ownership over: both are freed, the digest context first.
        if md_ctx:
            self._lib.EVP_MD_CTX_free(md_ctx)
        if pkey_ctx:
            self._lib.EVP_PKEY_CTX_free(pkey_ctx)

    def verify(self, *, data: bytes, signature_der: bytes, distid: bytes) -> bool:
        lib = self._lib
        md_ctx, pkey_ctx = self._contexts(distid)
        try:
            if lib.EVP_DigestVerifyInit(md_ctx, None, lib.EVP_sm3(), None, self._pkey) != 1:
                lib.ERR_clear_error()
                return False
            ok = lib.EVP_DigestVerify(md_ctx, signature_der, len(signature_der), data, len(data)) == 1
            if not ok:
                lib.ERR_clear_error()
            return ok
        finally:
            self._free(md_ctx, pkey_ctx)

    def sign(self, *, data: bytes, distid: bytes) -> bytes:
        if not self.can_sign:
            raise ValueError("no private key to sign with")
        lib = self._lib
        md_ctx, pkey_ctx = self._contexts(distid)
        try:
            out = ctypes.create_string_buffer(_MAX_SIGNATURE)
            length = ctypes.c_size_t(_MAX_SIGNATURE)
            if (
                lib.EVP_DigestSignInit(md_ctx, None, lib.EVP_sm3(), None, self._pkey) != 1
                or lib.EVP_DigestSign(md_ctx, out, ctypes.byref(length), data, len(data)) != 1
            ):
                lib.ERR_clear_error()
                raise ValueError("OpenSSL could not sign with the SM2 key")
            return out.raw[: length.value]
        finally:
            self._free(md_ctx, pkey_ctx)
