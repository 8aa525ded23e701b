"""Native SM2 (OpenSSL 3 libcrypto via ctypes) against pure-Python gmssl and the ``openssl`` command, both
ways, with the distinguishing ID 1234567812345678; and the short cache of verified signatures."""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import pytest

from onewindow.licences import signing, sm2_native
from onewindow.licences.signing import Sm2Signer, signature_cache_clear, signature_verify_cached

DATA = "电子证照 1.2.156.3005.2.11100000000013338W.001".encode()
OPENSSL = shutil.which("openssl") or "openssl"
DISTID = "distid:1234567812345678"


def _openssl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([OPENSSL, *args], cwd=cwd, capture_output=True, text=True, check=False)


def _pair() -> tuple[Sm2Signer, Sm2Signer]:
    """The same key pair twice: native and gmssl."""
    native = Sm2Signer.generate()
    gmssl = Sm2Signer(
        public_key_hex=native._public_key_hex, private_key_hex=native.private_key_text(), native=False
    )
    return native, gmssl


def test_native_sm2_is_available_on_this_platform():
    # CI and production run Debian's OpenSSL 3: the fallback must not be taken silently there.
    assert sm2_native.available()
    native, gmssl = _pair()
    assert native.native and not gmssl.native


def test_gmssl_and_native_verify_each_others_signatures():
    native, gmssl = _pair()
    by_native, by_gmssl = native.sign(DATA), gmssl.sign(DATA)
    assert gmssl.verify(DATA, by_native) and native.verify(DATA, by_gmssl)
    assert not gmssl.verify(DATA + b"x", by_native) and not native.verify(DATA + b"x", by_gmssl)


def test_a_key_starting_with_zero_bytes_works_natively_and_in_gmssl():
    while True:
        native, gmssl = _pair()
        if native._public_key_hex.startswith("0") or native.private_key_text().startswith("0"):
            break
    assert native.verify(DATA, gmssl.sign(DATA)) and gmssl.verify(DATA, native.sign(DATA))


def test_the_openssl_command_verifies_native_signatures(tmp_path):
    native, _ = _pair()
    (tmp_path / "pub.pem").write_text(native.public_key_pem())
    (tmp_path / "data").write_bytes(DATA)
    (tmp_path / "sig").write_bytes(base64.b64decode(native.sign(DATA)))
    result = _openssl(
        "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-digest", "sm3",
        "-pkeyopt", DISTID, "-in", "data", "-sigfile", "sig", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0 and "Signature Verified Successfully" in result.stdout, result.stderr


def test_native_and_gmssl_verify_what_the_openssl_command_signs(tmp_path):
    assert _openssl("genpkey", "-algorithm", "SM2", "-out", "key.pem", cwd=tmp_path).returncode == 0
    assert _openssl("pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem", cwd=tmp_path).returncode == 0
    (tmp_path / "data").write_bytes(DATA)
    result = _openssl(
        "pkeyutl", "-sign", "-inkey", "key.pem", "-rawin", "-digest", "sm3", "-pkeyopt", DISTID,
        "-in", "data", "-out", "sig", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    signature = base64.b64encode((tmp_path / "sig").read_bytes()).decode()
    native = Sm2Signer.from_public_pem((tmp_path / "pub.pem").read_text())
    gmssl = Sm2Signer(public_key_hex=native._public_key_hex, native=False)
    assert native.native and native.verify(DATA, signature) and gmssl.verify(DATA, signature)
    assert not native.verify(DATA[:-1], signature)


def test_the_private_key_der_is_read_by_the_openssl_command(tmp_path):
    native, _ = _pair()
    der = sm2_native.private_key_der(
        private_key_hex=native.private_key_text(), public_key_hex=native._public_key_hex
    )
    (tmp_path / "key.der").write_bytes(der)
    result = _openssl("pkey", "-inform", "DER", "-in", "key.der", "-pubout", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == native.public_key_pem()


def test_a_remembered_verification_does_not_vouch_for_changed_data_or_another_signature():
    signature_cache_clear()
    native, _ = _pair()
    pem, signature = native.public_key_pem(), native.sign(DATA)
    check = {"algorithm": "sm2-sm3", "public_key_pem": pem}
    assert signature_verify_cached(**check, data=DATA, signature=signature)
    assert signature_verify_cached(**check, data=DATA, signature=signature)  # from the cache
    assert not signature_verify_cached(**check, data=DATA + b" ", signature=signature)
    other = Sm2Signer.generate()
    assert not signature_verify_cached(
        algorithm="sm2-sm3", public_key_pem=other.public_key_pem(), data=DATA, signature=signature
    )


def test_a_failed_verification_is_not_remembered(monkeypatch):
    signature_cache_clear()
    native, _ = _pair()
    signature = native.sign(DATA)
    check = {"algorithm": "sm2-sm3", "public_key_pem": native.public_key_pem(), "data": DATA}
    assert not signature_verify_cached(**check, signature=signature[:-4] + "AAA=")
    assert not signing._verified
    assert signature_verify_cached(**check, signature=signature)
    assert len(signing._verified) == 1


def test_without_libcrypto_the_signer_falls_back_to_gmssl(monkeypatch):
    monkeypatch.setattr(sm2_native, "available", lambda: False)
    signer = Sm2Signer.generate()
    assert not signer.native
    assert signer.verify(DATA, signer.sign(DATA))
    with pytest.raises(signing.SignatureError):
        Sm2Signer(public_key_hex=signer._public_key_hex, native=True)
