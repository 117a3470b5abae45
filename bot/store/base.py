"""What the rest of the bot may ask of a store: row models and one Protocol per concern.

The rows are plain frozen dataclasses, free of any database driver, so the domain and the
views never see `aiosqlite.Row` (or asyncpg's `Record`). A backend implements the
Protocols below (`bot.store.sqlite.SqliteStore` today); nothing outside `bot/store/` writes
SQL or full-text syntax — search hands the store a `TermQuery`, not an FTS expression.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

DocKind = Literal["a", "c", "e"]
MAX_ID_DIGITS = 15  # SQLite's INTEGER holds 18 digits; nothing we store comes close


def as_id(text: str) -> int | None:
    """A store id from text (a button, a stored subject), or None: ASCII digits only
    («²» is a digit to str.isdigit), and small enough for SQLite's INTEGER."""
    if text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS:
        return int(text)
    return None


@dataclass(frozen=True, slots=True, order=True)
class DocRef:
    """A reference to a document: `a` an article id, `c` a card id, `e` event ids.

    Its text form («a:12», «c:mfc», «e:3,4») is what the store keeps as a chat's subject,
    what the search index holds per row and what an «open» button carries."""

    kind: DocKind
    key: str

    @classmethod
    def article(cls, article_id: int) -> DocRef:
        return cls("a", str(article_id))

    @classmethod
    def card(cls, card_id: str) -> DocRef:
        return cls("c", card_id)

    @classmethod
    def events(cls, event_ids: list[int]) -> DocRef:
        return cls("e", ",".join(map(str, event_ids)))

    @classmethod
    def parse(cls, text: str | None) -> DocRef | None:
        """The reference a text form names, or None for anything else (never raises:
        subjects and button data come from outside)."""
        kind, sep, key = (text or "").partition(":")
        if not sep or not key or kind not in ("a", "c", "e"):
            return None
        return cls(kind, key)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"

    @property
    def is_card(self) -> bool:
        return self.kind == "c"

    @property
    def article_id(self) -> int | None:
        return as_id(self.key) if self.kind == "a" else None

    @property
    def event_ids(self) -> list[int]:
        if self.kind != "e":
            return []
        return [i for i in map(as_id, self.key.split(",")) if i is not None]


_FTS_TOKEN = re.compile(r"[^\W_]+")


def index_terms(title: str, body: str) -> set[str]:
    """The distinct terms of an index row: its text is lemmas separated by spaces, with
    « | » between a card's phrases (not a term). Search counts document frequencies with
    this, and every backend must see the same terms (FTS5's unicode61 tokenizer does)."""
    return set(_FTS_TOKEN.findall(title)) | set(_FTS_TOKEN.findall(body))


@dataclass(frozen=True, slots=True)
class TermQuery:
    """What search asks of the full-text index: documents holding any (or all) of these
    index terms — single lemmas or phrases of lemmas. The backend turns it into its own
    syntax (FTS5 MATCH, a tsquery); user text never reaches that syntax."""

    terms: tuple[str, ...]
    require_all: bool = False


@dataclass(frozen=True, slots=True)
class IndexMatch:
    """One matching index row: the document, its backend rank (lower is better), and the
    index text of its title and body, which the re-ranker reads."""

    doc: DocRef
    rank: float
    title: str
    body: str


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
    """What the store needs of an extracted event (bot.articles.extract_events.ExtractedEvent).

    Read-only members, so that a frozen dataclass (and a narrower type, such as a
    ``Literal`` for ``status``) satisfies it."""

    @property
    def kind(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def start(self) -> dt.date: ...
    @property
    def end(self) -> dt.date: ...
    @property
    def time(self) -> dt.time | None: ...
    @property
    def place(self) -> str | None: ...
    @property
    def sentence(self) -> str: ...
    @property
    def status(self) -> str: ...


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A queued message: either a ready `text` (with `markup`), or a `notice` about
    `event_id` that the sender words when it sends it."""

    id: int
    chat_id: int
    text: str
    markup: dict[str, Any] | None
    attempts: int
    notice: str | None = None
    event_id: int | None = None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message to queue once: `dedupe_key` is unique in the outbox, so planning the same
    notification twice (a restart, two articles announcing one event) queues it once."""

    chat_id: int
    dedupe_key: str
    text: str = ""
    notice: str | None = None  # 'new' | 'remind'
    event_id: int | None = None
