"""The words of catalogue search: jieba with our user dictionary, stopwords, life-event cues and synonyms
(社保卡 ↔ 社会保障卡, 开饭店 → 食品经营许可; the word lists are in ``search_data/``). Documents are widened with
synonyms, questions are not (see ``search.py``)."""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

SEARCH_DATA = Path(__file__).resolve().parent / "search_data"
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class _Synonyms:
    """Rules widening a document: (words in its text, words it is then also found by)."""

    rules: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    terms: frozenset[str]


def _word_list(name: str) -> frozenset[str]:
    text = (SEARCH_DATA / name).read_text(encoding="utf-8")
    return frozenset(word for line in text.splitlines() if not line.startswith("#") for word in line.split())


@functools.cache
def _stopwords() -> frozenset[str]:
    """Words that say nothing about which service is meant ("我想问一下怎么办理")."""
    return _word_list("stopwords.txt")


@functools.cache
def _life_event_cues() -> frozenset[str]:
    """Words that name a life event rather than one permit (宝宝, 退休, 开个…)."""
    return _word_list("life_events.txt")


@functools.cache
def _synonyms() -> _Synonyms:
    rules: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    terms: set[str] = set()
    for raw in (SEARCH_DATA / "synonyms.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=>" in line:
            said, meant = (tuple(part.split()) for part in line.split("=>", 1))
            # Colloquial → official only: a document about 食品经营许可 is also found by "开饭店", but a
            # document that mentions restaurants is not thereby about the food permit.
            rules.append((meant, said))
            terms.update(said + meant)
        else:
            group = tuple(word.strip() for word in line.split("=") if word.strip())
            rules.append((group, group))
            terms.update(group)
    return _Synonyms(tuple(rules), frozenset(terms))


_tokenizer_lock = threading.Lock()
_tokenizer_instance: Any = None


def _tokenizer() -> Any:
    """Our own jieba tokenizer (not jieba's global one, which other code may configure differently)."""
    global _tokenizer_instance
    if _tokenizer_instance is not None:
        return _tokenizer_instance
    with _tokenizer_lock:
        if _tokenizer_instance is None:
            import jieba

            # jieba logs its dictionary loading at INFO on every start; it is not news.
            logging.getLogger("jieba").setLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            # jieba caches its parsed dictionary in the system temp dir by default; keep it in our data dir.
            # The dictionary ships inside the package: nothing is downloaded.
            cache_dir = Path(settings.DATA_DIR) / "cache" / "jieba"
            cache_dir.mkdir(parents=True, exist_ok=True)
            tokenizer.tmp_dir = str(cache_dir)
            tokenizer.load_userdict(str(SEARCH_DATA / "userdict.txt"))
            for term in _synonyms().terms:
                tokenizer.add_word(term)
            _tokenizer_instance = tokenizer
    return _tokenizer_instance


def search_words(text: str) -> list[str]:
    """``text`` cut into search words (jieba search mode: long words and the words inside them)."""
    words: list[str] = []
    for token in _tokenizer().cut_for_search(text or "", HMM=False):
        words.extend(part.lower() for part in _WORD.findall(token))
    return words


def search_synonyms(text: str) -> list[str]:
    """The other words a document with ``text`` is found by: 社会保障卡 → 社保卡; 食品经营许可 → 开饭店.

    Documents are widened, not questions: a question then scores on the words people typed, and no synonym
    outweighs them. The rules are applied until nothing new is added (丢了 → 补领 = 补证 = 补办).
    """
    text = " ".join(text.split())
    added: dict[str, None] = {}
    while True:
        new = [
            word
            for triggers, words in _synonyms().rules
            if any(trigger in text for trigger in triggers)
            for word in words
            if word not in added and word not in text
        ]
        if not new:
            return list(added)
        added.update(dict.fromkeys(new))
        text = f"{text} {' '.join(new)}"


def _document_words(*texts: str, widened_by: Iterable[str] = ()) -> str:
    """The words of ``texts``, plus the synonyms the ``widened_by`` texts call for."""
    words = search_words(" ".join(text for text in texts if text))
    trigger = " ".join(text for text in widened_by if text)
    if trigger:
        words += search_words(" ".join(search_synonyms(trigger)))
    return " ".join(words)


def _query_words(query: str) -> list[str]:
    return list(dict.fromkeys(word for word in search_words(query) if word not in _stopwords()))
