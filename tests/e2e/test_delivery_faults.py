"""Delivery under Telegram's faults, through the real session against the fake Bot API.

Replies survive 429 and 5xx (bot/retry.py) and are never sent twice when an answer is late;
a crisis reply is never replaced by an apology without the numbers; one bad chat never holds
up the outbox. No aiogram object is mocked: the faults are the fake server's answers over
HTTP, to the bot's real AiohttpSession. (Floods: tests/bot/test_flood_control.py.)
"""

from __future__ import annotations

import asyncio
import time

from bot.store.base import Outgoing
from bot.telegram.dispatcher import build_bot
from bot.telegram.outbox import OutboxSender
from handlers.errors import APOLOGY
from tests.conftest import (
    TEST_TOKEN,
    USER_ID,
    make_settings,
    start_harness,
    stop_harness,
)
from tests.fakebotapi import parse_html

HELPLINE = "8-800-2000-122"


def delivered(calls) -> list[str]:
    """Texts Telegram accepted (failed attempts are in the calls too)."""
    return [c.params["text"] for c in calls if c.method == "sendMessage" and c.ok]


def attempts(calls) -> list:
    return [c for c in calls if c.method == "sendMessage"]


# ---------------------------------------------------------------- replies: 429, 5xx, late


async def test_reply_survives_a_429_and_a_500(harness):
    harness.api.fail_next("sendMessage", 429, retry_after=1, chat_id=USER_ID)
    harness.api.fail_next("sendMessage", 500, chat_id=USER_ID)
    calls = await harness.send("/helpline")
    tries = attempts(calls)
    assert [c.error_code for c in tries] == [429, 500, None]
    assert tries[1].time - tries[0].time >= 1.0  # retry_after honoured
    texts = delivered(calls)
    assert len(texts) == 1 and HELPLINE in texts[0] and "Извините" not in texts[0]


async def test_crisis_reply_survives_a_429_and_leads_with_112(harness):
    harness.api.fail_next("sendMessage", 429, retry_after=1, chat_id=USER_ID)
    calls = await harness.send("меня бьют дома")
    texts = delivered(calls)
    assert len(texts) == 1, texts
    plain, _ = parse_html(texts[0])
    first, second = plain.split("\n\n")[:2]
    assert "112" in first and HELPLINE in second
    assert "Извините" not in plain


async def test_crisis_reply_that_keeps_failing_is_followed_by_the_numbers(harness):
    harness.api.fail_next("sendMessage", 500, chat_id=USER_ID, times=3)
    calls = await harness.send("меня бьют дома")
    assert len(attempts(calls)) == 4  # three tries of the reply, then the apology
    assert delivered(calls) == [APOLOGY]
    assert "112" in APOLOGY and HELPLINE in APOLOGY


async def test_two_500s_then_success_is_one_reply(harness):
    harness.api.fail_next("sendMessage", 500, chat_id=USER_ID, times=2)
    calls = await harness.send("/mfc")
    assert len(attempts(calls)) == 3
    texts = delivered(calls)
    assert len(texts) == 1 and "МФЦ" in texts[0]


async def test_a_long_retry_after_is_not_waited_for(harness):
    """Waiting is bounded: a 429 asking for a minute fails the reply at once, and the apology
    (with the numbers) goes out instead of a handler hanging for a minute."""
    harness.api.fail_next("sendMessage", 429, retry_after=60, chat_id=USER_ID)
    started = time.monotonic()
    calls = await harness.send("меня бьют дома")
    assert time.monotonic() - started < 10
    assert delivered(calls) == [APOLOGY]


async def test_a_late_answer_is_not_sent_twice(fake_api, db_path):
    """Telegram carries out the request but answers after the session's timeout: the reply
    may have reached the person, so it is not sent again, and the handler does not hang."""
    h = await start_harness(fake_api, db_path, telegram_timeout=1)
    try:
        fake_api.delay_next("sendMessage", 2.5, chat_id=USER_ID)
        started = time.monotonic()
        calls = await h.send("/helpline")
        assert time.monotonic() - started < 5
        await asyncio.sleep(2.0)  # the late answer has come by now; nothing follows it
        sent = [c for c in fake_api.calls_of("sendMessage") if c.params["chat_id"] == USER_ID]
        cards = [c for c in sent if "Извините" not in c.params["text"]]
        assert len(cards) == 1 and HELPLINE in cards[0].params["text"]
        assert [c for c in sent if c.params["text"] == APOLOGY]  # it may not have arrived
        assert len(sent) == len(attempts(calls)) == 2
    finally:
        await stop_harness(h)
    assert not fake_api.errors, fake_api.errors


# ---------------------------------------------------------------- the outbox


async def enqueue(app, chats, key="n", text="Новое мероприятие: проверка рассылки"):
    await app.store.enqueue([Outgoing(chat, f"{key}:{chat}", text) for chat in chats])


