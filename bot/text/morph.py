"""Lemmatisation with pymorphy3, cached, keeping abbreviations intact.

Why pymorphy3 rather than a stemmer: Russian inflection changes stems
(«ребенок» / «детей»), and the lemma is also what place names and the crisis
lexicon need. pymorphy3 is slow per call (~30 µs), so results are cached; the
vocabulary of a corpus is small compared with its word count.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

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

# Parts of speech that carry no topic: prepositions, conjunctions, particles,
# interjections, pronouns, predicatives («можно», «нужно»), comparatives («больше»).
# Pronominal adjectives («мой», «такой», «который», «весь», tag Apro) count too. One list for
# search, summaries and routing: they used to keep two that had drifted apart.
FUNCTION_POS = frozenset({"PREP", "CONJ", "PRCL", "INTJ", "NPRO", "PRED", "COMP"})

_morph: pymorphy3.MorphAnalyzer | None = None


def _analyzer() -> pymorphy3.MorphAnalyzer:
    global _morph
    if _morph is None:
        _morph = pymorphy3.MorphAnalyzer()
    return _morph


def _russian(word: str) -> bool:
    return any("а" <= ch <= "я" for ch in word)


@lru_cache(maxsize=200_000)
def parses(word: str) -> tuple[Any, ...]:
    """pymorphy3's readings of one normalised word, likeliest first — the one morphology
    cache of the bot: lemmas, parts of speech, place names and inflection all read it."""
    return tuple(_analyzer().parse(word))


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The dictionary form of one normalised word (abbreviations and numbers untouched)."""
    if word in ABBREVIATIONS or word.isdigit() or len(word) < 2 or not _russian(word):
        return word
    return str(parses(word)[0].normal_form).replace("ё", "е")


@lru_cache(maxsize=50_000)
def is_known_word(word: str) -> bool:
    """True when the word is in pymorphy3's dictionary (not a guess from its suffix)."""
    if word in ABBREVIATIONS or word.isdigit():
        return True
    return bool(_analyzer().word_is_known(word))


def part_of_speech(word: str) -> str | None:
    """The likeliest part of speech (pymorphy3's tag), None for numbers and non-Russian."""
    if word.isdigit() or word in ABBREVIATIONS or not _russian(word):
        return None
    pos = parses(word)[0].tag.POS
    return str(pos) if pos else None


def is_function_word(word: str) -> bool:
    """A word that says nothing of the topic (see FUNCTION_POS), by its likeliest parse."""
    if word.isdigit() or word in ABBREVIATIONS or not _russian(word):
        return False
    tag = parses(word)[0].tag
    return tag.POS in FUNCTION_POS or "Apro" in tag.grammemes


def is_place_name(word: str) -> bool:
    """True when one of the two likeliest readings is a place name (tag Geox)."""
    if word in ABBREVIATIONS or not _russian(word):
        return False
    return any("Geox" in p.tag for p in parses(word)[:2])
