"""Specialists: /events, calendar files, subscriptions and notifications via the outbox."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.telegram.outbox import GLOBAL_RATE, OutboxSender
from tests.conftest import ADMIN_ID, USER_ID, start_harness, stop_harness

FIXTURES = Path(__file__).parent / "fixtures"
NOW = dt.date(2026, 11, 23)


@pytest.fixture
async def h(fake_api, db_path):
    harness = await start_harness(fake_api, db_path, bot_today=NOW)
    yield harness
    await stop_harness(harness)
    assert not [c for c in fake_api.errors if c.error_code != 429], fake_api.errors


async def upload(h, name: str) -> str:
    data = (FIXTURES / name).read_bytes()
    update = h.api.push_document(data, name, chat_id=ADMIN_ID, user_id=ADMIN_ID)
    calls = await h.push(update)
    return "\n".join(c.params.get("text", "") for c in calls if c.method == "sendMessage")


async def test_events_lists_upcoming_soonest_first(harness):
    text = await harness.ask("/events")
    assert text.index("16–18 октября 2024") < text.index("23–25 октября 2024")
    assert "Тюмень" in text


async def test_events_filter_by_place_and_kind(harness):
    assert "Тюмень" in await harness.ask("/events Тюмени")
    text = await harness.ask("/events конкурс")
    assert "Тюмень" not in text


async def test_events_nothing_upcoming_offers_past(h):
    text = await h.ask("/events")
    assert "пока нет" in text and "Последние прошедшие" in text


@pytest.mark.parametrize("args", ["🎉🎉", "x" * 500, "01.01.2001", "Атлантида", "<b>", "а:б:в"])
async def test_events_odd_arguments_get_helpful_answer(harness, args):
    assert (await harness.ask(f"/events {args}")).strip()


async def test_free_text_date_question_reaches_events(harness):
    text = await harness.ask("когда стажировка в тюмени")
    assert "16–18 октября 2024" in text


async def test_calendar_button_sends_ics(h):
    await upload(h, "webinar_cp1251.txt")
    calls = await h.send("/events вебинар")
    message = next(c for c in calls if c.method == "sendMessage")
    button = message.params["reply_markup"]["inline_keyboard"][0][0]
    update = h.api.push_callback(button["callback_data"], chat_id=USER_ID, user_id=USER_ID)
    await h.push(update)
    doc = h.api.documents[-1]
    assert doc.filename.endswith(".ics")
    cal = Calendar.from_ical(doc.content)
    event = next(iter(cal.walk("VEVENT")))
    start = event.decoded("dtstart")
    assert start.date() == dt.date(2027, 1, 12) and start.hour == 10
    assert str(start.tzinfo) == "Europe/Moscow"
    assert "Нижегородская" in str(event.get("location", "")) or "Нижний" in str(
        event.get("location", "")
    )


async def test_range_event_ics_is_all_day(harness):
    event = (await harness.app.store.events_from(dt.date(2024, 10, 1)))[0]
    name, data = await harness.app.event_calendar(event.id)
    item = next(iter(Calendar.from_ical(data).walk("VEVENT")))
    assert item.decoded("dtstart") == dt.date(2024, 10, 16)
    assert item.decoded("dtend") == dt.date(2024, 10, 19)  # exclusive end


async def test_subscribe_is_idempotent_and_unsubscribe_without_subscription(harness):
    assert "нет подписок" in await harness.ask("/unsubscribe")
    assert "Готово" in await harness.ask("/subscribe")
    assert "уже подписаны" in await harness.ask("/subscribe")
    assert "отменена" in await harness.ask("/unsubscribe")


async def test_new_event_notification_once_even_after_restart(fake_api, db_path):
    h = await start_harness(fake_api, db_path, bot_today=NOW)
    await h.app.start_background(h.bot)
    await h.ask("/subscribe вебинар", user_id=5001)
    await h.ask("/subscribe", user_id=5002)
    await h.ask("/subscribe Казань", user_id=5003)
    reply = await upload(h, "webinar_cp1251.txt")
    assert "вебинар" in reply.lower() and "12 января 2027" in reply
    for chat in (5001, 5002):
        call = await fake_api.wait_for(
            "sendMessage",
            lambda c, chat=chat: (
                c.params["chat_id"] == chat and "Новое мероприятие" in c.params["text"]
            ),
            timeout=10,
        )
        assert "12 января 2027, 10:00" in call.params["text"]
    await stop_harness(h)
    # Restart on the same store: nothing is sent again.
    sent_before = len([c for c in fake_api.calls_of("sendMessage") if "Новое" in c.params["text"]])
    h2 = await start_harness(fake_api, db_path, bot_today=NOW)
    await h2.app.start_background(h2.bot)
    assert await h2.app.planner.new_article((await h2.app.store.list_articles(0, 1))[0].id) == 0
    await asyncio.sleep(0.3)
    await stop_harness(h2)
    sent_after = len([c for c in fake_api.calls_of("sendMessage") if "Новое" in c.params["text"]])
    assert sent_after == sent_before == 2  # 5003 (Казань) got nothing about a Nizhny webinar


async def test_reminder_when_today_moves_forward(fake_api, db_path):
    h = await start_harness(fake_api, db_path, bot_today=NOW)
    await h.ask("/subscribe", user_id=6001)
    await upload(h, "webinar_cp1251.txt")
    assert await h.app.planner.reminders() == 0  # 12 January is far away
    h.app.settings.bot_today = dt.date(2027, 1, 10)
    assert await h.app.planner.reminders() == 1
    assert await h.app.planner.reminders() == 0  # once only
    sender = OutboxSender(h.app.store, h.bot)
    assert await sender.drain() >= 1
    texts = [
        c.params["text"] for c in fake_api.calls_of("sendMessage") if c.params["chat_id"] == 6001
    ]
    assert any("Напоминание" in t for t in texts)
    await stop_harness(h)


async def enqueue(app, chats, text="Проверка рассылки"):
    await app.store.enqueue([(chat, text, None, f"test:{chat}", None) for chat in chats])


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
