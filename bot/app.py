"""The composition root of the core: builds the store, search, services from settings."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from aiogram import Bot

from bot.articles.ingest import ArticleService, IngestOutcome
from bot.articles.limits import too_large_message
from bot.articles.worker import ParseWorker
from bot.bootstrap import bootstrap
from bot.datafile import validate_data_files
from bot.domain.answering import CONTEXT_TTL, Answerer
from bot.domain.crisis import CrisisDetector
from bot.domain.distress import DistressScorer
from bot.domain.events import EventsService, clean_topic
from bot.domain.ics import event_ics, ics_filename
from bot.domain.notifications import NotificationPlanner
from bot.domain.smalltalk import SmallTalkReader
from bot.search.engine import SearchEngine
from bot.search.indexer import index_text
from bot.search.vocabulary import SearchVocabulary
from bot.settings import Settings
from bot.store import Store
from bot.telegram.outbox import OutboxSender
from bot.telegram.views.common import Reply
from bot.telegram.views.events import render_events

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    store: Store
    articles: ArticleService
    search: SearchEngine
    events: EventsService
    crisis: CrisisDetector
    answerer: Answerer
    planner: NotificationPlanner
    sender: OutboxSender | None = None
    _tasks: list[asyncio.Task] = field(default_factory=list)

    @classmethod
    async def create(cls, settings: Settings) -> App:
        # The curated files first: a bad one stops the start before anything is opened.
        # DATA_DIR reaches every loader, also in the upload worker processes, through the
        # environment.
        os.environ["DATA_DIR"] = str(settings.data_dir)
        validate_data_files(settings.data_dir)
        crisis = CrisisDetector.from_file(settings.data_dir / "crisis.toml")
        smalltalk = SmallTalkReader.from_file(settings.data_dir / "smalltalk.toml")
        distress = DistressScorer.load(settings.data_dir / "distress_model.bin")
        store = await Store.open(settings.database_path)
        try:
            # The project's own seeds are parsed in this process (trusted, nobody waiting yet);
            # uploads and ingested files go to a worker process with time and memory limits.
            await bootstrap(store, ArticleService(store), settings.seeds_dir, settings.data_dir)
            search = await SearchEngine.create(
                store, SearchVocabulary.load(settings.data_dir / "search.toml")
            )
        except BaseException:
            # aiosqlite's thread would keep the process alive: a failed start must exit.
            await store.close()
            raise
        articles = ArticleService(
            store, ParseWorker(settings.parse_timeout_s, settings.parse_memory_mb)
        )
        events = EventsService(store)
        answerer = Answerer(
            store, search, crisis, events, settings.today, smalltalk, distress=distress
        )
        planner = NotificationPlanner(store, settings.today, settings.reminder_days)
        return cls(settings, store, articles, search, events, crisis, answerer, planner)

    def today(self) -> dt.date:
        return self.settings.today()

    async def close(self) -> None:
        await self.articles.close()  # the parse worker process
        await self.store.close()

    def upload_limit(self) -> int:
        """MAX_UPLOAD_MB in bytes: the largest file an admin may upload or ingest."""
        return self.settings.max_upload_mb * 1024 * 1024

    async def events_reply(self, topic: str = "", offset: int = 0, past: bool = False) -> Reply:
        """The /events list: upcoming first; when none, the latest past ones."""
        topic = clean_topic(topic)
        listing = await self.events.listing(self.today(), topic)
        return render_events(listing, self.today(), offset, past)

    async def event_calendar(self, event_id: int) -> tuple[str, bytes] | None:
        event = await self.store.get_event(event_id)
        if event is None:
            return None
        return ics_filename(event), event_ics(event, self.settings.tz)

    async def add_article(self, data: bytes, filename: str, origin: str) -> IngestOutcome:
        """Store a document and make it searchable at once; queue notifications for its events."""
        outcome = await self.articles.add_document(data, filename, origin)
        if outcome.stored:
            self.search.count_document(*outcome.index_text, delta=+1)
            await self.on_new_article(outcome)
        return outcome

    async def on_new_article(self, outcome: IngestOutcome) -> None:
        """Queue notifications; the sender (when running) is woken to send them."""
        assert outcome.article_id is not None
        if await self.planner.new_article(outcome.article_id) and self.sender:
            self.sender.wake.set()

    async def delete_article(self, article_id: int) -> bool:
        article = await self.store.get_article(article_id)
        if article is None or not await self.store.delete_article(article_id):
            return False
        self.search.count_document(index_text(article.title), index_text(article.body), delta=-1)
        return True

    async def add_article_file(self, path: Path) -> IngestOutcome:
        """``python -m bot ingest``: the upload limit holds here too, before reading."""
        limit = self.upload_limit()
        try:
            size = path.stat().st_size
            if size > limit:
                return IngestOutcome(name=str(path), error=too_large_message(size, limit))
            with path.open("rb") as handle:
                data = handle.read(limit + 1)  # bounded: a pipe or a growing file too
        except OSError as exc:
            return IngestOutcome(
                name=str(path), error=f"не удалось прочитать файл ({exc.strerror})"
            )
        if len(data) > limit:
            return IngestOutcome(name=str(path), error=too_large_message(None, limit))
        return await self.add_article(data, path.name, origin=f"ingest:{path.name}")

    async def start_background(self, bot: Bot) -> None:
        """Start the outbox sender and the periodic jobs (reminders, query-log purge)."""
        self.sender = OutboxSender(self.store, bot)
        self._tasks = [
            asyncio.create_task(self.sender.run(), name="outbox"),
            asyncio.create_task(self._periodic(), name="periodic"),
        ]

    async def periodic_once(self) -> None:
        if await self.planner.reminders() and self.sender:
            self.sender.wake.set()
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=self.settings.query_log_days)
        await self.store.purge_queries(cutoff)
        # A chat's follow-up subject is worth nothing after CONTEXT_TTL: no chat id is kept
        # longer than that.
        await self.store.purge_context(self.answerer.clock() - CONTEXT_TTL)

    async def _periodic(self, every: float = 600.0) -> None:
        while True:
            try:
                await self.periodic_once()
            except Exception:
                log.exception("periodic job failed")
            await asyncio.sleep(every)

    async def stop_background(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
