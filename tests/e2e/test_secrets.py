"""Secrets never reach the log.

The token leaked through aiohttp's exception for a failed file download
(«…/file/bot<TOKEN>/…») at the default level; at DEBUG aiosqlite logged every statement
with its parameters (questions, subscribers' chat ids). Over HTTP, so the exception is
aiohttp's own.
"""

from __future__ import annotations

import io
import logging

from pydantic import SecretStr

from bot.settings import guard_handler
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
