"""What the rest of the bot may ask of a store: row models and one Protocol per concern.

The rows are plain frozen dataclasses, free of any database driver, so the domain and the
views never see `aiosqlite.Row` (or asyncpg's `Record`). A backend implements the
Protocols below (`bot.store.sqlite.SqliteStore` today); nothing outside `bot/store/` writes
SQL or full-text syntax — search hands the store a `TermQuery`, not an FTS expression.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class ArticleRow:
    id: int
    title: str
    published: dt.date | None
    source_url: str | None
    places: list[str]
    summary: str
    body: str
    origin: str
    created_at: str
    source_name: str | None = None


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    article_id: int
    kind: str
    title: str
    start: dt.date
    end: dt.date
    time: str | None
    place: str | None
    sentence: str
    status: str
    article_title: str = ""
    source_url: str | None = None


@dataclass(frozen=True, slots=True)
class NewArticle:
    """What the articles pipeline hands to the store (already cleaned and analysed)."""

    title: str
    published: dt.date | None
    source_url: str | None
    places: Sequence[str]
    summary: str
    body: str
    content_hash: str
    origin: str
    fmt: str
    index_title: str
    index_body: str
    source_name: str | None = None


class EventFacts(Protocol):
    """What the store needs of an extracted event (bot.articles.events.ExtractedEvent)."""

    kind: str
    title: str
    start: dt.date
    end: dt.date
    time: dt.time | None
    place: str | None
    sentence: str
    status: str


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    chat_id: int
    text: str
    markup: dict[str, Any] | None
    attempts: int
