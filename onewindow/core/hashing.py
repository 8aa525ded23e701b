"""Canonical JSON and the SM3 digest (GB/T 32905) used for the audit chain and, later, signatures."""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives import hashes


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text: the same value always gives the same bytes."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def sm3_hex(data: str | bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data.encode() if isinstance(data, str) else data)
    return digest.finalize().hex()
