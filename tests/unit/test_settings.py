"""Settings and logging: admin ids and the database path are parsed, the token is never
shown, every log handler masks secrets and SQL is never logged with its parameters.
(A bad setting on the command line: tests/e2e/test_cli.py.)"""

from __future__ import annotations

import logging

import pytest

from bot.settings import SecretsFilter, SettingsError, configure_logging, load_settings
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
