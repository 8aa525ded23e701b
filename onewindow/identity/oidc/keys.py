"""The RSA keys that sign the provider's ID tokens (RS256), and their rotation.

Loaded by ``settings.py`` before Django is set up, so this module imports nothing from Django or the app.

Either the operator names the key files (``ONEWINDOW_OIDC_KEY_FILE`` for the signing key,
``ONEWINDOW_OIDC_INACTIVE_KEY_FILES`` comma-separated for retired ones), or — the quick start — the key is
generated once into ``<data dir>/oidc/active.pem`` (mode 0600). Rotation makes a new active key and keeps
the old ones under ``oidc/inactive/``: they sign nothing more but stay published in the JWKS, so ID tokens
signed before the rotation still verify at the department systems until they expire.
"""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto import jwk

# NIST SP 800-57 puts 3072-bit RSA at 128-bit security, past 2030.
KEY_BITS = 3072
ACTIVE_FILE = "active.pem"
INACTIVE_DIR = "inactive"


class KeysManagedByOperator(RuntimeError):
    """The keys come from files the operator names (``ONEWINDOW_OIDC_KEY_FILE``): nothing to rotate here."""


def _new_key_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_private(path: Path, content: bytes) -> None:
    """Create ``path`` readable by its owner only; fails if it exists (never overwrite a key)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)


def key_id(pem: str) -> str:
    """The key's ``kid`` as the JWKS and the ID token headers give it (RFC 7638 thumbprint)."""
    return str(jwk.JWK.from_pem(pem.encode()).thumbprint())


def key_dir(data_dir: Path) -> Path:
    return data_dir / "oidc"


def signing_keys(data_dir: Path) -> tuple[str, list[str]]:
    """The active signing key and the inactive ones (newest first), as PEM text."""
    if key_file := os.environ.get("ONEWINDOW_OIDC_KEY_FILE"):
        inactive_files = os.environ.get("ONEWINDOW_OIDC_INACTIVE_KEY_FILES", "")
        return Path(key_file).read_text(), [
            Path(name.strip()).read_text() for name in inactive_files.split(",") if name.strip()
        ]
    directory = key_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    (directory / INACTIVE_DIR).mkdir(exist_ok=True, mode=0o700)
    active = directory / ACTIVE_FILE
    if not active.exists():
        # Another process starting at the same moment may have made it first: theirs is as good.
        with contextlib.suppress(FileExistsError):
            _write_private(active, _new_key_pem())
    inactive = sorted((directory / INACTIVE_DIR).glob("*.pem"), reverse=True)
    return active.read_text(), [path.read_text() for path in inactive]


def signing_key_rotate(data_dir: Path, *, keep_inactive: int = 3) -> tuple[str, str]:
    """Make a new active key; the current one joins the inactive keys, of which the newest
    ``keep_inactive`` are kept. Returns (new kid, retired kid). Running processes pick the new key up when
    they restart."""
    if os.environ.get("ONEWINDOW_OIDC_KEY_FILE"):
        raise KeysManagedByOperator(os.environ["ONEWINDOW_OIDC_KEY_FILE"])
    current, _ = signing_keys(data_dir)
    directory = key_dir(data_dir)
    retired_kid = key_id(current)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    _write_private(directory / INACTIVE_DIR / f"{stamp}-{retired_kid[:12]}.pem", current.encode())
    fresh = directory / f".{stamp}.pem"
    _write_private(fresh, _new_key_pem())
    # A rename is atomic: a process starting now reads either the old key or the new one, never no key.
    os.replace(fresh, directory / ACTIVE_FILE)
    for stale in sorted((directory / INACTIVE_DIR).glob("*.pem"), reverse=True)[keep_inactive:]:
        stale.unlink()
    return key_id((directory / ACTIVE_FILE).read_text()), retired_kid
