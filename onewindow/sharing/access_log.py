"""The access log's chain and signatures (X-Road's signed message log): appending one entry under the head
lock, and verifying the whole chain (``onewindow sharing_log_verify``)."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction

from onewindow.cases.models import SHARED_DATA_REFERENCE_PREFIX
from onewindow.core import clock
from onewindow.core.audit_checkpoints import ed25519_key_file
from onewindow.core.hashing import canonical_json, sm3_hex
from onewindow.sharing.models import AccessLogEntry, AccessLogHead

GENESIS = "0" * 64


def log_key() -> Ed25519PrivateKey:
    return ed25519_key_file(Path(settings.ONEWINDOW_SHARING_LOG_KEY_FILE))


def log_key_id(key: Ed25519PrivateKey | None = None) -> str:
    public = (key or log_key()).public_key()
    return sm3_hex(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))[:16]


def _body(entry: AccessLogEntry) -> dict[str, Any]:
    """What the hash covers: every column but the hash and signature themselves."""
    return {
        "seq": entry.seq,
        "reference": entry.reference,
        "at": entry.at.astimezone(dt.UTC).isoformat(),
        "resource": str(entry.resource_id),
        "consumer": str(entry.consumer_id),
        "official": str(entry.official_id or ""),
        "official_label": entry.official_label,
        "case": str(entry.case_id or ""),
        "case_label": entry.case_label,
        "purpose": entry.purpose,
        "subject_kind": entry.subject_kind,
        "subject_key": entry.subject_key,
        "fields_asked": list(entry.fields_asked),
        "fields_given": list(entry.fields_given),
        "outcome": entry.outcome,
        "detail": entry.detail,
        "registry_reference": entry.registry_reference,
        "prev_hash": entry.prev_hash,
        "key_id": entry.key_id,
    }


def _hash(entry: AccessLogEntry) -> str:
    return sm3_hex(entry.prev_hash + canonical_json(_body(entry)))


def query_reference() -> str:
    """The query's reference, also kept on a case material fetched with it (``GX`` + date + random)."""
    return f"{SHARED_DATA_REFERENCE_PREFIX}{clock.now():%Y%m%d}{secrets.token_hex(6).upper()}"


@transaction.atomic
def log_append(**columns: Any) -> AccessLogEntry:
    """Append one signed, time-stamped entry after the current head (writers queue on the head row)."""
    if not AccessLogHead.objects.filter(pk=1).exists():
        # Made by migration 0002; a flushed database (tests) has none: start it after the last entry there is.
        last = AccessLogEntry.objects.order_by("-seq").first()
        AccessLogHead.objects.get_or_create(
            pk=1,
            defaults={"seq": last.seq if last else 0, "entry_hash": last.entry_hash if last else GENESIS},
        )
    head = AccessLogHead.objects.select_for_update().get(pk=1)
    key = log_key()
    entry = AccessLogEntry(
        seq=head.seq + 1, at=clock.now(), prev_hash=head.entry_hash, key_id=log_key_id(key), **columns
    )
    entry.entry_hash = _hash(entry)
    entry.signature = base64.b64encode(key.sign(bytes.fromhex(entry.entry_hash))).decode()
    entry.save(force_insert=True)
    head.seq, head.entry_hash = entry.seq, entry.entry_hash
    head.save(update_fields=["seq", "entry_hash"])
    return entry


@dataclass(frozen=True)
class LogVerification:
    """The result of checking the whole chain: how many entries, and the first problem found (or "")."""

    entries: int
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def log_verify() -> LogVerification:
    """Walk the chain in order: positions without gaps (a removed entry), each entry linked to the one before
    (a reordered or inserted one), its hash recomputed (an edited one), its signature valid, and the head's
    position and hash reached (entries removed from the end)."""
    key = log_key()
    public, key_id = key.public_key(), log_key_id(key)
    previous_hash, expected, count = GENESIS, 1, 0
    for entry in AccessLogEntry.objects.order_by("seq").iterator(chunk_size=500):
        count += 1
        if entry.seq != expected:
            return LogVerification(count, f"entry {expected} is missing (next found: {entry.seq})")
        if entry.prev_hash != previous_hash:
            return LogVerification(
                count, f"entry {entry.seq} does not follow entry {entry.seq - 1} (reordered)"
            )
        if _hash(entry) != entry.entry_hash:
            return LogVerification(
                count, f"entry {entry.seq} ({entry.reference}) was changed after it was written"
            )
        if entry.key_id != key_id:
            return LogVerification(count, f"entry {entry.seq} is signed by an unknown key {entry.key_id}")
        try:
            public.verify(base64.b64decode(entry.signature), bytes.fromhex(entry.entry_hash))
        except (InvalidSignature, ValueError):
            return LogVerification(count, f"entry {entry.seq} has an invalid signature")
        previous_hash, expected = entry.entry_hash, expected + 1
    head = AccessLogHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != expected - 1 or head.entry_hash != previous_hash):
        return LogVerification(
            count, f"the log ends at entry {expected - 1} but its head is at entry {head.seq}"
        )
    return LogVerification(count)
