"""Public, versioned catalogue content kept between requests: search results and rendered page fragments.

Everything here is what any visitor sees of the *published* catalogue, so one copy serves everybody. Keys
carry the catalogue's publication generation: publishing (or withdrawing) an item or a life event indexes it
(``search.search_index_item`` / ``search_index_bundle``, or a rebuild), which calls ``public_generation_bump``,
so every cached answer is dropped at once when the transaction commits. ``PUBLIC_TTL_SECONDS`` bounds what
changes without a publication (popularity, a department renamed) to a few minutes.
"""

from __future__ import annotations

import hashlib
import uuid

from django.core.cache import cache
from django.db import transaction

PUBLIC_TTL_SECONDS = 300
GENERATION_KEY = "catalogue:public-generation"


def public_generation() -> str:
    """The current publication generation (one cache read)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex[:12], timeout=None)
        value = cache.get(GENERATION_KEY) or "0"
    return str(value)


def public_generation_bump() -> None:
    """Drop every cached public answer: a new generation (unique, so no older answer is ever read again),
    now — this transaction's own reads see the change — and again once it commits, because a visitor
    reading between the two saw the old catalogue and may have cached it under the first new generation."""

    def bump() -> None:
        cache.set(GENERATION_KEY, uuid.uuid4().hex[:12], timeout=None)

    bump()
    transaction.on_commit(bump)


def public_key(*parts: object) -> str:
    """A cache key for public content under the current generation (parts hashed: any text is safe)."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:32]
    return f"catalogue:public:{public_generation()}:{digest}"
