"""Telegram's limits on text, applied before anything is sent.

Telegram counts message length in UTF-16 code units after entities are parsed
(≤ 4096), so lengths are measured on the visible text, and long replies are split at
paragraph and sentence boundaries — never inside a tag (our renderers keep every tag
within one line).
"""

from __future__ import annotations

import html
import re

from razdel import sentenize

LIMIT = 4096
_TAG_RE = re.compile(r"<[^>]+>")


def esc(text: object) -> str:
    """Escape text for HTML parse mode (<, >, & — quotes are fine outside attributes)."""
    return html.escape(str(text), quote=False)


def esc_attr(text: str) -> str:
    return html.escape(text, quote=True)


def plain_text(markup: str) -> str:
    """What Telegram shows for this HTML: tags dropped, entities decoded."""
    return html.unescape(_TAG_RE.sub("", markup))


def visible_length(markup: str) -> int:
    """Length in UTF-16 code units of what Telegram shows for this HTML."""
    return len(plain_text(markup).encode("utf-16-le")) // 2


def split_message(markup: str, limit: int = LIMIT) -> list[str]:
    """Split HTML into parts that each fit, at line, then sentence, then word boundaries."""
    if visible_length(markup) <= limit:
        return [markup]
    parts: list[str] = []
    current = ""
    for piece in _pieces(markup, limit):
        candidate = f"{current}\n{piece}" if current else piece
        if visible_length(candidate) <= limit:
            current = candidate
        else:
            if current:
                parts.append(current)
            current = piece
    if current:
        parts.append(current)
    return parts


def _safe_cut(text: str, at: int) -> int:
    """A cut position at or before `at` that does not split an entity such as «&amp;»."""
    amp = text.rfind("&", max(0, at - 10), at)
    if amp != -1 and ";" not in text[amp:at]:
        return amp or at
    return at


def _pieces(markup: str, limit: int) -> list[str]:
    """Lines, then sentences, then words. Renderers keep tags on short lines only, so a
    line long enough to need splitting is escaped plain text."""
    pieces: list[str] = []
    for line in markup.split("\n"):
        if visible_length(line) <= limit:
            pieces.append(line)
            continue
        # A line longer than a message: split it into sentences, then words.
        for sentence in (s.text for s in sentenize(line)):
            if visible_length(sentence) <= limit:
                pieces.append(sentence)
                continue
            chunk = ""
            for word in sentence.split(" "):
                while visible_length(word) > limit:  # one enormous "word"
                    cut = _safe_cut(word, limit // 2)
                    pieces.append(word[:cut])
                    word = word[cut:]
                candidate = f"{chunk} {word}" if chunk else word
                if visible_length(candidate) > limit:
                    pieces.append(chunk)
                    chunk = word
                else:
                    chunk = candidate
            if chunk:
                pieces.append(chunk)
    return pieces
