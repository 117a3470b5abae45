"""Wrong keyboard layout: Russian typed with the English layout («ntktajy» → «телефон»).

Hand-written because it is a fixed table (ЙЦУКЕН over QWERTY), not something a library
adds value to. б ю ж э х ъ ё sit on `, . ; ' [ ] `` keys, so conversion must run on the
raw text before tokenisation strips those characters.
"""

from __future__ import annotations

_EN = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>~"
_RU = "йцукенгшщзхъфывапролджэячсмитьбюёЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮЁ"
_TO_RU = str.maketrans(_EN, _RU)


def en_to_ru(text: str) -> str:
    """Re-type `text` as if the Russian layout had been on."""
    return text.translate(_TO_RU)


def has_latin(text: str) -> bool:
    return any("a" <= ch.lower() <= "z" for ch in text)
