"""Russian written with Latin letters: the wrong keyboard layout, or transliteration.

Both are hand-written because they are fixed tables, not something a library adds value
to: the layout is ЙЦУКЕН over QWERTY (б ю ж э х ъ ё sit on `, . ; ' [ ] `` keys, so
conversion must run on the raw text before tokenisation strips those characters); the
transliteration is the informal one teenagers type («ne hochu zhit», «menya bjut»), which
no standard (GOST, ISO 9) and no PyPI transliterator reads back — they invert their own
standard only. Both produce candidates; the caller decides whether the result makes words.
"""

from __future__ import annotations

import re

_EN = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>~"
_RU = "йцукенгшщзхъфывапролджэячсмитьбюёЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮЁ"
_TO_RU = str.maketrans(_EN, _RU)

# Informal transliteration, longest spelling first. «y» is «ы» after a consonant and «й»
# elsewhere; «'» is the soft sign.
_TRANSLIT = [
    ("shch", "щ"),
    ("sch", "щ"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("ts", "ц"),
    ("tz", "ц"),
    ("yo", "ё"),
    ("jo", "ё"),
    ("yu", "ю"),
    ("ju", "ю"),
    ("iu", "ю"),
    ("ya", "я"),
    ("ja", "я"),
    ("ia", "я"),
    ("ye", "е"),
    ("je", "е"),
    ("a", "а"),
    ("b", "б"),
    ("v", "в"),
    ("w", "в"),
    ("g", "г"),
    ("d", "д"),
    ("e", "е"),
    ("z", "з"),
    ("i", "и"),
    ("j", "й"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("f", "ф"),
    ("h", "х"),
    ("x", "кс"),
    ("c", "ц"),
    ("q", "к"),
    ("'", "ь"),
    ("`", "ь"),
]
_TRANSLIT_RE = re.compile("|".join(re.escape(src) for src, _ in _TRANSLIT) + "|y")
_TRANSLIT_MAP = dict(_TRANSLIT)
_RU_VOWELS = set("аеёиоуыэюя")


def en_to_ru(text: str) -> str:
    """Re-type `text` as if the Russian layout had been on."""
    return text.translate(_TO_RU)


def translit_to_ru(text: str) -> str:
    """Read informal Latin transliteration back into Cyrillic («ne hochu zhit» → «не хочу
    жит»). Lower-cases; leaves digits, punctuation and Cyrillic as they are."""
    out: list[str] = []

    def repl(match: re.Match[str]) -> str:
        src = match.group(0)
        if src == "y":
            prev = out[-1][-1] if out and out[-1] else ""
            cyr = "ы" if prev and prev.isalpha() and prev not in _RU_VOWELS else "й"
        else:
            cyr = _TRANSLIT_MAP[src]
        out.append(cyr)
        return cyr

    result = []
    for chunk in re.split(r"(\s+)", text.lower()):
        out.clear()
        out.append("")
        result.append(_TRANSLIT_RE.sub(repl, chunk))
    return "".join(result)


def has_latin(text: str) -> bool:
    return any("a" <= ch.lower() <= "z" for ch in text)
