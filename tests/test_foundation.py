"""Start-up contracts: settings, seeding once, no re-index, and a real `python -m bot run`."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import App
from bot.settings import SettingsError, load_settings
from bot.store import Store
from tests.conftest import ADMIN_ID, make_settings
from tests.fakebotapi import TEST_TOKEN

ROOT = Path(__file__).resolve().parent.parent


async def test_seeds_and_cards_load_once_across_two_starts(tmp_path):
    db = tmp_path / "fresh.sqlite3"
    first = await App.create(make_settings(db))
    counts = (
        await first.store.count("articles"),
        await first.store.count("cards"),
        await first.store.document_count(),
    )
    await first.close()
    second = await App.create(make_settings(db))
    again = (
        await second.store.count("articles"),
        await second.store.count("cards"),
        await second.store.document_count(),
    )
    assert await second.store.schema_version() >= 1
    await second.close()
    assert counts == again
    assert counts[0] == 5 and counts[1] >= 5 and counts[2] == counts[0] + counts[1]


async def test_restart_does_not_reindex_a_current_store(db_path, monkeypatch):
    from bot.store.sqlite.store import Store

    async def forbidden(self, rows):
        raise AssertionError("re-indexed a current store")

    monkeypatch.setattr(Store, "reindex_articles", forbidden)
    app = await App.create(make_settings(db_path))
    await app.close()


async def test_index_version_change_reindexes_once(db_path, monkeypatch):
    import bot.bootstrap

    monkeypatch.setattr(bot.bootstrap, "INDEX_VERSION", "test-next")
    app = await App.create(make_settings(db_path))
    assert await app.store.get_meta("index_version") == "test-next"
    assert (await app.search.search("семейный мфц")).found
    await app.close()


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("BOT_TODAY", "2024-13-45", "BOT_TODAY"),
        ("ADMIN_IDS", "12,abc", "ADMIN_IDS"),
        ("TIMEZONE", "Mars/Olympus", "TIMEZONE"),
        ("DATABASE_URL", "postgres://x", "DATABASE_URL"),
        ("BOT_TOKEN", "not-a-token", "BOT_TOKEN"),
        ("TELEGRAM_API_BASE", "ftp://x", "TELEGRAM_API_BASE"),
        ("FLOOD_LIMIT", "-1", "FLOOD_LIMIT"),
    ],
)
def test_bad_setting_stops_with_one_line(name, value, expected, tmp_path):
    env = {**os.environ, name: value, "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    if name == "DATABASE_URL":
        env[name] = value
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "привет"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "Traceback" not in proc.stderr


def test_settings_parse_admin_ids_and_absolute_database(tmp_path):
    settings = load_settings(admin_ids="1, 2,3", database_url=f"sqlite:///{tmp_path}/a.db")
    assert settings.admin_ids == {1, 2, 3}
    assert settings.database_path == tmp_path / "a.db"
    with pytest.raises(SettingsError):
        load_settings(log_level="loud")


def test_token_is_never_shown():
    settings = load_settings(bot_token=TEST_TOKEN)
    assert TEST_TOKEN not in repr(settings) and TEST_TOKEN not in str(settings)


def test_ask_prints_the_reply(db_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": "",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "телефон доверия"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "8-800-2000-122" in proc.stdout and "<b>" not in proc.stdout


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
        await fake_api.wait_for("getUpdates", timeout=60)
        fake_api.push_message("/start", chat_id=4242, user_id=4242)
        call = await fake_api.wait_for(
            "sendMessage", lambda c: c.params.get("chat_id") == 4242, timeout=30
        )
        assert "Здравствуйте" in call.params["text"]
        assert fake_api.calls_of("setMyCommands")
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
    store = await Store.open(db_path)
    try:
        assert await store.get_article(1) is not None
    finally:
        await store.close()


SECRET = "test-webhook-secret-0123456789"


def test_webhook_without_a_secret_refuses_to_start():
    with pytest.raises(SettingsError, match="Setting WEBHOOK_SECRET is invalid"):
        load_settings(webhook_url="https://bot.example.org/hook", webhook_secret="")
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET"):
        load_settings(webhook_url="https://bot.example.org/hook", webhook_secret="short")
    env = {**os.environ, "WEBHOOK_URL": "https://bot.example.org/hook", "WEBHOOK_SECRET": "",
           "BOT_TOKEN": TEST_TOKEN, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("Setting WEBHOOK_SECRET is invalid")


def test_a_second_run_on_the_same_database_refuses_to_start(db_path):
    """Two `run` processes would both drain the outbox and notify everyone twice."""
    from bot.store.sqlite.store import run_lock

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}", "PYTHONPATH": str(ROOT),
           "BOT_TOKEN": TEST_TOKEN, "TELEGRAM_API_BASE": "http://127.0.0.1:9"}
    with run_lock(db_path):
        proc = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("Not started: another bot is already running")
