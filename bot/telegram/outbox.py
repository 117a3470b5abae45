"""The outbox sender: queued messages and notices, sent at Telegram's pace.

What to send was planned by `bot.domain.notifications` (once-only, by dedupe key); a notice
is worded here, when it is sent. The sender drains the outbox within Telegram's limits
(≤ SEND_RATE messages/s overall, ≤ 1/s per chat, paced together with every other worker's
sender through `bot.coordination.pacing`); what goes wrong with one chat stays with that
chat (see `OutboxSender`). Several senders drain one outbox: each claims a batch of rows
(`Store.claim_outbox`), marks a row 'sending' just before its request and 'sent' when
Telegram accepted it. A sender killed mid-batch leaves its unsent rows to the others when
the claim runs out; the one row whose request was out when it died is never resent (it may
have been delivered), like a send whose answer came too late.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup

from bot.coordination.pacing import PER_CHAT_INTERVAL, MemoryPacer, SendPacer
from bot.store import Store
from bot.store.base import OutboxRow
from bot.telegram.retry import never_sent, no_retries
from bot.telegram.views.events import render_notice

log = logging.getLogger(__name__)


GLOBAL_RATE = 25.0  # messages per second, under Telegram's ~30 (SEND_RATE)


BATCH = 10  # rows claimed at a time: well under a second of sending at the global rate


# Seconds a claimed batch stays this sender's: a batch takes a second or two, and a sender
# that died gives its unsent rows back to the others this long after it claimed them. A
# batch held up longer (a global 429 pause) may be re-claimed meanwhile; `start_sending`
# lets only one sender send each row.
CLAIM_LEASE = 15.0


SEND_LEASE = 60.0  # a row 'sending' longer than this: its sender died mid-send


MAX_ATTEMPTS = 8  # tries of one item before it is 'failed'


# 400 answers that mean the chat itself is gone or closed to the bot, not this message:
# deleted accounts and groups, the bot removed or muted. Lower case, matched as substrings.
CHAT_GONE = (
    "chat not found",
    "peer_id_invalid",
    "user is deactivated",
    "chat was deactivated",
    "bot was kicked",
    "bot is not a member",
    "not enough rights",
    "have no rights",
    "need administrator rights",
    "chat_write_forbidden",
    "chat_restricted",
)


def _chat_gone(description: str) -> bool:
    text = description.lower()
    return any(marker in text for marker in CHAT_GONE)


class OutboxSender:
    """Drains the outbox; `run()` loops until cancelled, `drain()` sends what is due now.

    Each failure stays with its chat, so one bad chat never holds up the others (it did:
    a migrated group's error aborted every drain, and no other subscriber was notified):

    - 429: that chat waits `retry_after` (all its items); only when two chats in a row
      are refused is it Telegram's global limit, and then everyone pauses;
    - a group upgraded to a supergroup: its subscriptions and items move to the new id
      and the item is sent there;
    - the chat is gone («chat not found», blocked, kicked, no right to write): its
      subscriptions are deactivated and its pending items dropped;
    - 5xx, a connection never made, anything unexpected: that chat backs off 1, 2, 4…
      (≤ 300) seconds; after MAX_ATTEMPTS tries the item is 'failed';
    - no answer in time: Telegram may have delivered it, so it is not resent ('failed',
      at most once — the rule of bot/retry.py);
    - any other 400: this item can never pass; 'failed', the chat's other items go on.

    Requests are made inside `no_retries()`: the session's own retries would sleep in
    one chat's request while the others wait.
    """

    def __init__(
        self,
        store: Store,
        bot: Bot,
        rate: float = GLOBAL_RATE,
        per_chat_interval: float = PER_CHAT_INTERVAL,
        max_attempts: int = MAX_ATTEMPTS,
        pacer: SendPacer | None = None,
        name: str | None = None,
        send_lease: float = SEND_LEASE,
    ) -> None:
        self.store = store
        self.bot = bot
        # Shared by every worker's sender when it comes from Redis (bot.coordination).
        self.pacer = pacer if pacer is not None else MemoryPacer(rate, per_chat_interval)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.send_lease = send_lease
        self.max_attempts = max_attempts
        self._refused_chat: int | None = None  # the chat of the last send, when it got 429
        self.wake = asyncio.Event()

    async def drain(self) -> int:
        """Send every due message once; returns how many were sent. Rows are claimed a
        batch at a time, so other workers' senders take the rest meanwhile."""
        sent = 0
        while True:
            rows = await self.store.claim_outbox(self.name, time.time(), CLAIM_LEASE, BATCH)
            if not rows:
                return sent
            try:
                sent += await self._send_claimed(rows)
            finally:
                await self.store.release_claims(self.name)

    async def _send_claimed(self, rows: list[OutboxRow]) -> int:
        """Send claimed rows, each chat at its own pace: a chat that must wait lets the
        others go first; a chat that failed keeps its other rows for later."""
        sent = 0
        queue = list(rows)
        while queue:
            waiting: list[OutboxRow] = []
            free_in: list[float] = []
            held: set[int] = set()  # chats that failed in this pass: their rows changed
            for row in queue:
                if row.chat_id in held:
                    continue
                delay = await self.pacer.reserve(row.chat_id)
                if delay < 0:  # this chat had a message less than a second ago
                    waiting.append(row)
                    free_in.append(-delay)
                    continue
                if delay > 0:
                    await asyncio.sleep(delay)
                if not await self.store.start_sending(
                    row.id, self.name, time.time(), self.send_lease
                ):
                    continue  # the claim ran out and another sender took the row
                if await self._send(row):
                    sent += 1
                else:
                    held.add(row.chat_id)
            queue = [row for row in waiting if row.chat_id not in held]  # held: released
            if queue:
                await asyncio.sleep(max(0.01, min(free_in)))
        return sent

    async def _message(self, row: OutboxRow) -> tuple[str, InlineKeyboardMarkup | None] | None:
        """The text and buttons of a queued item; None when its event is gone."""
        if row.notice is None:
            markup = InlineKeyboardMarkup.model_validate(row.markup) if row.markup else None
            return row.text, markup
        event = await self.store.get_event(row.event_id) if row.event_id is not None else None
        if event is None:
            return None
        reply = render_notice(row.notice, event)
        return reply.text, reply.markup

    async def _send(self, row: OutboxRow) -> bool:
        message = await self._message(row)
        if message is None:  # the article (and its events) was deleted meanwhile
            await self.store.mark_retry(row.id, time.time(), "event deleted", give_up=True)
            return True
        text, markup = message
        try:
            with no_retries():
                await self.bot.send_message(row.chat_id, text, reply_markup=markup)
        except TelegramRetryAfter as exc:
            if self._refused_chat is not None and self._refused_chat != row.chat_id:
                await self.pacer.pause(exc.retry_after)
            self._refused_chat = row.chat_id
            await self._back_off(row, exc.retry_after, "429")
            return False
        except TelegramMigrateToChat as exc:
            self._refused_chat = None
            new = exc.migrate_to_chat_id
            log.info("group %s is now supergroup %s: subscriptions moved", row.chat_id, new)
            await self.store.move_chat(row.chat_id, new)
            give_up = row.attempts + 1 >= self.max_attempts
            await self.store.mark_retry(row.id, time.time(), f"moved to {new}", give_up)
            return False
        except TelegramForbiddenError as exc:
            self._refused_chat = None
            await self._drop_chat(row, exc.message)
            return False
        except TelegramBadRequest as exc:
            self._refused_chat = None
            if _chat_gone(exc.message):
                await self._drop_chat(row, exc.message)
            else:
                log.warning("outbox %s refused: %s", row.id, exc.message)
                await self.store.mark_retry(row.id, time.time(), exc.message[:200], give_up=True)
            return False
        except TelegramNetworkError as exc:
            self._refused_chat = None
            if never_sent(exc):
                await self._back_off(row, min(300.0, 2.0**row.attempts), exc.message)
            else:
                log.warning("outbox %s: no answer in time, may have been delivered", row.id)
                await self.store.mark_retry(
                    row.id,
                    time.time(),
                    f"unknown outcome, not resent: {exc.message}"[:200],
                    give_up=True,
                )
            return False
        except Exception as exc:  # 5xx, 401/404/409, a malformed answer: this chat waits
            self._refused_chat = None
            if not isinstance(exc, TelegramServerError):
                log.warning("outbox %s failed: %r", row.id, exc)
            await self._back_off(row, min(300.0, 2.0**row.attempts), repr(exc))
            return False
        self._refused_chat = None
        await self.store.mark_sent(row.id)
        return True

    async def _back_off(self, row: OutboxRow, delay: float, error: str) -> None:
        """Retry this item, and hold the chat's other items, `delay` seconds from now."""
        not_before = time.time() + delay
        give_up = row.attempts + 1 >= self.max_attempts
        await self.store.mark_retry(row.id, not_before, error[:200], give_up)
        await self.store.postpone_chat(row.chat_id, not_before)

    async def _drop_chat(self, row: OutboxRow, reason: str) -> None:
        log.info("chat %s cannot be written to (%s): subscription deactivated", row.chat_id, reason)
        await self.store.deactivate_chat(row.chat_id)

    def wake_up(self) -> None:
        """Work was queued: send it now rather than at the next poll."""
        self.wake.set()

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
