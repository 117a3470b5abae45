"""Notifications to subscribers: what to queue, and when.

Planning writes rows of data — which notice, which event — with a dedupe key (one per
happening and chat), so a notification or a reminder is queued at most once, also across
restarts and when two articles announce the same event. Sending, at Telegram's pace and
with each chat's failures kept to that chat, is `bot.telegram.outbox.OutboxSender`, which
words each notice as it sends it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from bot.domain.events import EventFilter
from bot.store import Store
from bot.store.base import EventRow, Outgoing

NEW_EVENT = "new"
REMINDER = "remind"


def _happening(event: EventRow) -> str:
    return f"{event.kind}|{event.start}|{event.end}|{(event.place or '').lower()}"


class NotificationPlanner:
    def __init__(self, store: Store, today: Callable[[], dt.date], reminder_days: int) -> None:
        self.store = store
        self.today = today
        self.reminder_days = reminder_days

    async def _enqueue(self, events: list[EventRow], notice: str) -> int:
        # A topic is read as /events reads a filter: a place stands for its region and a
        # region for its cities, so «/subscribe регион» (a region's name) hears of events
        # stored under any of its cities. Read once per distinct topic, not per subscriber.
        active = await self.store.active_subscriptions()
        filters = {topic: EventFilter.read(topic) for topic in {t for _, t in active}}
        subs = [(chat, filters[topic]) for chat, topic in active]
        items = [
            Outgoing(chat, f"{notice}:{_happening(event)}:{chat}", notice=notice, event_id=event.id)
            for event in events
            for chat, wanted in subs
            if wanted.matches(event)
        ]
        return await self.store.enqueue(items) if items else 0

    async def new_article(self, article_id: int) -> int:
        """Queue «new event» messages for the article's upcoming announced events."""
        return await self.new_articles([article_id])

    async def new_articles(self, article_ids: Sequence[int]) -> int:
        """The same for a batch of articles (``ingest --jobs``): subscriptions read once."""
        today = self.today()
        events = [
            e
            for article_id in article_ids
            for e in await self.store.events_of_article(article_id)
            if e.start >= today and e.status == "announce"
        ]
        return await self._enqueue(events, NEW_EVENT) if events else 0

    async def reminders(self) -> int:
        """Queue reminders for events starting within REMINDER_DAYS from today."""
        today = self.today()
        events = await self.store.events_starting_between(
            today, today + dt.timedelta(days=self.reminder_days)
        )
        return await self._enqueue(events, REMINDER)
