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
import fcntl
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
from onewindow.core.services import audit_record

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
    return ed25519_key_file(checkpoint_key_file())


def ed25519_key_file(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in ``path``, generated there (0600, PKCS#8 PEM) on first use; also the data
    sharing access log's key."""
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


class CheckpointRefused(RuntimeError):
    """The chain no longer holds the previous checkpoint's heads: signing now would bless the tampering."""


def _last_line(path: Path) -> str:
    """The file's last non-empty line (read from the end: the file grows for years)."""
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        block = 1 << 16
        data = b""
        while size > 0:
            step = min(block, size)
            size -= step
            handle.seek(size)
            data = handle.read(step) + data
            lines = [line for line in data.split(b"\n") if line.strip()]
            if len(lines) > 1 or (lines and size == 0):
                return lines[-1].decode()
    return ""


def _line_digest(line: str) -> str:
    return sm3_hex(line.strip())


def _heads_still_present(previous: dict[str, Any]) -> str:
    """'' when every stream still has the previous checkpoint's head at its position with its hash."""
    for stream, head in sorted(previous.get("streams", {}).items()):
        entry = (
            AuditEntry.objects.filter(stream=int(stream), stream_seq=head["position"]).only("hash").first()
        )
        if entry is None:
            return (
                f"stream {stream}: entry #{head['position']} of the previous checkpoint is missing (deleted)"
            )
        if entry.hash != head["hash"]:
            return f"stream {stream}: entry #{head['position']} differs from the previous checkpoint"
    return ""


def audit_checkpoint_create(*, accept_changes: str = "") -> dict[str, Any]:
    """Sign the current heads and append them to the checkpoint file and the log.

    Each checkpoint names the digest of the line before it (``prev``), so a line removed from the middle is
    noticed, and is only written while the chain still holds the previous checkpoint's heads: otherwise the
    entries were deleted or rewritten since, and it raises ``CheckpointRefused`` (logged at ERROR) instead of
    signing the damaged chain. After a deliberate change (a point-in-time recovery) an operator signs the chain
    as it now is with ``accept_changes`` — the reason, kept in the checkpoint and in an audit entry.
    """
    key = _private_key()
    directory = checkpoint_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(checkpoint_file(), os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        # One writer at a time (two workers may run the job): both would otherwise name the same `prev`.
        fcntl.flock(fd, fcntl.LOCK_EX)
        previous_line = _last_line(checkpoint_file())
        if previous_line:
            problem = _heads_still_present(json.loads(previous_line))
            if problem and not accept_changes:
                log.error("audit checkpoint refused: %s", problem)
                raise CheckpointRefused(problem)
            if problem:
                log.warning("audit checkpoint accepts a changed chain (%s): %s", accept_changes, problem)
                audit_record(
                    actor=None,
                    action="audit.checkpoint_accept_changes",
                    changes={"reason": accept_changes[:500], "problem": problem},
                )
        body: dict[str, Any] = {
            "at": clock.now().isoformat(timespec="seconds"),
            "key": sm3_hex(_public_raw(key.public_key()))[:16],
            "prev": _line_digest(previous_line) if previous_line else "",
            "streams": audit_heads(),
        }
        if accept_changes:
            body["accepted_changes"] = accept_changes[:500]
        record = {**body, "signature": base64.b64encode(key.sign(canonical_json(body).encode())).decode()}
        line = canonical_json(record)
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
    count, previous_digest = 0, ""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            digest = _line_digest(line)
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
            if record.get("prev", "") != previous_digest:
                return Checkpoints(
                    count,
                    latest,
                    f"checkpoint line {number} does not follow the line before it (lines removed)",
                )
            latest, count, previous_digest = record, count + 1, digest
    return Checkpoints(count, latest)
