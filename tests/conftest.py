"""Shared fixtures: settings, a seeded store made once per session, the app, the harness.

The tests are in three folders (see each one's conftest for its fixtures):

- ``tests/unit``: pure functions — no store, no dispatcher;
- ``tests/bot``: the app and the real dispatcher in this process, Telegram being
  ``tests/inprocess.py`` (an aiogram session over the fake Bot API, no server);
- ``tests/e2e``: the HTTP fake Bot API server (long polling, webhook, 429/5xx, late answers)
  and the command line.

What is expensive and never changes is built once per session: the seeded store (copied for
each test) and the compiled crisis lexicon (shared by every app the tests build).

``Harness`` is how a test talks to the running bot, whichever way Telegram is reached:
updates are handled as concurrent tasks, as aiogram does in production
(handle_as_tasks=True); each update is marked when its handling has finished, and tests wait
for that mark instead of sleeping. ``start_harness`` runs it with long polling through the
bot's real AiohttpSession against ``tests/fakebotapi.FakeBotAPI`` on 127.0.0.1 (the e2e
tests and ``python -m tests.soak``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from bot.app import App
from bot.settings import Settings, load_settings
from bot.telegram.dispatcher import build_bot, build_dispatcher
from tests.fakebotapi import TEST_TOKEN, Call, FakeBotAPI

# Property tests explore freely when run by hand, but CI must not turn red by luck:
# the default profile is derandomised (the same examples every run).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile("explore" if os.environ.get("HYPOTHESIS_EXPLORE") else "ci")

ADMIN_ID = 777
USER_ID = 1001
TODAY = dt.date(2024, 10, 10)  # before the Tyumen training sessions of 16–18 and 23–25 Oct 2024


def make_settings(db: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{db}",
        "admin_ids": str(ADMIN_ID),
        "bot_today": TODAY,
        "flood_limit": 0,
        "bot_token": None,
        "telegram_api_base": None,
    }
    values.update(overrides)
    return load_settings(**values)


DISK_CACHED_LOAD: Any = None  # CrisisDetector.load as the bot has it (tests of its cache)


@pytest.fixture
def crisis_load_with_disk_cache():
    """The real `CrisisDetector.load` (the session fixture replaces it with a memo)."""
    from bot.domain.crisis import CrisisDetector

    return lambda path, cache_dir: DISK_CACHED_LOAD(CrisisDetector, path, cache_dir)


@pytest.fixture(scope="session", autouse=True)
def compiled_lexicon_shared():
    """The crisis lexicon is compiled once per session, not by every app a test builds.

    Compiling it (the inflected forms of every trigger, through pymorphy3) is most of what
    ``App.create`` costs — about half a second, for hundreds of apps. The compiled detector
    is immutable (``detect`` is pure; its caches only memoise), so every app may share one.
    The cache is keyed by the file's content: a test that edits a copy of the lexicon gets
    it compiled (or refused) afresh."""
    from bot.domain.crisis import DEFAULT_LEXICON, CrisisDetector

    compile_file = CrisisDetector.from_file.__func__
    compiled: dict[bytes, CrisisDetector] = {}

    def from_file(cls, path=DEFAULT_LEXICON):
        try:
            content = Path(path).read_bytes()
        except OSError:
            return compile_file(cls, path)  # the real error
        if content not in compiled:
            compiled[content] = compile_file(cls, path)
        return compiled[content]

    def load(cls, path=DEFAULT_LEXICON, cache_dir=None):
        return from_file(cls, path)  # the session's memo, not the disk cache in ~/.cache

    global DISK_CACHED_LOAD
    DISK_CACHED_LOAD = CrisisDetector.load.__func__

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CrisisDetector, "from_file", classmethod(from_file))
        patch.setattr(CrisisDetector, "load", classmethod(load))
        yield


@pytest.fixture(autouse=True)
def data_dir_restored():
    """App.create points DATA_DIR (read by the loaders in worker processes) at its data
    folder; a test that starts an app on a broken copy must not leave it to the next one."""
    before = os.environ.get("DATA_DIR")
    yield
    if before is None:
        os.environ.pop("DATA_DIR", None)
    else:
        os.environ["DATA_DIR"] = before


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the seeds and cards loaded, built once and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "bot.sqlite3"

    async def build() -> None:
        app = await App.create(make_settings(path))
        await app.close()

    asyncio.run(build())
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "bot.sqlite3"
    shutil.copy(template_db, target)
    return target


@pytest.fixture
async def app(db_path: Path):
    application = await App.create(make_settings(db_path))
    yield application
    await application.close()


@dataclass
class Harness:
    api: FakeBotAPI
    app: App
    bot: Any
    task: asyncio.Task | None
    dp: Any
    extra: dict = field(default_factory=dict)
    handled: set[int] = field(default_factory=set)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def mark_handled(self, update_id: int) -> None:
        self.handled.add(update_id)
        self.changed.set()

    async def wait_handled(self, update_id: int, timeout: float = 15.0) -> None:
        """Wait until the bot has finished handling `update_id` (its task returned)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while update_id not in self.handled:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"update {update_id} was not handled within {timeout}s")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except TimeoutError:
                pass

    async def send(
        self, text: str, user_id: int = USER_ID, chat_id: int | None = None, **kwargs: Any
    ) -> list[Call]:
        """Push a message, wait until the bot has handled it, return its calls to that chat."""
        start = len(self.api.calls)
        update_id = self.api.push_message(
            text, chat_id=chat_id or user_id, user_id=user_id, **kwargs
        )
        await self.wait_handled(update_id)
        return [c for c in self.api.calls[start:] if c.method != "getUpdates"]

    async def push(self, update_id: int) -> list[Call]:
        start = len(self.api.calls)
        await self.wait_handled(update_id)
        return [c for c in self.api.calls[start:] if c.method != "getUpdates"]

    async def ask(self, text: str, user_id: int = USER_ID) -> str:
        """The texts the bot sent in answer to `text`, joined."""
        calls = await self.send(text, user_id=user_id)
        return "\n".join(c.params.get("text", "") for c in calls if c.method == "sendMessage")


async def start_harness(api: FakeBotAPI, db: Path, **overrides: Any) -> Harness:
    """The bot with long polling against the HTTP fake at `api` (started)."""
    settings = make_settings(db, bot_token=TEST_TOKEN, telegram_api_base=api.base_url, **overrides)
    application = await App.create(settings)
    bot = build_bot(settings)
    dp = build_dispatcher(application)
    harness = Harness(api, application, bot, None, dp)

    async def mark_handled(handler: Any, event: Any, data: dict) -> Any:
        try:
            return await handler(event, data)
        finally:
            harness.mark_handled(event.update_id)

    # Outermost, so the mark comes after aiogram's error handling (the apology) too.
    dp.update.outer_middleware._middlewares.insert(0, mark_handled)
    harness.task = asyncio.create_task(
        dp.start_polling(
            bot,
            handle_signals=False,
            handle_as_tasks=True,
            polling_timeout=1,
            close_bot_session=False,
        )
    )
    return harness


async def stop_harness(h: Harness) -> None:
    await h.dp.stop_polling()
    try:
        await asyncio.wait_for(h.task, timeout=5)
    except (TimeoutError, asyncio.CancelledError, RuntimeError):
        h.task.cancel()
    await h.app.stop_background()
    await FakeBotAPI.close_bot(h.bot)
    await h.app.close()
