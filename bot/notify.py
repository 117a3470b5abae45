"""Notifications to subscribers: planned into the outbox, sent at Telegram's pace.

Planning writes rows with a dedupe key (one per happening and chat), so a notification
or a reminder is queued at most once — also across restarts and when two articles
announce the same event. The sender drains the outbox within Telegram's limits
(≤ 25 messages/s overall, ≤ 1/s per chat), honours `retry_after` on 429, deactivates
chats that blocked the bot (403) and retries 5xx/network errors with backoff. A row is
marked sent right after Telegram accepts it; a crash in between can repeat one message
(at-least-once), never lose one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup

from bot.callbacks import EventIcs
from bot.events import event_matches, topic_lemmas
from bot.render_events import event_line
from bot.store import Store
from bot.store.sqlite import EventRow

log = logging.getLogger(__name__)

GLOBAL_RATE = 25.0  # messages per second, under Telegram's ~30
PER_CHAT_INTERVAL = 1.0  # seconds between two messages to one chat
MAX_ATTEMPTS = 8


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


class OutboxSender:
    """Drains the outbox; `run()` loops until cancelled, `drain()` sends what is due now."""

    def __init__(
        self,
        store: Store,
        bot: Bot,
        rate: float = GLOBAL_RATE,
        per_chat_interval: float = PER_CHAT_INTERVAL,
    ) -> None:
        self.store = store
        self.bot = bot
        self.interval = 1.0 / rate
        self.per_chat_interval = per_chat_interval
        self._last_global = 0.0
        self._last_chat: dict[int, float] = {}
        self._paused_until = 0.0
        self.wake = asyncio.Event()

    async def drain(self) -> int:
        """Send every due message once; returns how many were sent."""
        sent = 0
        while True:
            rows = await self.store.due_outbox(time.time(), limit=200)
            if not rows:
                return sent
            progressed = False
            for row in rows:
                now = time.monotonic()
                if now < self._paused_until:
                    await asyncio.sleep(self._paused_until - now)
                chat_ready = self._last_chat.get(row.chat_id, -1e9) + self.per_chat_interval
                if time.monotonic() < chat_ready:
                    continue  # this chat must wait; others go first
                wait = self._last_global + self.interval - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._last_global = time.monotonic()
                self._last_chat[row.chat_id] = self._last_global
                if await self._send(row):
                    sent += 1
                progressed = True
            if not progressed:
                soonest = (
                    min(self._last_chat.get(r.chat_id, 0) for r in rows) + self.per_chat_interval
                )
                await asyncio.sleep(max(0.01, soonest - time.monotonic()))

    async def _send(self, row) -> bool:
        markup = InlineKeyboardMarkup.model_validate(row.markup) if row.markup else None
        try:
            await self.bot.send_message(row.chat_id, row.text, reply_markup=markup)
        except TelegramRetryAfter as exc:
            self._paused_until = time.monotonic() + exc.retry_after
            await self.store.mark_retry(row.id, time.time() + exc.retry_after, "429")
            return False
        except TelegramForbiddenError:
            log.info("chat %s blocked the bot: subscription deactivated", row.chat_id)
            await self.store.deactivate_chat(row.chat_id)
            return False
        except (TelegramServerError, TelegramNetworkError) as exc:
            delay = min(300.0, 2.0**row.attempts)
            give_up = row.attempts + 1 >= MAX_ATTEMPTS
            await self.store.mark_retry(row.id, time.time() + delay, str(exc)[:200], give_up)
            return False
        except TelegramBadRequest as exc:
            log.warning("outbox %s refused: %s", row.id, exc.message)
            await self.store.mark_retry(row.id, time.time(), exc.message[:200], give_up=True)
            return False
        await self.store.mark_sent(row.id)
        return True

    async def run(self, poll: float = 5.0) -> None:
        while True:
            try:
                await self.drain()
            except Exception:  # keep the loop alive; the rows stay pending
                log.exception("outbox drain failed")
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=poll)
            except TimeoutError:
                pass
