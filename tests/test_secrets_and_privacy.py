"""Secrets never reach the log; private data never reaches the store or the admins.

The token leaked through aiohttp's exception for a failed file download
(«…/file/bot<TOKEN>/…») at the default level; at DEBUG aiosqlite logged every statement
with its parameters (questions, subscribers' chat ids).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import stat
from pathlib import Path

from pydantic import SecretStr

from bot.settings import SecretsFilter, configure_logging, guard_handler, load_settings
from bot.store import Store
from tests.conftest import ADMIN_ID
from tests.fakebotapi import TEST_TOKEN


async def test_a_failed_download_never_logs_the_token(harness, caplog):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    guard_handler(
        handler, harness.app.settings.model_copy(update={"bot_token": SecretStr(TEST_TOKEN)})
    )
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        update = harness.api.push_document(
            "Новость о семейном центре.".encode(), "news.txt", user_id=ADMIN_ID, chat_id=ADMIN_ID
        )
        # The file disappears from Telegram's side: the download answers 404.
        harness.api._files_by_path.clear()
        calls = await harness.push(update)
        await harness.ask("что такое семейный мфц")  # and the store at DEBUG
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    # The 404 was made by this test (the file removed), not a request Telegram would reject.
    for call in harness.api.calls:
        if call.method == "downloadFile" and not call.ok:
            call.injected = True
    logged = stream.getvalue()
    assert any(c.method == "downloadFile" for c in calls)  # the failure really happened
    assert "Traceback" in logged or "ERROR" in logged or "WARNING" in logged
    assert TEST_TOKEN not in logged
    assert TEST_TOKEN.split(":")[1] not in logged
    assert "что такое семейный мфц" not in logged  # no SQL parameters at DEBUG


def test_configure_logging_guards_every_handler_and_silences_sql(monkeypatch):
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers = []
    try:
        configure_logging(load_settings(bot_token=TEST_TOKEN, log_level="DEBUG"))
        assert root.handlers
        assert all(any(isinstance(f, SecretsFilter) for f in h.filters) for h in root.handlers)
        assert logging.getLogger("aiosqlite").getEffectiveLevel() >= logging.WARNING
        record = logging.LogRecord(
            "aiohttp.client",
            logging.ERROR,
            __file__,
            1,
            "GET %s failed",
            (f"https://api.telegram.org/file/bot{TEST_TOKEN}/doc.txt",),
            None,
        )
        guard = next(f for f in root.handlers[0].filters if isinstance(f, SecretsFilter))
        guard.filter(record)
        assert TEST_TOKEN not in record.getMessage() and "***" in record.getMessage()
    finally:
        root.handlers = saved


async def test_database_files_are_private(tmp_path: Path):
    path = tmp_path / "bot.sqlite3"
    store = await Store.open(path)
    try:
        await store.log_query("что такое семейный мфц", "search", True)
        for file in [path, Path(f"{path}-wal"), Path(f"{path}-shm")]:
            if file.exists():
                mode = stat.S_IMODE(os.stat(file).st_mode)
                assert mode & 0o077 == 0, (file, oct(mode))
    finally:
        await store.close()


async def test_the_query_log_keeps_no_distress_and_no_personal_data(app):
    for text in [
        "мне страшно, я беременна, мне 14, где семейный мфц",  # reads as distress: not logged
        "меня бьют дома",  # a crisis: counted, never logged
        "меня зовут Мария Иванова, мой телефон +7 912 345-67-89, где семейный мфц",
        "пишите на maria.ivanova@example.ru про семейный мфц",
    ]:
        await app.answerer.answer(text, chat_id=1)
    stats = await app.store.query_stats(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    logged = " ".join(t for t, _ in stats["top"]) + " ".join(t for t, _ in stats["missed"])
    assert "беременна" not in logged and "бьют" not in logged
    assert "Мария" not in logged and "Иванова" not in logged
    assert "912" not in logged and "345-67-89" not in logged
    assert "maria.ivanova@example.ru" not in logged
    assert "семейный мфц" in logged  # the useful part of the question is kept


async def test_query_log_is_pruned_after_query_log_days(app):
    await app.store.log_query("семейный мфц", "search", True)
    assert await app.store.purge_queries(dt.datetime.now(dt.UTC) - dt.timedelta(days=1)) == 0
    assert await app.store.purge_queries(dt.datetime.now(dt.UTC) + dt.timedelta(days=1)) >= 1
    stats = await app.store.query_stats(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert stats["total"] == 0