def outbox_bot(fake_api, db_path, **overrides):
    """The bot as production builds it (with the session's retries the outbox turns off)."""
    settings = make_settings(
        db_path, bot_token=TEST_TOKEN, telegram_api_base=fake_api.base_url, **overrides
    )
    return build_bot(settings)


async def test_one_broken_chat_among_a_thousand_subscribers(fake_api, app, db_path):
    broken, blocked = 30_001, 30_002
    others = list(range(20_000, 21_000))
    for chat in [broken, blocked, *others]:
        await app.store.subscribe(chat, "")
    fake_api.missing_chat(broken)  # 400 «chat not found»
    fake_api.block_chat(blocked)  # 403
    # The broken chat's items come first in the queue, three of them.
    for n in range(3):
        await enqueue(app, [broken, blocked], key=f"bad{n}")
    await enqueue(app, others)
    rate = 400.0
    fake_api.rate_limit(per_chat_per_sec=1, global_per_sec=int(rate * 1.15))
    bot = outbox_bot(fake_api, db_path)
    sender = OutboxSender(app.store, bot, rate=rate)
    started = time.monotonic()
    assert await asyncio.wait_for(sender.drain(), timeout=30) == 1000
    assert time.monotonic() - started < 15
    ok = [c for c in fake_api.calls_of("sendMessage") if c.ok]
    assert sorted(c.params["chat_id"] for c in ok) == others  # each exactly once
    assert len([c for c in fake_api.calls_of("sendMessage") if c.params["chat_id"] == broken]) == 1
    assert await app.store.subscriptions_of(broken) == []
    assert await app.store.subscriptions_of(blocked) == []
    assert await app.store.subscriptions_of(others[0]) == [""]
    counts = await app.store.outbox_counts()
    assert counts == {"sent": 1000, "dropped": 6}
    assert not fake_api.errors, fake_api.errors  # no 429: the pace was kept
    await fake_api.close_bot(bot)


async def test_a_migrated_group_is_followed(fake_api, app, db_path):
    group, supergroup = -4_001, -1_000_000_004_001
    await app.store.subscribe(group, "")
    fake_api.migrate_chat(group, supergroup)
    await enqueue(app, [group], key="first", text="Первое")
    await enqueue(app, [group], key="second", text="Второе")
    await enqueue(app, [5_001])
    bot = outbox_bot(fake_api, db_path)
    assert await OutboxSender(app.store, bot).drain() == 3
    assert fake_api.sent_texts(supergroup) == ["Первое", "Второе"]
    assert fake_api.sent_texts(5_001) == ["Новое мероприятие: проверка рассылки"]
    assert await app.store.subscriptions_of(group) == []
    assert await app.store.subscriptions_of(supergroup) == [""]
    assert (supergroup, "") in await app.store.active_subscriptions()
    await fake_api.close_bot(bot)


async def test_a_failing_chat_backs_off_alone_then_fails(fake_api, app, db_path):
    failing, flooded = 8_001, 8_002
    others = list(range(8_100, 8_130))
    fake_api.fail_next("sendMessage", 500, chat_id=failing, times=100)
    fake_api.fail_next("sendMessage", 429, retry_after=30, chat_id=flooded)
    await enqueue(app, [failing, flooded], key="a")
    await enqueue(app, [failing], key="b")  # held with its chat, not tried meanwhile
    await enqueue(app, others)
    bot = outbox_bot(fake_api, db_path)
    sender = OutboxSender(app.store, bot, rate=400.0, max_attempts=2)
    started = time.monotonic()
    assert await sender.drain() == 30
    assert time.monotonic() - started < 5  # neither the 5xx nor the 30 s 429 held others
    to = lambda chat: [c for c in fake_api.calls_of("sendMessage") if c.params["chat_id"] == chat]  # noqa: E731
    assert len(to(failing)) == 1 and len(to(flooded)) == 1
    await asyncio.sleep(1.05)  # the first backoff is 1 s
    await sender.drain()
    assert len(to(failing)) == 2  # 'a' once more: its last try; 'b' still held with the chat
    counts = await app.store.outbox_counts()
    assert counts == {"sent": 30, "failed": 1, "pending": 2}  # 'b' and the 429 chat wait
    await fake_api.close_bot(bot)


async def test_outbox_does_not_resend_a_late_answer(fake_api, app, db_path):
    fake_api.delay_next("sendMessage", 2.5, chat_id=9_001)
    await enqueue(app, [9_001, 9_002])
    bot = outbox_bot(fake_api, db_path, telegram_timeout=1)
    sender = OutboxSender(app.store, bot)
    assert await sender.drain() == 1
    await asyncio.sleep(1.6)
    assert await sender.drain() == 0
    assert len([c for c in fake_api.calls_of("sendMessage") if c.params["chat_id"] == 9_001]) == 1
    assert (await app.store.outbox_counts()) == {"sent": 1, "failed": 1}
    await fake_api.close_bot(bot)
