"""The content of the bot: adding and deleting articles, keeping search and subscribers in step.

Every way an article arrives — an admin's upload or /add, `python -m bot ingest` — goes
through `Library.add`, so a stored article is searchable at once (the search vocabulary
counts it) and its announced events are queued for subscribers. Deleting does the reverse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from bot.articles.ingest import ArticleService, IngestOutcome
from bot.articles.limits import read_bounded
from bot.domain.notifications import NotificationPlanner
from bot.search.analysis import index_text
from bot.search.engine import SearchEngine
from bot.store import Store


class Wakeable(Protocol):
    """The outbox sender, as the library sees it: something to wake when work is queued."""

    def wake_up(self) -> None: ...


class Library:
    def __init__(
        self,
        store: Store,
        ingest: ArticleService,
        search: SearchEngine,
        planner: NotificationPlanner,
        upload_limit: int,
    ) -> None:
        self.store = store
        self.ingest = ingest
        self.search = search
        self.planner = planner
        self.upload_limit = upload_limit  # bytes: MAX_UPLOAD_MB
        self.sender: Wakeable | None = None  # set while the outbox sender runs

    async def add(self, data: bytes, filename: str, origin: str) -> IngestOutcome:
        """Store a document and make it searchable at once; queue notifications for its
        events."""
        outcome = await self.ingest.add_document(data, filename, origin)
        if outcome.stored:
            self.search.count_document(*outcome.index_text, delta=+1)
            assert outcome.article_id is not None
            if await self.planner.new_article(outcome.article_id) and self.sender:
                self.sender.wake_up()
        return outcome

    async def add_file(self, path: Path) -> IngestOutcome:
        """``python -m bot ingest``: the upload limit holds here too, before reading."""
        data = read_bounded(path, self.upload_limit)
        if isinstance(data, str):
            return IngestOutcome(name=str(path), error=data)
        return await self.add(data, path.name, origin=f"ingest:{path.name}")

    async def delete(self, article_id: int) -> bool:
        article = await self.store.get_article(article_id)
        if article is None or not await self.store.delete_article(article_id):
            return False
        self.search.count_document(index_text(article.title), index_text(article.body), delta=-1)
        return True
