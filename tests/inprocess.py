"""The bot tests' Telegram: an aiogram session that calls the fake Bot API in-process.

``InProcessSession`` replaces the ``AiohttpSession`` of a real ``Bot``: each request is put
in the form aiogram puts on the wire (``prepare_value``, fields and files as in
``build_form_data``), decoded as the HTTP fake decodes it, and carried out by
``FakeBotAPI.call`` — the same methods and the same checks of ``tests/telegram_checks.py`` the
HTTP fake applies — and the answer goes through aiogram's own ``check_response``, so the bot
sees ``TelegramBadRequest`` & co. exactly as over HTTP. No server, no sockets, no polling.

``start_inprocess`` drives the real dispatcher with it (a ``Harness`` of ``tests/conftest.py``,
the same interface as the long-polling one): every update pushed to the fake
(``api.push_message`` …) is handled at once as a task of its own, as
``start_polling(handle_as_tasks=True)`` does in production; ``send`` / ``push`` wait until that
task has finished (the reply, or the apology of the errors router, included).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiohttp import ClientResponseError, RequestInfo
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from bot.app import App
from bot.telegram.dispatcher import build_bot, build_dispatcher
from tests.conftest import Harness, make_settings
from tests.fakebotapi import TEST_TOKEN, FakeBotAPI, UploadedFile, coerce

#: Never contacted: only the shape of the file URLs aiogram builds matters.
BASE = "http://telegram.in-process"
_FILE_URL = re.compile(r".*/file/bot(?P<token>[^/]+)/(?P<path>.+)")


class InProcessSession(BaseSession):
    """An aiogram session whose Telegram is a ``FakeBotAPI`` in this process."""

    def __init__(self, api: FakeBotAPI, timeout: float = 30.0) -> None:
        super().__init__(api=TelegramAPIServer.from_base(BASE), timeout=timeout)
        self.fake = api

    async def close(self) -> None:
        return None

    async def make_request(
        self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None
    ) -> Any:
        params, files = await self._form(bot, method)
        status, body, delay = await self.fake.call(method.__api_method__, bot.token, params, files)
        # A late answer is the HTTP client's timeout at work: tests/e2e has those.
        assert not delay, "delay_next needs the HTTP fake (tests/e2e), not the in-process session"
        response = self.check_response(
            bot=bot, method=method, status_code=status, content=json.dumps(body)
        )
        return response.result

    async def _form(
        self, bot: Bot, method: TelegramMethod[Any]
    ) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        """The request's fields and files as ``AiohttpSession.build_form_data`` sends them,
        decoded as the HTTP fake decodes a form."""
        files: dict[str, Any] = {}
        params: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            value = self.prepare_value(value, bot=bot, files=files)
            if value:  # a str (or a str enum, sent as its text): decoded as the HTTP fake does
                params[key] = coerce(key, value.encode().decode())
        uploads = {}
        for key, value in files.items():
            content = b"".join([chunk async for chunk in value.read(bot)])
            uploads[key] = UploadedFile(value.filename or key, content)
        return params, uploads

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        match = _FILE_URL.fullmatch(url)
        content = self.fake.download(match["token"], match["path"]) if match else None
        if content is None:
            if raise_for_status:  # what aiohttp raises for the 404 of a download
                info = RequestInfo(URL(url), "GET", CIMultiDictProxy(CIMultiDict()), URL(url))
                raise ClientResponseError(info, (), status=404, message="Not Found")
            return
        for start in range(0, len(content), chunk_size):
            yield content[start : start + chunk_size]


async def start_inprocess(api: FakeBotAPI, db: Path, **overrides: Any) -> Harness:
    """The app and the real dispatcher on the store at `db`, Telegram in-process (see the
    module docstring); stop it with ``stop_inprocess``."""
    settings = make_settings(db, bot_token=TEST_TOKEN, **overrides)
    app = await App.create(settings)
    session = InProcessSession(api, timeout=settings.telegram_timeout)
    bot = build_bot(settings, session=session)
    dp = build_dispatcher(app)
    h = Harness(api, app, bot, None, dp)  # type: ignore[arg-type]
    tasks: set[asyncio.Task] = set()
    h.extra["tasks"] = tasks

    async def handle(update: Update) -> None:
        """What polling does with one update (``Dispatcher._process_update``)."""
        try:
            result = await dp.feed_update(bot, update, dispatcher=dp, bots=[bot])
            if isinstance(result, TelegramMethod):
                await dp.silent_call_request(bot=bot, result=result)
        except Exception as e:  # logged as aiogram logs it; tests see the ERROR record
            logging.getLogger("aiogram.event").exception(
                "Cause exception while process update id=%d by bot id=%d\n%s: %s",
                update.update_id, bot.id, type(e).__name__, e,
            )
        finally:
            h.mark_handled(update.update_id)

    def spawn(raw: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(
            handle(Update.model_validate(raw, context={"bot": bot}))
        )
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    # What start_polling asks Telegram for: only the update types some handler uses.
    api._allowed_updates = frozenset(dp.resolve_used_update_types()) or None
    api.on_update = spawn
    return h


async def stop_inprocess(h: Harness) -> None:
    """Let the handlers still running finish, then close what the app holds."""
    h.api.on_update = None
    tasks = h.extra["tasks"]
    if tasks:
        await asyncio.wait(tasks, timeout=30)
    await h.app.stop_background()
    await h.app.close()
