"""What goes into the full-text index: lemmatised text, the same analysis as queries.

stdlib sqlite3 cannot register a Python FTS5 tokenizer, so documents are stored in the
index already lemmatised ("семейными мфц" → "семейный мфц") and queries are
lemmatised the same way. Phone numbers are indexed twice: digit group by digit group as
written, and as one token of their ten digits («8-800-2000-122» → «8002000122»), so a
number typed in any format finds the document.
"""

from __future__ import annotations

import re

from bot.text.morph import lemma
from bot.text.normalize import words

# Bump when the analysis changes: the store re-indexes once when this differs.
INDEX_VERSION = "4"  # 4: articles indexed under their own ids as rowids

# A Russian phone number: ten digits after an optional +7 / 7 / 8, in groups separated by
# spaces, hyphens or brackets.
_PHONE = re.compile(r"(?<![\d\w])(?:\+\s?)?[\d(][\d\s()\-]{8,18}\d(?![\d\w])")


def phone_token(raw: str) -> str | None:
    """The ten-digit form of a phone number as written, or None if it is not one."""
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    return digits if len(digits) == 10 else None


def phones_in(text: str) -> list[tuple[int, int, str]]:
    """(start, end, ten-digit token) of each phone number in `text`."""
    out = []
    for m in _PHONE.finditer(text):
        token = phone_token(m.group())
        if token:
            out.append((m.start(), m.end(), token))
    return out


def index_text(text: str) -> str:
    lemmas = [lemma(w) for w in words(text)]
    lemmas.extend(token for _, _, token in phones_in(text))
    return " ".join(lemmas)


def card_index_text(card: dict) -> tuple[str, str]:
    """(title, body) index text of a service card.

    The title, the phone number and each keyword count as title words; they are kept apart
    by « | » (a separator to FTS5's tokenizer), so the re-ranker can tell how fully a
    question names one of them.
    """
    phrases = [card["title"], card.get("phone", ""), *card.get("keywords", [])]
    title = " | ".join(t for t in (index_text(p) for p in phrases if p) if t)
    body = " ".join([card.get("summary", ""), *card.get("facts", []), *card.get("fact_about", [])])
    return title, index_text(body)
