"""The admins' desk: uploads, the article list, deletion and statistics — each audited.

Who is an admin is decided before this (owners in ADMIN_IDS and editors, see
`bot.domain.roles`, checked by a filter); these rules say what an admin's action does and
what is recorded. The views render the results. /stats also reports how answers were rated
and the share of questions that found nothing, week by week.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bot.articles.ingest import IngestOutcome
from bot.domain.handoff import HandoffDesk, HandoffStats
from bot.domain.library import Library
from bot.store import Store
from bot.store.base import ArticleRow, DocRef, EventRow, WeekShare

PAGE = 10
STATS_DAYS = 7
STATS_WEEKS = 8  # the share of «не нашёл» by week, and the ratings, over this many weeks
TOP_RATED = 10
MAX_ARTICLE_ID_DIGITS = 11


@dataclass
class ArticlePage:
    """A page of /articles, newest first, with each article's number of events."""

    articles: list[ArticleRow]
    total: int
    offset: int
    has_more: bool
    events: dict[int, int] = field(default_factory=dict)  # article id → events (absent: 0)


@dataclass
class ArticleView:
    """One article as the bot stored it, with its events: what /article shows an editor."""

    article: ArticleRow
    events: list[EventRow]


@dataclass
class Stats:
    articles: int
    events: int
    subscribers: int
    queries: dict[str, Any]  # total, crisis, top and missed questions (redacted text)
    audit: list[tuple[str, int, str, str]] = field(default_factory=list)
    ratings: list[DocRating] = field(default_factory=list)  # the most 👎 first
    weeks: list[WeekShare] = field(default_factory=list)  # oldest first, STATS_WEEKS of them
    # Hand-offs to specialists and the time to the first reply: filled in by the hand-off
    # work (bot.domain.handoff); None leaves the lines out of /stats.
    handoffs: HandoffStats | None = None


@dataclass(frozen=True)
class DocRating:
    """👍 and 👎 of the answers that showed one document, with its title (or its
    reference when it is gone)."""

    doc: DocRef
    title: str
    up: int
    down: int


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def last_weeks(
    counted: list[WeekShare], today: dt.date, weeks: int = STATS_WEEKS
) -> list[WeekShare]:
    """The last `weeks` weeks up to today's, oldest first; a week without questions as 0."""
    by_start = {w.start: w for w in counted}
    first = week_start(today) - dt.timedelta(weeks=weeks - 1)
    starts = [first + dt.timedelta(weeks=i) for i in range(weeks)]
    return [by_start.get(s, WeekShare(s, 0, 0)) for s in starts]


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
    def __init__(self, store: Store, library: Library, handoffs: HandoffDesk | None = None) -> None:
        self.store = store
        self.library = library
        self.handoffs = handoffs  # when SUPPORT_CHAT_ID is set: its lines in /stats

    async def upload(self, admin_id: int, data: bytes, filename: str) -> IngestOutcome:
        outcome = await self.library.add(data, filename, origin=f"admin:{admin_id}")
        await self.store.audit(admin_id, "add", _audit_detail(outcome))
        return outcome

    async def article_page(self, offset: int = 0) -> ArticlePage:
        offset = max(0, offset)
        rows = await self.store.list_articles(offset, PAGE + 1)
        total = await self.store.count("articles")
        shown = rows[:PAGE]
        events = await self.store.event_counts([a.id for a in shown])
        return ArticlePage(shown, total, offset, len(rows) > PAGE, events)

    async def article(self, article_id: int) -> ArticleRow | None:
        return await self.store.get_article(article_id)

    async def article_view(self, article_id: int) -> ArticleView | None:
        """The stored article and its events, for an editor to check the reading."""
        article = await self.store.get_article(article_id)
        if article is None:
            return None
        return ArticleView(article, await self.store.events_of_article(article_id))

    async def delete(self, admin_id: int, article_id: int) -> bool:
        deleted = await self.library.delete(article_id)
        if deleted:
            await self.store.audit(admin_id, "delete", f"#{article_id}")
        return deleted

    async def stats(self, admin_id: int) -> Stats:
        now = dt.datetime.now(dt.UTC)
        since = now - dt.timedelta(days=STATS_DAYS)
        first_week = week_start(now.date()) - dt.timedelta(weeks=STATS_WEEKS - 1)
        stats = Stats(
            articles=await self.store.count("articles"),
            events=await self.store.count("events"),
            subscribers=await self.store.count_subscribers(),
            queries=await self.store.query_stats(since),
            audit=await self.store.recent_audit(10),
            ratings=await self.ratings(now - dt.timedelta(weeks=STATS_WEEKS)),
            weeks=last_weeks(await self.store.missed_by_week(first_week), now.date()),
        )
        if self.handoffs is not None and self.handoffs.enabled:
            stats.handoffs = await self.handoffs.stats(since)
        await self.store.audit(admin_id, "stats")
        return stats

    async def ratings(self, since: dt.datetime) -> list[DocRating]:
        counts = await self.store.rating_counts(since.timestamp(), TOP_RATED)
        cards = await self.store.get_cards()
        ids = [c.doc.article_id for c in counts if c.doc.article_id is not None]
        articles = await self.store.get_articles(ids)
        out = []
        for c in counts:
            aid = c.doc.article_id
            if aid is not None and aid in articles:
                title = articles[aid].title
            elif c.doc.is_card and c.doc.key in cards:
                title = cards[c.doc.key]["title"]
            else:
                title = str(c.doc)
            out.append(DocRating(c.doc, title, c.up, c.down))
        return out
