"""Floods are bounded, admins exempt: a button pressed two hundred times sends a handful of
files and answers every press; an admin over the message limit can still upload.
(Delivery under Telegram's faults: tests/e2e/test_delivery_faults.py.)"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.telegram.middlewares import CALLBACK_WARNING
from tests.conftest import ADMIN_ID, USER_ID
from tests.inprocess import start_inprocess, stop_inprocess
from tests.support import FIXTURES

NOW = dt.date(2026, 11, 23)


def delivered(calls) -> list[str]:
    """Texts Telegram accepted (failed attempts are in the calls too)."""
    return [c.params["text"] for c in calls if c.method == "sendMessage" and c.ok]


@pytest.fixture
async def h(fake_api, db_path):
    harness = await start_inprocess(fake_api, db_path, bot_today=NOW)
    yield harness
    await stop_inprocess(harness)
    assert not fake_api.errors, fake_api.errors


async def test_two_hundred_presses_of_a_calendar_button_send_a_handful(h):
    data = (FIXTURES / "webinar_cp1251.txt").read_bytes()
    await h.push(h.api.push_document(data, "webinar.txt", chat_id=ADMIN_ID, user_id=ADMIN_ID))
    calls = await h.send("/events вебинар")
    listing = next(c for c in calls if c.method == "sendMessage")
    button = listing.params["reply_markup"]["inline_keyboard"][0][0]
    assert button["callback_data"].startswith("ics:")
    message_id = listing.result["message_id"]
    start = len(h.api.calls)
    updates = [
        h.api.push_callback(
            button["callback_data"], chat_id=USER_ID, user_id=USER_ID, message_id=message_id
        )
        for _ in range(200)
    ]
    for update in updates:
        await h.wait_handled(update, timeout=30)
    calls = h.api.calls[start:]
    documents = [c for c in calls if c.method == "sendDocument" and c.ok]
    limit = h.app.settings.callback_limit
    assert 1 <= len(documents) <= limit
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert len(answers) == 200 and all(c.ok for c in answers)  # no spinner left turning
    told = [c for c in answers if c.params.get("text") == CALLBACK_WARNING]
    assert len(told) == 200 - len(documents)


async def test_admin_over_the_message_limit_can_still_upload(fake_api, db_path):
    h = await start_inprocess(fake_api, db_path, flood_limit=3)
    try:
        for _ in range(5):
            assert "/helpline" in await h.ask("/help", user_id=ADMIN_ID)
        data = (FIXTURES / "webinar_cp1251.txt").read_bytes()
        calls = await h.push(
            fake_api.push_document(data, "webinar.txt", chat_id=ADMIN_ID, user_id=ADMIN_ID)
        )
        assert any("Сохранил" in t for t in delivered(calls))
        # Everyone else is still limited.
        texts = [await h.ask("/help") for _ in range(5)]
        assert all("/helpline" in t for t in texts[:3])  # answered until the limit
        assert "очень часто" in texts[3] and texts[4] == ""
    finally:
        await stop_inprocess(h)
