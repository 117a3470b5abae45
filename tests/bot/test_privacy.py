"""Private data never reaches the store or the admins: the database files are private, the
query log keeps no distress and no personal data and is pruned. (The token never reaching
the log: tests/e2e/test_secrets.py.)"""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

from bot.store import open_store
from tests.support import reply_to


async def test_database_files_are_private(tmp_path: Path):
    path = tmp_path / "bot.sqlite3"
    store = await open_store(path)
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
        await reply_to(app, text, chat_id=1, log_query=True)
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
