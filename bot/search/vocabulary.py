"""Search vocabulary from `data/search.toml`: stop words, number words, synonym groups.

Lemmatised once at load, so the file can hold natural phrases in dictionary form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.datafile import SearchSpec, read_data
from bot.text.morph import lemma
from bot.text.normalize import words


def lemma_phrase(text: str) -> tuple[str, ...]:
    return tuple(lemma(w) for w in words(text))


@dataclass(frozen=True)
class SearchVocabulary:
    stopwords: frozenset[str]
    number_words: frozenset[str]
    synonym_groups: tuple[tuple[tuple[str, ...], ...], ...] = field(default=())
    short_forms: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> SearchVocabulary:
        raw = read_data(path, SearchSpec)
        stop = {lemma(w) for w in words(raw.get("stopwords", ""))} | set(
            words(raw.get("stopwords", ""))
        )
        groups = tuple(
            tuple(dict.fromkeys(lemma_phrase(p) for p in group if lemma_phrase(p)))
            for group in raw.get("synonyms", [])
        )
        numbers = frozenset(lemma(w) for w in raw.get("number_words", []))
        short = {str(k).lower(): str(v).lower() for k, v in raw.get("short_forms", {}).items()}
        return cls(frozenset(stop), numbers, groups, short)
