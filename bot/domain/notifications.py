"""Notifications to subscribers: planned into the outbox, sent at Telegram's pace.

Planning writes rows with a dedupe key (one per happening and chat), so a notification
or a reminder is queued at most once — also across restarts and when two articles
announce the same event. The sender drains the outbox within Telegram's limits
(≤ 25 messages/s overall, ≤ 1/s per chat); what goes wrong with one chat stays with that
chat (see `OutboxSender`). A row is marked sent right after Telegram accepts it; a crash in
between can repeat one message, while a send whose answer came too late is never repeated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from aiogram.types import InlineKeyboardMarkup

from bot.domain.events import event_matches, topic_lemmas
from bot.store import Store
from bot.store.base import EventRow
from bot.telegram.callbacks import EventIcs
from bot.telegram.views.events import event_line


def _happening(event: EventRow) -> str:
    return f"{event.kind}|{event.start}|{event.end}|{(event.place or '').lower()}"


def _markup(event: EventRow) -> dict:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                {
                    "text": "📅 В календарь",
                    "callback_data": EventIcs(event_id=event.id).pack(),
                }
            ]
        ]
    ).model_dump(exclude_none=True)


class NotificationPlanner:
    def __init__(self, store: Store, today: Callable[[], dt.date], reminder_days: int) -> None:
        self.store = store
        self.today = today
        self.reminder_days = reminder_days

    async def _enqueue(self, events: list[EventRow], kind: str, header: str) -> int:
        subs = [
            (chat, topic_lemmas(topic)) for chat, topic in await self.store.active_subscriptions()
        ]
        items = []
        for event in events:
            for chat, wanted in subs:
                if event_matches(event, wanted):
                    key = f"{kind}:{_happening(event)}:{chat}"
                    items.append(
                        (chat, f"{header}\n\n{event_line(event)}", _markup(event), key, event.id)
                    )
        return await self.store.enqueue(items) if items else 0

    async def new_article(self, article_id: int) -> int:
        """Queue «new event» messages for the article's upcoming announced events."""
        today = self.today()
        events = [
            e
            for e in await self.store.events_of_article(article_id)
            if e.start >= today and e.status == "announce"
        ]
        return await self._enqueue(events, "new", "🆕 Новое мероприятие:")

    async def reminders(self) -> int:
        """Queue reminders for events starting within REMINDER_DAYS from today."""
        today = self.today()
        events = await self.store.events_starting_between(
            today, today + dt.timedelta(days=self.reminder_days)
        )
        return await self._enqueue(events, "remind", "⏰ Напоминание: скоро начнётся")
