"""Adding articles to the store: parse → dedupe → store with events and index rows.

The pipeline itself (`bot.articles.parse`) is pure; this module is where its result
meets the store, in one transaction per article, on the event loop. Where the parsing runs
is the parser's business: uploads go to a worker process with a time limit and a memory
cap (`bot.articles.worker.ParseWorker`, wired in `bot.app`); the project's own seed files
at start-up are parsed in-process (`InProcessParser`: trusted files, nobody waiting yet).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.articles.parse import (
    DUPLICATE_SIMILARITY,
    ParsedArticle,
    parse_document,
    similar_word_forms,
    word_form,
)
from bot.articles.readers import DocumentError
from bot.search.analysis import index_text
from bot.store import Store
from bot.store.base import NewArticle, TermQuery

log = logging.getLogger(__name__)


@dataclass
class IngestOutcome:
    """What happened to one document: stored, already there, or refused (with why)."""

    name: str
    article_id: int | None = None
    duplicate_of: int | None = None
    error: str | None = None
    parsed: ParsedArticle | None = None
    index_text: tuple[str, str] = ("", "")  # (title, body) as indexed, for the vocabulary

    @property
    def stored(self) -> bool:
        return self.article_id is not None and self.duplicate_of is None


class DocumentParser(Protocol):
    async def parse(
        self, data: bytes, filename: str, uploaded: dt.date | None = None
    ) -> ParsedArticle: ...

    async def close(self) -> None: ...


class InProcessParser:
    """``parse_document`` right here, on the caller's thread: only for trusted files."""

    async def parse(
        self, data: bytes, filename: str, uploaded: dt.date | None = None
    ) -> ParsedArticle:
        return parse_document(data, filename, uploaded)

    async def close(self) -> None:
        return None


def new_article(
    parsed: ParsedArticle, origin: str, index: tuple[str, str] | None = None
) -> NewArticle:
    """The store's row for a parsed article; `index`: its (title, body) index text when
    already made (the bulk import makes it in the worker process)."""
    index_title, index_body = index or (index_text(parsed.title), index_text(parsed.body))
    return NewArticle(
        title=parsed.title,
        published=parsed.published,
        source_url=parsed.source_url,
        places=parsed.places,
        summary=parsed.summary,
        body=parsed.body,
        content_hash=parsed.content_hash,
        origin=origin,
        fmt=parsed.fmt,
        index_title=index_title,
        index_body=index_body,
        source_name=parsed.source_name,
    )


class ArticleService:
    def __init__(
        self,
        store: Store,
        parser: DocumentParser | None = None,
        today: Callable[[], dt.date] | None = None,
    ) -> None:
        """``today`` gives the upload day (the bot's, ``settings.today``): no publication
        date after it is stored. Without it (the project's own seeds) dates are not bounded."""
        self.store = store
        self.parser: DocumentParser = parser or InProcessParser()
        self.today = today

    async def close(self) -> None:
        await self.parser.close()

    async def add_document(self, data: bytes, filename: str, origin: str) -> IngestOutcome:
        outcome = IngestOutcome(name=filename)
        try:
            uploaded = self.today() if self.today is not None else None
            parsed = await self.parser.parse(data, filename, uploaded)
        except DocumentError as exc:
            outcome.error = str(exc)
            return outcome
        outcome.parsed = parsed
        duplicate = await self.find_duplicate(parsed)
        if duplicate is not None:
            outcome.duplicate_of = duplicate
            return outcome
        article = new_article(parsed, origin)
        outcome.article_id = await self.store.add_article(article, parsed.events)
        outcome.index_text = (article.index_title, article.index_body)
        return outcome

    async def find_duplicate(self, parsed: ParsedArticle) -> int | None:
        """Same text (any encoding or format) → the existing article's id."""
        existing = await self.store.article_id_by_hash(parsed.content_hash)
        if existing is not None:
            return existing
        # Near-duplicates: compare with the few articles whose titles match best.
        words = index_text(parsed.title).split()[:12]
        if not words:
            return None
        rows = await self.store.match(TermQuery(tuple(dict.fromkeys(words))), 5)
        ids = [row.doc.article_id for row in rows if row.doc.article_id is not None]
        others = await self.store.get_articles(ids)  # one read, not one per candidate
        body = word_form(parsed.body)
        for article_id in ids:  # best match first
            other = others.get(article_id)
            if other and similar_word_forms(word_form(other.body), body) >= DUPLICATE_SIMILARITY:
                return other.id
        return None
