"""Specialists: /events, calendar files, subscriptions and notifications via the outbox.
(The outbox against Telegram's failures and limits: tests/e2e/test_outbox.py.)"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from icalendar import Calendar

from bot.telegram.outbox import OutboxSender
from tests.conftest import ADMIN_ID, USER_ID
from tests.fakebotapi import parse_html
from tests.inprocess import start_inprocess, stop_inprocess
from tests.support import FIXTURES

NOW = dt.date(2026, 11, 23)


@pytest.fixture
async def h(fake_api, db_path):
    harness = await start_inprocess(fake_api, db_path, bot_today=NOW)
    yield harness
    await stop_inprocess(harness)
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


NOTHING_FOUND = ["не нашёл", "Попробуйте /events без уточнений", "/subscribe"]
ODD_ARGUMENTS = {
    "🎉🎉": ["Ближайшие мероприятия (на 10.10.2024)", "16–18 октября 2024"],  # no filter left
    "x" * 500: ["по запросу «xxxxxxxx", "…»", *NOTHING_FOUND],  # echoed, shortened
    "01.01.2001": ["по запросу «01 01 2001»", *NOTHING_FOUND],
    "Атлантида": ["по запросу «атлантида»", *NOTHING_FOUND],
    "<b>": ["по запросу «b»", *NOTHING_FOUND],  # the tag is not echoed as markup
    "а:б:в": ["по запросу «а б в»", *NOTHING_FOUND],
}


@pytest.mark.parametrize("args", list(ODD_ARGUMENTS))
async def test_events_odd_arguments_get_helpful_answer(harness, args):
    text, _ = parse_html(await harness.ask(f"/events {args}"))
    for fragment in ODD_ARGUMENTS[args]:
        assert fragment in text, (fragment, text[:300])


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
    name, data = await harness.app.events.calendar_file(event.id)
    item = next(iter(Calendar.from_ical(data).walk("VEVENT")))
    assert item.decoded("dtstart") == dt.date(2024, 10, 16)
    assert item.decoded("dtend") == dt.date(2024, 10, 19)  # exclusive end


async def test_subscribe_is_idempotent_and_unsubscribe_without_subscription(harness):
    assert "нет подписок" in await harness.ask("/unsubscribe")
    assert "Готово" in await harness.ask("/subscribe")
    assert "уже подписаны" in await harness.ask("/subscribe")
    assert "отменена" in await harness.ask("/unsubscribe")


async def test_new_event_notification_once_even_after_restart(fake_api, db_path):
    h = await start_inprocess(fake_api, db_path, bot_today=NOW)
    await h.app.start_background(OutboxSender(h.app.store, h.bot))
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
    await stop_inprocess(h)
    # Restart on the same store: nothing is sent again.
    sent_before = len([c for c in fake_api.calls_of("sendMessage") if "Новое" in c.params["text"]])
    h2 = await start_inprocess(fake_api, db_path, bot_today=NOW)
    await h2.app.start_background(OutboxSender(h2.app.store, h2.bot))
    assert await h2.app.planner.new_article((await h2.app.store.list_articles(0, 1))[0].id) == 0
    await asyncio.sleep(0.3)
    await stop_inprocess(h2)
    sent_after = len([c for c in fake_api.calls_of("sendMessage") if "Новое" in c.params["text"]])
    assert sent_after == sent_before == 2  # 5003 (Казань) got nothing about a Nizhny webinar


async def test_reminder_when_today_moves_forward(fake_api, db_path):
    h = await start_inprocess(fake_api, db_path, bot_today=NOW)
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
    await stop_inprocess(h)
