"""Catalogue search that understands how people ask (issue #3 point 7).

Every published item and published life-event bundle has one search document: its texts cut into words by
jieba (search mode, with our user dictionary) and widened with synonyms (社保卡 ↔ 社会保障卡, 开饭店 →
食品经营许可; the word lists are in ``search_data/``). Documents are widened, questions are not, so a
question scores on the words people typed. The words are joined by spaces, so the database's plain word tokenizer does the rest: an FTS5
``unicode61`` table on SQLite, a ``tsvector('simple')`` with a GIN index on PostgreSQL (neither database can
cut Chinese itself, and FTS5's trigram tokenizer misses two-character words such as 护照). The table is made
by migration 0002 and written here with raw SQL, as Django has no model for an FTS5 virtual table.

Ranking: text relevance (BM25 on SQLite, ``ts_rank`` on PostgreSQL) with the item name weighing most and the
materials least, times a popularity factor; bundles are lifted when the question sounds like a life event
(宝宝刚出生, 开个饭店). Typos are corrected against the vocabulary of titles, keywords and synonyms (社报卡 →
社保卡, 驾失证 → 驾驶证).
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection, transaction

from onewindow.catalogue.models import Bundle, Item
from onewindow.catalogue.public_cache import PUBLIC_TTL_SECONDS, public_generation_bump, public_key

# search_words and search_synonyms are re-exported: they are part of what this module offers.
from onewindow.catalogue.search_text import (  # noqa: F401
    _document_words,
    _life_event_cues,
    _query_words,
    _stopwords,
    _synonyms,
    search_synonyms,
    search_words,
)

# Column weights, name first: a word in the item's name says far more than the same word in a material.
# FTS5's bm25() takes one weight per column, unindexed ones included (kind, ref, title): 0, 0, 0, 10, 6, 2,
# 0.5 for name, keywords, body, materials. ts_rank takes {D, C, B, A} = {materials, body, keywords, name}:
# {0.05, 0.2, 0.6, 1.0}. ts_rank rather than ts_rank_cd: cover density rewards words standing close
# together, which says little for words joined by OR, and it took 86 ms where ts_rank took 15 ms for 3,000
# matching rows.
_SQLITE_MATCH = (
    "SELECT kind, ref, title, -bm25(catalogue_search, 0, 0, 0, 10.0, 6.0, 2.0, 0.5) AS relevance "
    "FROM catalogue_search WHERE catalogue_search MATCH %s ORDER BY relevance DESC LIMIT %s"
)
_POSTGRESQL_MATCH = (
    "SELECT kind, ref, title, ts_rank('{0.05, 0.2, 0.6, 1.0}', document, q.query) AS relevance "
    "FROM catalogue_search CROSS JOIN to_tsquery('simple', %s) AS q(query) WHERE document @@ q.query "
    "ORDER BY relevance DESC LIMIT %s"
)
_POSTGRESQL_MATCH_WITH_MATERIALS = (
    "SELECT kind, ref, title, "
    "ts_rank('{0.05, 0.2, 0.6, 1.0}', document || materials_document, q.query) AS relevance "
    "FROM catalogue_search CROSS JOIN to_tsquery('simple', %s) AS q(query) "
    "WHERE document @@ q.query OR materials_document @@ q.query ORDER BY relevance DESC LIMIT %s"
)
# Rank by text first, then join the few best to their records (popularity, still published); the join also
# hides rows that a test database flush (which knows only Django's tables) left behind.
_RECORDS = (
    "SELECT s.kind, s.ref, s.title, s.relevance, COALESCE(i.popularity, b.popularity, 0) FROM ({}) AS s "
    "LEFT JOIN catalogue_item i ON s.kind = 'item' AND i.implementation_code = s.ref "
    "LEFT JOIN catalogue_bundle b ON s.kind = 'bundle' AND b.code = s.ref "
    "WHERE i.published_version_id IS NOT NULL OR b.is_published"
)
_SQL = {  # (vendor, with materials) → query
    ("sqlite", False): _RECORDS.format(_SQLITE_MATCH),
    ("sqlite", True): _RECORDS.format(_SQLITE_MATCH),
    ("postgresql", False): _RECORDS.format(_POSTGRESQL_MATCH),
    ("postgresql", True): _RECORDS.format(_POSTGRESQL_MATCH_WITH_MATERIALS),
}
# How many candidates the text match hands to the popularity re-ranking.
_CANDIDATES = 200

# A typo is never corrected by changing one of these characters: "开个饭店" is not a misspelt "开开饭店".
_STOP_CHARS = frozenset(
    "我你您他她想要需办怎么样如何哪里儿在去到给个一下请问能可以咋多久些什该得是有和与及了的吗呢啊吧呀还就都也又把被让"
)
# A bundle's score when the question names a life event (search_data/life_events.txt).
_BUNDLE_BOOST = 1.6
_HAN_TERM = re.compile(r"^[\u4e00-\u9fff]{2,12}$")


@dataclass(frozen=True)
class SearchHit:
    """One ranked result: an item (by implementation code) or a bundle (by code)."""

    kind: str  # "item" | "bundle"
    ref: str
    title: str
    score: float


@dataclass(frozen=True)
class SearchResult:
    """What the search box shows: the hits, the query actually searched when a typo was corrected, and
    "did you mean" suggestions."""

    hits: list[SearchHit]
    corrected_query: str | None = None
    suggestions: list[str] = field(default_factory=list)


# --- the index ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Document:
    kind: str
    ref: str
    title: str
    name: str
    keywords: str
    body: str
    materials: str


def _item_document(item: Item) -> _Document | None:
    version = item.published_version
    if version is None:
        return None
    department = item.department
    return _Document(
        kind="item",
        ref=item.implementation_code,
        title=version.name,
        name=_document_words(version.name, item.basic.name),
        keywords=_document_words(
            version.keywords,
            version.result_name,
            widened_by=(version.name, item.basic.name, version.keywords, version.result_name),
        ),
        body=_document_words(
            department.name,
            department.short_name,
            *(theme.name for theme in version.themes.all()),
            *(str(entry.get("q", "")) for entry in version.faq if isinstance(entry, dict)),
        ),
        materials=_document_words(*(material.name for material in version.materials.all())),
    )


def _bundle_document(bundle: Bundle) -> _Document | None:
    if not bundle.is_published:
        return None
    item_names = [
        entry.item.published_version.name
        for entry in bundle.entries.all()
        if entry.item.published_version is not None
    ]
    return _Document(
        kind="bundle",
        ref=bundle.code,
        title=bundle.name,
        name=_document_words(bundle.name),
        keywords=_document_words(
            bundle.keywords, widened_by=(bundle.name, bundle.keywords, bundle.description)
        ),
        body=_document_words(bundle.description, *item_names),
        materials="",
    )


# PostgreSQL's table names its key ``id``; SQLite's FTS5 table has only the implicit ``rowid``.
_INSERT = {
    "postgresql": "INSERT INTO catalogue_search (id, kind, ref, title, name, keywords, body, materials) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
    "sqlite": "INSERT INTO catalogue_search (rowid, kind, ref, title, name, keywords, body, materials) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
}


def _rowid(kind: str, ref: str) -> int:
    """A stable 63-bit row id for a document: FTS5 finds a row quickly only by rowid (a filter on an
    unindexed column reads the whole table)."""
    return int.from_bytes(hashlib.blake2b(f"{kind}:{ref}".encode(), digest_size=8).digest()) >> 1


def _rows_delete(kind: str, ref: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DELETE FROM catalogue_search WHERE kind = %s AND ref = %s", [kind, ref])
        else:
            cursor.execute("DELETE FROM catalogue_search WHERE rowid = %s", [_rowid(kind, ref)])


def _rows_insert(documents: Iterable[_Document | None]) -> int:
    rows = [
        (_rowid(d.kind, d.ref), d.kind, d.ref, d.title, d.name, d.keywords, d.body, d.materials)
        for d in documents
        if d is not None
    ]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(_INSERT[connection.vendor], rows)
    transaction.on_commit(_vocabulary_forget)
    return len(rows)


def _items_for_index():
    return Item.objects.select_related("published_version", "department", "basic").prefetch_related(
        "published_version__themes", "published_version__materials"
    )


def _bundles_for_index():
    return Bundle.objects.prefetch_related(
        "entries__item__published_version",
    )


def search_index_item(item: Item) -> None:
    """Bring the item's search document up to date: its published guide, or nothing if none is published."""
    public_generation_bump()  # cached search results and guide fragments are stale from the commit on
    item = _items_for_index().get(pk=item.pk)
    _rows_delete("item", item.implementation_code)
    _rows_insert([_item_document(item)])
    # A bundle's document lists its items' names, so it follows a renamed item.
    for bundle in _bundles_for_index().filter(entries__item=item).distinct():
        search_index_bundle(bundle)


