"""`python -m bot run` as a real process: long polling against the fake Bot API over HTTP, and
webhook mode behind its secret. (The rest of the command line runs in-process:
tests/e2e/test_cli.py.)"""

from __future__ import annotations

import asyncio
import os
import sys

from bot.store import open_store
from bot.telegram.views.texts import USER_COMMANDS
from tests.conftest import ADMIN_ID
from tests.fakebotapi import TEST_TOKEN
from tests.support import ROOT

SECRET = "test-webhook-secret-0123456789"


async def test_run_subprocess_answers_through_long_polling(fake_api, db_path):
    env = {
        **os.environ,
        "BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_BASE": fake_api.base_url,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=str(ROOT),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        # Up and polling: getMe is what start_polling asks first (a getUpdates is only
        # recorded when it returns, after its long-poll timeout).
        await fake_api.wait_for("getMe", timeout=60)
        fake_api.push_message("/start", chat_id=4242, user_id=4242)
        call = await fake_api.wait_for(
            "sendMessage", lambda c: c.params.get("chat_id") == 4242, timeout=30
        )
        assert "Здравствуйте" in call.params["text"]
        # The command menu everyone sees was set before polling: the users' commands only.
        default = fake_api.calls_of("setMyCommands")[0]
        assert default.params["scope"] == {"type": "default"}
        assert [(c["command"], c["description"]) for c in default.params["commands"]] == [
            *USER_COMMANDS
        ]
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), timeout=20)
    assert not fake_api.errors


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_run_in_webhook_mode_answers_posted_updates(fake_api, db_path):
    import aiohttp

    port = free_port()
    public = "https://bot.example.org/tg-hook"  # what Telegram calls; TLS ends at a proxy
    url = f"http://127.0.0.1:{port}/tg-hook"  # where the proxy forwards to
    env = {**os.environ, "BOT_TOKEN": TEST_TOKEN, "TELEGRAM_API_BASE": fake_api.base_url,
           "DATABASE_URL": f"sqlite:///{db_path}", "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING",
           "WEBHOOK_URL": public, "WEBHOOK_HOST": "127.0.0.1", "WEBHOOK_PORT": str(port),
           "WEBHOOK_SECRET": SECRET}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=str(ROOT), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        call = await fake_api.wait_for("setWebhook", timeout=60)
        assert call.params["url"] == public and call.params["secret_token"] == SECRET
        update = {"update_id": 1, "message": {
            "message_id": 1, "date": 1700000000, "chat": {"id": 4343, "type": "private"},
            "from": {"id": 4343, "is_bot": False, "first_name": "Тест"}, "text": "/helpline",
            "entities": [{"type": "bot_command", "offset": 0, "length": 9}]}}
        async with aiohttp.ClientSession() as http:
            for _ in range(100):  # the server starts listening just after setWebhook
                try:
                    async with http.post(url, json=update) as response:
                        assert response.status == 401  # no secret header: refused
                    break
                except aiohttp.ClientConnectorError:
                    await asyncio.sleep(0.1)
            # A forged admin command, without the secret or with a wrong one: refused, and
            # nothing is deleted.
            forged = {"update_id": 2, "message": {
                "message_id": 2, "date": 1700000000, "chat": {"id": 4444, "type": "private"},
                "from": {"id": ADMIN_ID, "is_bot": False, "first_name": "Админ"},
                "text": "/delete 1", "entities": [{"type": "bot_command", "offset": 0, "length": 7}]}}
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong-secret-0123456789"}):
                async with http.post(url, json=forged, headers=headers) as response:
                    assert response.status == 401
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            async with http.post(url, json=update, headers=headers) as response:
                assert response.status == 200
        sent = await fake_api.wait_for("sendMessage", lambda c: c.params["chat_id"] == 4343,
                                       timeout=30)
        assert "8-800-2000-122" in sent.params["text"]
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), timeout=20)
    assert proc.returncode == 0
    assert not fake_api.errors
    assert not [c for c in fake_api.calls_of("sendMessage") if c.params["chat_id"] == 4444]
    store = await open_store(db_path)
    try:
        assert await store.get_article(1) is not None
    finally:
        await store.close()
