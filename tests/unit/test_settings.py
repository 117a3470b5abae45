"""Settings and logging: admin ids and the database path are parsed, the token is never
shown, every log handler masks secrets and SQL is never logged with its parameters.
(A bad setting on the command line: tests/e2e/test_cli.py.)"""

from __future__ import annotations

import logging

import pytest

from bot.settings import (
    SecretsFilter,
    SettingsError,
    configure_logging,
    load_settings,
    secrets_of,
)
from tests.fakebotapi import TEST_TOKEN


def test_settings_parse_admin_ids_and_absolute_database(tmp_path):
    settings = load_settings(admin_ids="1, 2,3", database_url=f"sqlite:///{tmp_path}/a.db")
    assert settings.admin_ids == {1, 2, 3}
    assert settings.database_path == tmp_path / "a.db"
    with pytest.raises(SettingsError):
        load_settings(log_level="loud")


def test_token_is_never_shown():
    settings = load_settings(bot_token=TEST_TOKEN)
    assert TEST_TOKEN not in repr(settings) and TEST_TOKEN not in str(settings)


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


def test_scale_out_settings_are_checked_together():
    pg = "postgresql://bot:s3cret-pass@127.0.0.1:5432/bot"
    settings = load_settings(database_url=pg, redis_url="redis://127.0.0.1:6379/0")
    assert settings.is_postgres and settings.store_target == pg
    for bad in ("mysql://x@h/db", "postgresql:///nohost", "bot.sqlite3"):
        with pytest.raises(SettingsError):
            load_settings(database_url=bad)
    with pytest.raises(SettingsError, match="WEBHOOK_URL"):  # long polling has one reader
        load_settings(workers=3, database_url=pg, redis_url="redis://127.0.0.1:6379/0")
    webhook = {"webhook_url": "https://b.example.org/h", "webhook_secret": "x" * 20}
    with pytest.raises(SettingsError, match="REDIS_URL"):  # workers share the counters
        load_settings(workers=3, database_url=pg, **webhook)
    with pytest.raises(SettingsError, match="postgresql"):  # …and the store
        load_settings(workers=3, redis_url="redis://127.0.0.1:6379/0", **webhook)
    assert load_settings(workers=3, database_url=pg, redis_url="redis://r:6379/0", **webhook)
    with pytest.raises(SettingsError, match="SEND_RATE"):  # above Telegram's ~30/s
        load_settings(send_rate=100)
    assert load_settings(send_rate=100, telegram_api_base="http://127.0.0.1:8081").send_rate == 100


def test_database_and_redis_passwords_are_masked():
    settings = load_settings(
        database_url="postgresql://bot:pg-pass-123@db:5432/bot",
        redis_url="redis://:redis-pass-456@r:6379/0",
    )
    masked = SecretsFilter(secrets_of(settings)).mask(
        "cannot connect to postgresql://bot:pg-pass-123@db:5432/bot, redis-pass-456"
    )
    assert "pg-pass-123" not in masked and "redis-pass-456" not in masked
