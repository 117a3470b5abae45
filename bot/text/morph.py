"""Lemmatisation with pymorphy3, cached, keeping abbreviations intact.

Why pymorphy3 rather than a stemmer: Russian inflection changes stems
(«ребенок» / «детей»), and the lemma is also what place names and the crisis
lexicon need. pymorphy3 is slow per call (~30 µs), so results are cached; the
vocabulary of a corpus is small compared with its word count.
"""

from __future__ import annotations

from functools import lru_cache

import pymorphy3

# Abbreviations pymorphy3 would mangle («ПАВ» → «пасть»); kept exactly as they are.
ABBREVIATIONS: frozenset[str] = frozenset(
    {
        "мфц",
        "нко",
        "кдн",
        "пав",
        "сво",
        "рф",
        "ано",
        "ниу",
        "вшэ",
        "интц",
        "мчс",
        "мвд",
        "фсин",
        "овз",
        "сми",
        "вуз",
        "ссуз",
        "зпр",
        "рас",
        "дцп",
        "пмпк",
        "соп",
        "дтд",
        "тжс",
        "пдн",
        "кцсон",
        "сфр",
        "пфр",
        "ооо",
        "оао",
        "гбу",
        "мбу",
        "гку",
        "мку",
        "соц",
        "ип",
        "снилс",
        "инн",
        "ребцентр",
    }
)

_morph: pymorphy3.MorphAnalyzer | None = None


def _analyzer() -> pymorphy3.MorphAnalyzer:
    global _morph
    if _morph is None:
        _morph = pymorphy3.MorphAnalyzer()
    return _morph


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The dictionary form of one normalised word (abbreviations and numbers untouched)."""
    if word in ABBREVIATIONS or word.isdigit() or len(word) < 2:
        return word
    if not any("а" <= ch <= "я" for ch in word):
        return word
    return _analyzer().parse(word)[0].normal_form.replace("ё", "е")


@lru_cache(maxsize=50_000)
def is_known_word(word: str) -> bool:
    """True when the word is in pymorphy3's dictionary (not a guess from its suffix)."""
    if word in ABBREVIATIONS or word.isdigit():
        return True
    return _analyzer().word_is_known(word)


def lemmas(tokens: list[str]) -> list[str]:
    return [lemma(t) for t in tokens]


def analyzer() -> pymorphy3.MorphAnalyzer:
    """The shared analyzer, for modules that need inflection (places) rather than lemmas."""
    return _analyzer()
