"""Normalisation and tokenisation of Russian text.

One place decides what a "word" is, so the index, the query and the crisis lexicon
agree: lower case, ё→е, letters and digits only (hyphenated words split).
"""

from __future__ import annotations

import re

_WORD_RE = re.compile(r"[0-9a-zа-я]+", re.IGNORECASE)


def normalize(text: str) -> str:
    """Lower-case and fold ё into е (Russian writers use both for the same word)."""
    return text.lower().replace("ё", "е")


def words(text: str) -> list[str]:
    """Split normalised text into words: runs of Latin/Cyrillic letters and digits."""
    return _WORD_RE.findall(normalize(text))