def search_index_bundle(bundle: Bundle) -> None:
    """Bring the bundle's search document up to date (removed when the bundle is not published)."""
    public_generation_bump()  # cached search results and guide fragments are stale from the commit on
    bundle = _bundles_for_index().get(pk=bundle.pk)
    _rows_delete("bundle", bundle.code)
    _rows_insert([_bundle_document(bundle)])


@transaction.atomic
def search_index_rebuild() -> int:
    """Rebuild the whole index from the published catalogue; returns how many documents it holds."""
    public_generation_bump()  # cached search results and guide fragments are stale from the commit on
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalogue_search")
    count = 0
    items = _items_for_index().filter(published_version__isnull=False).order_by("pk")
    # In slices: prefetching materials and themes for 10,000 items at once holds them all in memory.
    last = None
    while True:
        page = list((items.filter(pk__gt=last) if last else items)[:1000])
        if not page:
            break
        count += _rows_insert(_item_document(item) for item in page)
        last = page[-1].pk
    count += _rows_insert(
        _bundle_document(bundle) for bundle in _bundles_for_index().filter(is_published=True)
    )
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner guesses how many rows a word matches and scans the whole table.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalogue_search")
    return count


# --- typo correction ----------------------------------------------------------------------------------


@dataclass
class _Vocabulary:
    """The words people are likely to mean, with how many documents use each."""

    terms: Counter[str]
    # "社?卡" → ["社保卡"]: every term of three characters or more under each one-character blank.
    blanks: dict[str, list[str]]
    longest: int


