"""The admins' desk: uploads, the article list, deletion and statistics — each audited.

Who is an admin is decided before this (ADMIN_IDS, checked by a filter); these rules say
what an admin's action does and what is recorded. The views render the results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bot.articles.ingest import IngestOutcome
from bot.domain.library import Library
from bot.store import Store
from bot.store.base import ArticleRow

PAGE = 10
STATS_DAYS = 7
MAX_ARTICLE_ID_DIGITS = 11


@dataclass
class ArticlePage:
    """A page of /articles, newest first."""

    articles: list[ArticleRow]
    total: int
    offset: int
    has_more: bool


@dataclass
class Stats:
    articles: int
    events: int
    subscribers: int
    queries: dict[str, Any]  # total, crisis, top and missed questions (redacted text)
    audit: list[tuple[str, int, str, str]] = field(default_factory=list)


def parse_article_id(arg: str | None) -> int | None:
    """«12» or «#12» from /delete; None for anything else."""
    arg = (arg or "").strip().lstrip("#")
    if arg.isascii() and arg.isdigit() and len(arg) <= MAX_ARTICLE_ID_DIGITS:
        return int(arg)
    return None


def _audit_detail(outcome: IngestOutcome) -> str:
    if outcome.error:
        return f"{outcome.name}: refused: {outcome.error}"
    if outcome.duplicate_of:
        return f"{outcome.name}: duplicate of #{outcome.duplicate_of}"
    return f"{outcome.name}: stored #{outcome.article_id}"


class AdminDesk:
    def __init__(self, store: Store, library: Library) -> None:
        self.store = store
        self.library = library

    async def upload(self, admin_id: int, data: bytes, filename: str) -> IngestOutcome:
        outcome = await self.library.add(data, filename, origin=f"admin:{admin_id}")
        await self.store.audit(admin_id, "add", _audit_detail(outcome))
        return outcome

    async def article_page(self, offset: int = 0) -> ArticlePage:
        offset = max(0, offset)
        rows = await self.store.list_articles(offset, PAGE + 1)
        total = await self.store.count("articles")
        return ArticlePage(rows[:PAGE], total, offset, len(rows) > PAGE)

    async def article(self, article_id: int) -> ArticleRow | None:
        return await self.store.get_article(article_id)

    async def delete(self, admin_id: int, article_id: int) -> bool:
        deleted = await self.library.delete(article_id)
        if deleted:
            await self.store.audit(admin_id, "delete", f"#{article_id}")
        return deleted

    async def stats(self, admin_id: int) -> Stats:
        since = dt.datetime.now(dt.UTC) - dt.timedelta(days=STATS_DAYS)
        stats = Stats(
            articles=await self.store.count("articles"),
            events=await self.store.count("events"),
            subscribers=await self.store.count_subscribers(),
            queries=await self.store.query_stats(since),
            audit=await self.store.recent_audit(10),
        )
        await self.store.audit(admin_id, "stats")
        return stats
