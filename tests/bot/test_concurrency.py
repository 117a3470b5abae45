"""200 people at once: questions, subscribe storms and an upload, handled as concurrent
tasks on one SQLite connection — no error, no lost write, nobody's write rolled back.

Before the writer lock, two simultaneous writes failed with «cannot start a transaction
within a transaction» and one task's ROLLBACK undid another's write.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from tests.conftest import ADMIN_ID

USERS = 200


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


async def test_two_hundred_users_writing_at_once(harness):
    api = harness.api
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    try:
        updates = []
        for i in range(USERS):
            user = 20_000 + i
            updates.append(api.push_message("что такое семейный мфц", chat_id=user, user_id=user))
            updates.append(api.push_message("/subscribe", chat_id=user, user_id=user))
            if i % 4 == 0:
                updates.append(api.push_message("/unsubscribe", chat_id=user, user_id=user))
        text = (
            "Семинар для специалистов опеки пройдёт 3 марта 2027 года в Перми.\n"
            "Источник: https://perm.example/seminar\n"
        )
        updates.append(
            api.push_document(text.encode(), "seminar.txt", user_id=ADMIN_ID, chat_id=ADMIN_ID)
        )
        await asyncio.gather(*(harness.wait_handled(u, timeout=120) for u in updates))
    finally:
        logging.getLogger().removeHandler(errors)

    assert not errors.messages, errors.messages[:3]
    assert not api.errors
    store = harness.app.store
    # Every question was logged once, every subscription kept or removed as asked.
    stats = await store.query_stats(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert stats["total"] == USERS
    subscribers = {chat for chat, _ in await store.active_subscriptions()}
    expected = {20_000 + i for i in range(USERS) if i % 4 != 0}
    assert expected <= subscribers
    # The upload landed, and the ones who subscribe are told about its event.
    assert any("Перм" in (a.title + a.body) for a in await store.list_articles(0, 50))
    # Everyone got an answer to each message.
    for i in range(0, USERS, 17):
        chat = 20_000 + i
        sent = [c for c in api.calls_of("sendMessage") if c.params.get("chat_id") == chat]
        assert len(sent) >= (3 if i % 4 == 0 else 2), (chat, len(sent))