_VOCABULARY_SECONDS = 300
_vocabulary_cache: tuple[float, _Vocabulary] | None = None


def _vocabulary_forget() -> None:
    global _vocabulary_cache
    _vocabulary_cache = None


def _vocabulary() -> _Vocabulary:
    global _vocabulary_cache
    cached = _vocabulary_cache
    # Other processes change the index too; a few minutes' staleness only delays a new word's correction.
    if cached is not None and time.monotonic() - cached[0] < _VOCABULARY_SECONDS:
        return cached[1]
    terms: Counter[str] = Counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, keywords FROM catalogue_search")
        for name, keywords in cursor.fetchall():
            terms.update({word for word in f"{name} {keywords}".split() if _HAN_TERM.match(word)})
    terms.update(term for term in _synonyms().terms if _HAN_TERM.match(term))
    blanks: dict[str, list[str]] = {}
    for term in terms:
        if len(term) >= 3:
            for i in range(len(term)):
                blanks.setdefault(f"{term[:i]}?{term[i + 1 :]}", []).append(term)
    vocabulary = _Vocabulary(terms=terms, blanks=blanks, longest=max(map(len, terms), default=0))
    _vocabulary_cache = (time.monotonic(), vocabulary)
    return vocabulary


def _corrected(query: str, vocabulary: _Vocabulary) -> str | None:
    """The query with misspelt words replaced (社报卡 → 社保卡), or None if nothing looks misspelt.

    A character may be replaced only where no known word covers it, so a correctly written word is never
    "corrected"; of the candidates the longer and more widely used word wins.
    """
    text = query.strip()
    covered = [False] * len(text)
    for start in range(len(text)):
        for end in range(start + 2, min(len(text), start + vocabulary.longest) + 1):
            if text[start:end] in vocabulary.terms:
                covered[start:end] = [True] * (end - start)
    fixes: list[tuple[int, int, int, str]] = []  # (-length, -frequency, start, term)
    for length in range(min(vocabulary.longest, len(text)), 2, -1):
        for start in range(len(text) - length + 1):
            window = text[start : start + length]
            if window in vocabulary.terms:
                continue
            candidates = []
            for k in range(length):
                if covered[start + k] or window[k] in _STOP_CHARS:
                    continue
                candidates += vocabulary.blanks.get(f"{window[:k]}?{window[k + 1 :]}", [])
                if k + 1 < length and not covered[start + k + 1]:
                    swapped = f"{window[:k]}{window[k + 1]}{window[k]}{window[k + 2 :]}"
                    if swapped in vocabulary.terms:
                        candidates.append(swapped)
            if candidates:
                best = max(candidates, key=lambda term: vocabulary.terms[term])
                fixes.append((-length, -vocabulary.terms[best], start, best))
    if not fixes:
        return None
    taken = [False] * len(text)
    chars = list(text)
    for negative_length, _, start, term in sorted(fixes):
        span = range(start, start - negative_length)
        if any(taken[i] for i in span):
            continue
        for offset, i in enumerate(span):
            taken[i] = True
            chars[i] = term[offset]
    corrected = "".join(chars)
    return corrected if corrected != text else None


