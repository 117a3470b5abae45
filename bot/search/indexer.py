"""What goes into the full-text index: lemmatised text, the same analysis as queries.

stdlib sqlite3 cannot register a Python FTS5 tokenizer, so documents are stored in the
index already lemmatised ("семейными мфц" → "семейный мфц") and queries are
lemmatised the same way.
"""

from __future__ import annotations

from bot.text.morph import lemma
from bot.text.normalize import words

# Bump when the analysis changes: the store re-indexes once when this differs.
INDEX_VERSION = "2"


def index_text(text: str) -> str:
    return " ".join(lemma(w) for w in words(text))


def card_index_text(card: dict) -> tuple[str, str]:
    """(title, body) index text of a service card: its keywords count as title words.

    The title and each keyword are kept apart by « | » (a separator to FTS5's tokenizer),
    so the re-ranker can tell how fully a question names one of them.
    """
    phrases = [card["title"], *card.get("keywords", [])]
    title = " | ".join(t for t in (index_text(p) for p in phrases) if t)
    body = " ".join([card.get("summary", ""), *card.get("facts", [])])
    return title, index_text(body)
