"""The composition root: builds the store, search and the domain services from settings.

`App` owns what lives as long as the process (the store, the parse worker, background
jobs) and wires the services; the Telegram layer receives the services themselves through
the dispatcher (`bot.telegram.dispatcher`), never `App`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.articles.ingest import ArticleService
from bot.articles.worker import ParseWorker
from bot.bootstrap import bootstrap
from bot.coordination import Shared
from bot.datafile import validate_data_files
from bot.domain.admin import AdminDesk
from bot.domain.answering import CONTEXT_TTL, Answerer
from bot.domain.broadcasts import BroadcastDesk
from bot.domain.centres import CentreDirectory, table_worker
from bot.domain.crisis import CrisisDetector, default_cache_dir
from bot.domain.distress import DistressScorer
from bot.domain.events import EventsService
from bot.domain.feedback import Feedback, rater_key
from bot.domain.handoff import HandoffDesk, SupportHours
from bot.domain.library import Library
from bot.domain.notifications import NotificationPlanner
from bot.domain.regions import RegionBook, Regions
from bot.domain.review import ReviewDesk
from bot.domain.roles import Roles
from bot.domain.smalltalk import SmallTalkReader
from bot.domain.subscriptions import Subscriptions
from bot.search.engine import SearchEngine
from bot.search.vocabulary import SearchVocabulary
from bot.settings import Settings
from bot.store import Store, open_store

log = logging.getLogger(__name__)


class Sender(Protocol):
    """The outbox sender (`bot.telegram.outbox.OutboxSender`), as the core sees it."""

    async def run(self) -> None: ...

    def wake_up(self) -> None: ...


@dataclass
class App:
    settings: Settings
    store: Store
    ingest: ArticleService
    search: SearchEngine
    events: EventsService
    crisis: CrisisDetector
    answerer: Answerer
    planner: NotificationPlanner
    library: Library
    admin_desk: AdminDesk
    subscriptions: Subscriptions
    handoffs: HandoffDesk
    feedback: Feedback
    review: ReviewDesk
    roles: Roles
    centres: CentreDirectory | None = None  # the directory of centres (/centres)
    regions: Regions | None = None  # the person's region (/region, /forget)
    broadcasts: BroadcastDesk | None = None  # announcements (/broadcast)
    sender: Sender | None = None
    shared: Shared | None = None  # pacing, dedupe, counters: memory, or Redis for workers
    _tasks: list[asyncio.Task] = field(default_factory=list)

    @classmethod
    async def create(cls, settings: Settings) -> App:
        # The curated files first: a bad one stops the start before anything is opened.
        # DATA_DIR reaches every loader, also in the upload worker processes, through the
        # environment.
        os.environ["DATA_DIR"] = str(settings.data_dir)
        validate_data_files(settings.data_dir)
        region_book = RegionBook.load(settings.data_dir / "regions.toml")
        crisis = CrisisDetector.load(settings.data_dir / "crisis.toml", default_cache_dir())
        smalltalk = SmallTalkReader.from_file(settings.data_dir / "smalltalk.toml")
        distress = DistressScorer.load(settings.data_dir / "distress_model.bin")
        store = await open_store(settings.store_target, settings.db_pool_size)
        try:
            # The project's own seeds are parsed in this process (trusted, nobody waiting yet);
            # uploads and ingested files go to a worker process with time and memory limits.
            # Workers starting together on one database: one of them seeds, the others
            # then find it done.
            async with store.exclusive("bootstrap"):
                await bootstrap(store, ArticleService(store), settings.seeds_dir, settings.data_dir)
            search = await SearchEngine.create(
                store, SearchVocabulary.load(settings.data_dir / "search.toml")
            )
        except BaseException:
            # aiosqlite's thread would keep the process alive: a failed start must exit.
            await store.close()
            raise
        ingest = ArticleService(
            store,
            ParseWorker(settings.parse_timeout_s, settings.parse_memory_mb),
            today=settings.today,
        )
        events = EventsService(store, settings.today, settings.tz)
        # /centres files are read in a worker process of their own (started at the first one).
        centres = CentreDirectory(
            store, table_worker(settings.parse_timeout_s, settings.parse_memory_mb)
        )
        shared = Shared.open(settings.redis_url, settings.redis_prefix, settings.send_rate)
        try:
            await shared.check()
        except BaseException:
            await shared.close()
            await store.close()
            raise
        answerer = Answerer(
            store,
            search,
            crisis,
            events,
            settings.today,
            smalltalk,
            distress=distress,
            centres=centres,
            context=shared.context,
        )
        planner = NotificationPlanner(store, settings.today, settings.reminder_days)
        hours = SupportHours.parse(settings.support_hours) if settings.support_hours else None
        library = Library(store, ingest, search, planner, settings.max_upload_mb * 1024 * 1024)
        handoffs = HandoffDesk(store, settings.support_chat_id, hours)
        roles = Roles(store, settings.admin_ids)
        await roles.load()
        # Raters are stored as a keyed hash; the key comes from the token (bot.domain.feedback).
        token = settings.bot_token.get_secret_value() if settings.bot_token else "local chat"
        return cls(
            settings,
            store,
            ingest,
            search,
            events,
            crisis,
            answerer,
            planner,
            library,
            AdminDesk(store, library, handoffs),
            Subscriptions(store),
            handoffs,
            feedback=Feedback(store, rater_key(token)),
            review=ReviewDesk(store, search),
            roles=roles,
            centres=centres,
            regions=Regions(store, region_book),
            broadcasts=BroadcastDesk(store),
            shared=shared,
        )

    def sender_options(self) -> dict[str, Any]:
        """How this process's outbox sender paces and names itself: the shared clock (Redis
        with workers) and a lease on a row in flight a little longer than a request may take."""
        assert self.shared is not None
        return {
            "pacer": self.shared.pacer,
            "send_lease": self.settings.telegram_timeout + 30.0,
        }

    def today(self) -> dt.date:
        return self.settings.today()

    def services(self) -> dict[str, Any]:
        """What handlers may ask for by name (the dispatcher's workflow data)."""
        return {
            "settings": self.settings,
            "answerer": self.answerer,
            "events": self.events,
            "subscriptions": self.subscriptions,
            "admin_desk": self.admin_desk,
            "handoffs": self.handoffs,
            "feedback": self.feedback,
            "review": self.review,
            "roles": self.roles,
            "centres": self.centres,
            "regions": self.regions,
            "broadcasts": self.broadcasts,
        }

    async def close(self) -> None:
        await self.ingest.close()  # the parse worker process
        if self.centres is not None:
            await self.centres.close()  # and the one of /centres files
        if self.shared is not None:
            await self.shared.close()
        await self.store.close()

    async def start_background(self, sender: Sender) -> None:
        """Start the outbox sender and the periodic jobs (reminders, query-log purge)."""
        self.sender = sender
        self.library.sender = sender
        if self.broadcasts is not None:
            self.broadcasts.sender = sender  # «Отправить» wakes it: no wait for its next poll
        self._tasks = [
            asyncio.create_task(sender.run(), name="outbox"),
            asyncio.create_task(self._periodic(), name="periodic"),
        ]

    async def periodic_once(self) -> None:
        if await self.planner.reminders() and self.sender:
            self.sender.wake_up()
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=self.settings.query_log_days)
        await self.store.purge_queries(cutoff)
        await self.store.purge_answers(cutoff.timestamp())  # their wording is the same
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
        self.library.sender = None
        if self.broadcasts is not None:
            self.broadcasts.sender = None
