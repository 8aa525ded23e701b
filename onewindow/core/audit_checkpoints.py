"""Signed checkpoints of the audit chain heads, kept outside the database (issue #17; X-Road's anchored log).

The hash chain proves that nothing inside it was changed, but not that its newest entries are still there:
whoever can delete rows can delete the last few and the chain still verifies. So at a fixed interval (the
periodic job ``core.tasks.audit_checkpoint_job``) and on demand (``onewindow audit checkpoint``) the head of
every stream — position and hash — is signed with an Ed25519 key and

- appended to ``checkpoints.jsonl`` in ``ONEWINDOW_AUDIT_CHECKPOINT_DIR`` (0600, opened append-only; point
  the directory at another disk or an object-store mount in production), and
- written to the log (logger ``onewindow.audit.checkpoint``), which the log shipping copies elsewhere.

``onewindow audit verify`` then requires every stream to reach at least its checkpointed head with the same
hash. The signing key lives in the data directory (``audit_checkpoint_key``, 0600) unless
``ONEWINDOW_AUDIT_CHECKPOINT_KEY_FILE`` names another file, so a database dump alone can neither forge nor
rewrite a checkpoint.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db.models import Count, Max

from onewindow.core import clock
from onewindow.core.hashing import canonical_json, sm3_hex
from onewindow.core.models import AuditEntry

log = logging.getLogger("onewindow.audit.checkpoint")
CHECKPOINT_FILE_NAME = "checkpoints.jsonl"


def checkpoint_dir() -> Path:
    return Path(settings.ONEWINDOW_AUDIT_CHECKPOINT_DIR)


def checkpoint_file() -> Path:
    return checkpoint_dir() / CHECKPOINT_FILE_NAME


def checkpoint_key_file() -> Path:
    return Path(settings.ONEWINDOW_AUDIT_CHECKPOINT_KEY_FILE)


def _private_key() -> Ed25519PrivateKey:
    """The signing key, generated once (0600) on first use."""
    path = checkpoint_key_file()
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def _public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def checkpoint_key_id() -> str:
    """A short name of the public key (SM3 of its raw bytes), printed in each checkpoint."""
    return sm3_hex(_public_raw(_private_key().public_key()))[:16]


def audit_heads() -> dict[str, dict[str, Any]]:
    """Each stream's newest position and hash, as committed now."""
    heads: dict[str, dict[str, Any]] = {}
    tops = AuditEntry.objects.values("stream").annotate(top=Max("stream_seq"), entries=Count("seq"))
    for row in tops:
        entry = AuditEntry.objects.only("hash", "seq").get(stream=row["stream"], stream_seq=row["top"])
        heads[str(row["stream"])] = {"position": row["top"], "hash": entry.hash, "seq": entry.seq}
    return heads


def audit_checkpoint_create() -> dict[str, Any]:
    """Sign the current heads and append them to the checkpoint file and the log."""
    key = _private_key()
    body = {
        "at": clock.now().isoformat(timespec="seconds"),
        "key": sm3_hex(_public_raw(key.public_key()))[:16],
        "streams": audit_heads(),
    }
    record = {**body, "signature": base64.b64encode(key.sign(canonical_json(body).encode())).decode()}
    line = canonical_json(record)
    directory = checkpoint_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(checkpoint_file(), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    log.info("audit checkpoint %s", line)
    return record


@dataclass(frozen=True)
class Checkpoints:
    """The checkpoint file as read back: the newest valid checkpoint, how many there were, and any problem."""

    count: int
    latest: dict[str, Any] | None
    problem: str = ""


def checkpoints_read() -> Checkpoints:
    """Read and check the signature of every checkpoint; the newest one is what the chain must reach."""
    path = checkpoint_file()
    if not path.exists():
        return Checkpoints(0, None)
    public_key = _private_key().public_key()
    key_id = sm3_hex(_public_raw(public_key))[:16]
    latest: dict[str, Any] | None = None
    count = 0
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                signature = base64.b64decode(record.pop("signature"))
            except (ValueError, KeyError):
                return Checkpoints(count, latest, f"checkpoint line {number} is not a signed checkpoint")
            if record.get("key") != key_id:
                return Checkpoints(count, latest, f"checkpoint line {number} is signed by an unknown key")
            try:
                public_key.verify(signature, canonical_json(record).encode())
            except InvalidSignature:
                return Checkpoints(count, latest, f"checkpoint line {number} has an invalid signature")
            latest, count = record, count + 1
    return Checkpoints(count, latest)
