"""End to end: the HTTP fake Bot API server on 127.0.0.1, the bot's real AiohttpSession and
long polling (``tests/conftest.py``'s ``start_harness``), and the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import start_harness, stop_harness
from tests.fakebotapi import FakeBotAPI


@pytest.fixture
async def fake_api():
    async with FakeBotAPI() as api:
        yield api


@pytest.fixture
async def harness(fake_api: FakeBotAPI, db_path: Path):
    h = await start_harness(fake_api, db_path)
    yield h
    await stop_harness(h)
    assert not fake_api.errors, f"the bot sent what Telegram would reject: {fake_api.errors!r}"