def search_suggest(query: str, *, limit: int = 5) -> list[str]:
    """Spelling suggestions for a query: the corrected query first, then known words that look alike."""
    vocabulary = _vocabulary()
    suggestions: list[str] = []
    corrected = _corrected(query, vocabulary)
    if corrected:
        suggestions.append(corrected)
    words = [word for word in search_words(query) if word not in _stopwords()]
    core = "".join(words) or query.strip()
    if core and core not in vocabulary.terms:
        # Only terms sharing a character with the query can look alike: no need to compare with all of them.
        pool = {
            term for term in vocabulary.terms if set(term) & set(core) and abs(len(term) - len(core)) <= 2
        }
        close = difflib.get_close_matches(core, pool, n=limit * 2, cutoff=0.6)
        close.sort(
            key=lambda term: (-difflib.SequenceMatcher(None, core, term).ratio(), -vocabulary.terms[term])
        )
        suggestions += close
    return list(dict.fromkeys(suggestions))[:limit]


# --- querying -----------------------------------------------------------------------------------------


def _matches(words: list[str], *, with_materials: bool, limit: int) -> list[tuple[str, str, str, float, int]]:
    """(kind, ref, title, relevance, popularity) of the best text matches for any of ``words``.

    Without materials by default: nearly every item asks for 居民身份证 or 申请表, so matching the materials
    would rank every document for such words (a BM25 score each: tens of milliseconds on 10,000 items).
    """
    if not words:
        return []
    if connection.vendor == "postgresql":
        query = " | ".join(f"'{word}'" for word in words)
    else:
        query = " OR ".join(f'"{word}"' for word in words)
        if not with_materials:
            query = f"{{name keywords body}} : ({query})"
    with connection.cursor() as cursor:
        cursor.execute(_SQL[(connection.vendor, with_materials)], [query, max(limit, _CANDIDATES)])
        return cursor.fetchall()


def _ranked(query: str, words: list[str], limit: int) -> list[SearchHit]:
    life_event = any(cue in query for cue in _life_event_cues())
    rows = _matches(words, with_materials=False, limit=limit)
    if len(rows) < limit:
        # Few hits on names and keywords: let the materials speak too ("要带户口本的事项").
        rows = _matches(words, with_materials=True, limit=limit)
    hits: dict[tuple[str, str], SearchHit] = {}
    for kind, ref, title, relevance, popularity in rows:
        score = float(relevance) * (1 + 0.1 * math.log1p(popularity or 0))
        if kind == "bundle" and life_event:
            score *= _BUNDLE_BOOST
        if (kind, ref) not in hits or hits[(kind, ref)].score < score:
            hits[(kind, ref)] = SearchHit(kind=kind, ref=ref, title=title, score=round(score, 6))
    return sorted(hits.values(), key=lambda hit: (-hit.score, hit.kind, hit.ref))[:limit]


def search_items(*, query: str, limit: int = 50) -> list[SearchHit]:
    """Published items and bundles matching ``query``, best first (relevance, popularity, life events)."""
    return _ranked(query, _query_words(query), limit)


def search_catalogue_cached(query: str, limit: int = 50) -> SearchResult:
    """``search_catalogue`` answered from the shared cache while the published catalogue is unchanged: the
    same words give the same hits until the next publication (``public_cache``). Segmenting, correcting and
    ranking was most of a search page (p50 650 ms under load, issue #18)."""
    key = public_key("search", (query or "").strip()[:100], limit)
    result = cache.get(key)
    if not isinstance(result, SearchResult):
        result = search_catalogue(query, limit)
        cache.set(key, result, PUBLIC_TTL_SECONDS)
    return result


def search_catalogue(query: str, limit: int = 50) -> SearchResult:
    """The search box: ranked hits, with misspelt words corrected and suggestions when nothing is found."""
    query = (query or "").strip()[:100]
    if not query:
        return SearchResult(hits=[])
    vocabulary = _vocabulary()
    corrected = _corrected(query, vocabulary)
    words = _query_words(query)
    if corrected:
        # Search the corrected words as well as the typed ones: a wrong correction then costs little.
        words = list(dict.fromkeys(words + _query_words(corrected)))
    hits = _ranked(corrected or query, words, limit)
    if hits:
        return SearchResult(hits=hits, corrected_query=corrected)
    suggestions = search_suggest(query)
    for suggestion in suggestions:
        hits = search_items(query=suggestion, limit=limit)
        if hits:
            return SearchResult(hits=hits, corrected_query=suggestion, suggestions=suggestions)
    return SearchResult(hits=[], suggestions=suggestions)
