"""Notifications through the outbox against Telegram's answers over HTTP: 429 with
retry_after honoured, 403 deactivates the subscription, 5xx retried, a thousand subscribers
reached within Telegram's sending limits. (Events, subscriptions and what is sent: in
tests/bot/test_events.py.)"""

from __future__ import annotations

import asyncio
import time

from bot.store.base import Outgoing
from bot.telegram.outbox import GLOBAL_RATE, OutboxSender


async def enqueue(app, chats, text="Проверка рассылки"):
    await app.store.enqueue([Outgoing(chat, f"test:{chat}", text) for chat in chats])


async def test_429_retry_after_is_honoured(fake_api, app):
    bot = fake_api.bot()
    await enqueue(app, [7001])
    fake_api.fail_next("sendMessage", 429, retry_after=1)
    sender = OutboxSender(app.store, bot)
    started = time.monotonic()
    assert await sender.drain() == 0  # the first attempt got 429; the row waits
    await asyncio.sleep(1.05)
    assert await sender.drain() == 1
    calls = [c for c in fake_api.calls_of("sendMessage") if c.params["chat_id"] == 7001]
    assert len(calls) == 2 and calls[1].time - calls[0].time >= 1.0
    assert time.monotonic() - started >= 1.0
    await fake_api.close_bot(bot)


async def test_403_deactivates_subscription(fake_api, app):
    bot = fake_api.bot()
    await app.store.subscribe(7002, "")
    fake_api.block_chat(7002)
    await enqueue(app, [7002])
    assert await OutboxSender(app.store, bot).drain() == 0
    assert await app.store.subscriptions_of(7002) == []
    assert (await app.store.outbox_counts()).get("dropped") == 1
    await fake_api.close_bot(bot)


async def test_5xx_is_retried(fake_api, app):
    bot = fake_api.bot()
    await enqueue(app, [7003])
    fake_api.fail_next("sendMessage", 502)
    sender = OutboxSender(app.store, bot)
    await sender.drain()
    await asyncio.sleep(1.05)  # first backoff is 2**0 = 1 s
    assert await sender.drain() == 1
    await fake_api.close_bot(bot)


async def test_thousand_subscribers_all_reached_within_limits(fake_api, app):
    """1,000 chats at a scaled rate; the fake answers 429 if the bot breaks the pace."""
    assert GLOBAL_RATE <= 25
    bot = fake_api.bot()
    rate = 400.0
    fake_api.rate_limit(per_chat_per_sec=1, global_per_sec=int(rate * 1.15))
    await enqueue(app, range(10_000, 11_000))
    sender = OutboxSender(app.store, bot, rate=rate)
    started = time.monotonic()
    assert await sender.drain() == 1000
    elapsed = time.monotonic() - started
    calls = [c for c in fake_api.calls_of("sendMessage") if c.ok]
    assert len({c.params["chat_id"] for c in calls}) == 1000
    assert not [c for c in fake_api.errors if c.error_code == 429]
    assert elapsed >= 999 / rate * 0.95  # paced, not a burst
    await fake_api.close_bot(bot)
