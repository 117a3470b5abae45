"""A phonetic key for Russian words, for spellings that follow the sound.

Children and hurried parents write what they hear: «тилифон давериа», «упалнамоченый»,
«омбуцмен», «мфс». Letter edits count those as three or four typos; the sound is the same.
The key folds what Russian pronunciation folds — unstressed о/а, е/и/я/э/ы, voiced and
voiceless pairs (д/т, з/с, б/п, г/к, в/ф, ж/ш), ц/тс/дс, щ/ш, soft and hard signs, й,
doubled letters — so two spellings of one sound share a key. Hand-written because the
libraries that do this (Metaphone, Soundex and their ports) are for English; the Russian
«Metaphone» variants found on PyPI are unmaintained single-file scripts.
"""

from __future__ import annotations

import re
from itertools import groupby

_FOLD = str.maketrans(
    {
        "о": "а",
        "ё": "и",
        "е": "и",
        "э": "и",
        "ы": "и",
        "я": "и",
        "й": "и",
        "ю": "у",
        "д": "т",
        "з": "с",
        "б": "п",
        "г": "к",
        "в": "ф",
        "ж": "ш",
        "щ": "ш",
        "ц": "с",
        "ь": None,
        "ъ": None,
    }
)
_TS = re.compile(r"[тд]с")


def phonetic_key(word: str) -> str:
    """«телефон» and «тилифон» → «тилифан»; «мфц» and «мфс» → «мфс»."""
    word = _TS.sub("с", word.lower()).translate(_FOLD)
    # Doubled letters once: groupby, not re.sub(r"(.)\1+", r"\1") — the template
    # expansion made this the vocabulary load's largest share (56k terms at start).
    return "".join(letter for letter, _ in groupby(word))
