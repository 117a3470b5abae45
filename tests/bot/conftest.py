"""The bot in this process: the app and the real dispatcher, Telegram reached through
``tests/inprocess.py`` (the fake Bot API's methods and checks, without a server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakebotapi import FakeBotAPI
from tests.inprocess import start_inprocess, stop_inprocess


@pytest.fixture
def fake_api() -> FakeBotAPI:
    """The fake Telegram, not listening: the bot reaches it in-process."""
    return FakeBotAPI()


@pytest.fixture
async def harness(fake_api: FakeBotAPI, db_path: Path):
    h = await start_inprocess(fake_api, db_path)
    yield h
    await stop_inprocess(h)
    assert not fake_api.errors, f"the bot sent what Telegram would reject: {fake_api.errors!r}"
