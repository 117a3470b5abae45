"""The analysis chain shared by the index and the questions: small stages, each testable.

    tokenize → (layout repair, short forms: questions only) → phones → sentences and focus
    → lemmas → (stop words, typos, synonyms: questions only, against the index vocabulary)

A document goes through `index_text` (tokenize → lemmas, plus phone tokens); a question
goes through the same `tokenize`, `join_phones` and `lemma`, and then the stages of
`bot.search.analyzer.QueryAnalyzer` that need the index's vocabulary. A message is read
once (`Message`): the router and the search use the same tokens and lemmas.

Why documents are stored lemmatised: stdlib sqlite3 cannot register a Python FTS5
tokenizer, so the index holds «семейный мфц» for «семейными мфц», and questions are
lemmatised the same way. Phone numbers are indexed twice: digit group by digit group as
written, and as one token of their ten digits («8-800-2000-122» → «8002000122»), so a
number typed in any format finds the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from bot.text.morph import lemma
from bot.text.normalize import words

NARRATIVE_WEIGHT = 0.4  # a word of the story around a request counts this much
MAX_QUERY_WORDS = 60

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


def tokenize(text: str) -> list[str]:
    """Stage 1: lower-cased words, ё folded into е (one definition for every reader)."""
    return words(text)


def lemmatize(tokens: list[str]) -> list[str]:
    """The dictionary form of each token (pymorphy3 through the one morphology cache)."""
    return [lemma(t) for t in tokens]


def index_text(text: str) -> str:
    """What the index holds for a text: its lemmas, then the ten-digit phone tokens."""
    lemmas = lemmatize(tokenize(text))
    lemmas.extend(token for _, _, token in phones_in(text))
    return " ".join(lemmas)


@dataclass
class Message:
    """A person's message, read once: the crisis check, the router and the search all
    take it, so the text is tokenised and lemmatised one time per message."""

    text: str
    query: Any = None  # the search's AnalyzedQuery, filled in by SearchEngine.analyze

    @cached_property
    def tokens(self) -> list[str]:
        return tokenize(self.text)

    @cached_property
    def lemmas(self) -> list[str]:
        return lemmatize(self.tokens)


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


def join_phones(text: str) -> str:
    """Phone numbers as one ten-digit token each, the way the index holds them too."""
    found = phones_in(text)
    for start, end, token in reversed(found):
        text = f"{text[:start]} {token} {text[end:]}"
    return text


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


def tokens_with_focus(text: str) -> list[tuple[str, float]]:
    """The words of a message, each with how much it counts by where it stands.

    In a message of several sentences the request is what counts most: the sentences
    that end with «?», or the last one when none does. The story around it
    («у нас трое детей, муж постоянно в разъездах…») counts NARRATIVE_WEIGHT.
    Long messages keep the request's words first when cut to MAX_QUERY_WORDS.
    """
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if words(s)]
    if len(sentences) <= 1:
        return [(w, 1.0) for w in words(text)[:MAX_QUERY_WORDS]]
    asks = {i for i, s in enumerate(sentences) if s.rstrip().endswith("?")}
    if not asks:
        asks = {len(sentences) - 1}
    tagged = [
        (w, 1.0 if i in asks else NARRATIVE_WEIGHT)
        for i, s in enumerate(sentences)
        for w in words(s)
    ]
    if len(tagged) <= MAX_QUERY_WORDS:
        return tagged
    keep = {i for i, (_, f) in enumerate(tagged) if f == 1.0}
    keep = set(sorted(keep)[:MAX_QUERY_WORDS])
    for i in range(len(tagged)):
        if len(keep) >= MAX_QUERY_WORDS:
            break
        keep.add(i)
    return [tagged[i] for i in sorted(keep)]
