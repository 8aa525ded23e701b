"""Signers: SM2/SM3 cross-checked with the OpenSSL 3 command line in both directions, Ed25519, and the
canonical payload."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from onewindow.licences.signing import (
    SM2_SIGNER_ID,
    Ed25519Signer,
    SignatureError,
    Sm2Signer,
    key_id_for,
    public_signer,
    signer_generate,
)

DATA = json.dumps(
    {"identifier": "1.2.156", "face": {"经营范围": "预包装食品销售"}}, ensure_ascii=False
).encode()
# Not skipped when missing: the cross-check is the point (the CI machine has OpenSSL 3).
OPENSSL = shutil.which("openssl") or "openssl"


def _openssl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([OPENSSL, *args], cwd=cwd, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("signer_class", [Sm2Signer, Ed25519Signer])
def test_a_signature_verifies_and_a_changed_message_or_signature_does_not(signer_class):
    signer = signer_class.generate()
    signature = signer.sign(DATA)
    assert signer.verify(DATA, signature)
    assert not signer.verify(DATA + b" ", signature)
    raw = bytearray(base64.b64decode(signature))
    raw[-1] ^= 0x01
    assert not signer.verify(DATA, base64.b64encode(bytes(raw)).decode())
    assert not signer.verify(DATA, "not base64!")
    assert not signer.verify(DATA, "")


@pytest.mark.parametrize("algorithm", ["sm2-sm3", "ed25519"])
def test_the_published_public_key_alone_verifies(algorithm):
    signer = signer_generate(algorithm)
    verifier = public_signer(algorithm=algorithm, public_key_pem=signer.public_key_pem())
    assert verifier.verify(DATA, signer.sign(DATA))
    with pytest.raises(SignatureError):
        verifier.sign(DATA)


def test_sm2_signatures_are_randomised_der_r_s():
    signer = Sm2Signer.generate()
    first, second = signer.sign(DATA), signer.sign(DATA)
    assert first != second  # a fresh secrets-drawn nonce each time
    r, s = decode_dss_signature(base64.b64decode(first))
    assert r > 0 and s > 0


def test_sm2_public_keys_starting_with_zero_or_four_survive_gmssl_stripping():
    # gmssl's CryptSM2 lstrips "0" and "4" characters off the key's front; ours must keep every byte.
    signer = Sm2Signer.generate()
    while signer._public_key_hex[0] not in "04":
        signer = Sm2Signer.generate()
    verifier = Sm2Signer.from_public_pem(signer.public_key_pem())
    assert verifier.verify(DATA, signer.sign(DATA))


def test_unknown_algorithms_and_bad_keys_are_refused():
    with pytest.raises(SignatureError):
        signer_generate("rsa")
    with pytest.raises(SignatureError):
        public_signer(algorithm="sm2-sm3", public_key_pem=Ed25519Signer.generate().public_key_pem())
    with pytest.raises(SignatureError):
        public_signer(
            algorithm="ed25519", public_key_pem="-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
        )


def test_key_ids_are_fingerprints_of_the_public_key():
    signer = Sm2Signer.generate()
    key_id = key_id_for(algorithm="sm2-sm3", public_key_pem=signer.public_key_pem())
    assert key_id.startswith("sm2-sm3-") and len(key_id) == len("sm2-sm3-") + 16
    assert key_id == key_id_for(algorithm="sm2-sm3", public_key_pem=signer.public_key_pem())


def test_openssl_verifies_our_sm2_signature_with_the_default_signer_id(tmp_path):
    signer = Sm2Signer.generate()
    (tmp_path / "pub.pem").write_text(signer.public_key_pem())
    (tmp_path / "data").write_bytes(DATA)
    (tmp_path / "sig").write_bytes(base64.b64decode(signer.sign(DATA)))
    distid = f"distid:{SM2_SIGNER_ID}"
    result = _openssl(
        "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-digest", "sm3",
        "-pkeyopt", distid, "-in", "data", "-sigfile", "sig", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Signature Verified Successfully" in result.stdout
    result = _openssl(
        "dgst", "-sm3", "-verify", "pub.pem", "-signature", "sig", "-sigopt", distid, "data", cwd=tmp_path
    )
    assert result.returncode == 0 and "Verified OK" in result.stdout, result.stderr
    (tmp_path / "data").write_bytes(DATA + b"x")
    result = _openssl(
        "dgst", "-sm3", "-verify", "pub.pem", "-signature", "sig", "-sigopt", distid, "data", cwd=tmp_path
    )
    assert result.returncode != 0


def test_we_verify_an_sm2_signature_made_by_openssl(tmp_path):
    distid = f"distid:{SM2_SIGNER_ID}"
    assert _openssl("genpkey", "-algorithm", "SM2", "-out", "key.pem", cwd=tmp_path).returncode == 0
    assert _openssl("pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem", cwd=tmp_path).returncode == 0
    (tmp_path / "data").write_bytes(DATA)
    result = _openssl(
        "dgst", "-sm3", "-sign", "key.pem", "-sigopt", distid, "-out", "sig", "data", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    verifier = Sm2Signer.from_public_pem((tmp_path / "pub.pem").read_text())
    signature = base64.b64encode((tmp_path / "sig").read_bytes()).decode()
    assert verifier.verify(DATA, signature)
    assert not verifier.verify(DATA + b"x", signature)


def test_openssl_verifies_our_ed25519_signature(tmp_path):
    signer = Ed25519Signer.generate()
    (tmp_path / "pub.pem").write_text(signer.public_key_pem())
    (tmp_path / "data").write_bytes(DATA)
    (tmp_path / "sig").write_bytes(base64.b64decode(signer.sign(DATA)))
    result = _openssl(
        "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "data", "-sigfile", "sig",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
