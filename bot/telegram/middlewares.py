"""Outer middlewares: flood control and input sanitising.

Flood control: messages (FLOOD_LIMIT a minute) and button presses (CALLBACK_LIMIT in 10 s).

Over the message limit, the user gets one polite warning per window and further messages
are dropped silently — no reply storm. Over the press limit, each press is answered with a
short «wait» and does nothing: 200 presses of one calendar button used to send 200 files,
each a request against Telegram's limits for everyone. An unanswered press keeps the
button's spinner turning, so presses are always answered.

Admins (owners and editors, injected as a container that follows role changes) are exempt:
an admin uploading a batch of articles is working, not flooding, and their uploads must
never be dropped silently.

A sliding window of timestamps per user (`bot.coordination.windows`): in memory for one
process (it resets on restart, which is fine for a courtesy limit), in Redis for several
workers, so a person's messages spread over workers are counted together. The check and
the count are one step, so updates handled concurrently cannot slip past it together.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Container
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, InlineQuery, Message, TelegramObject

from bot.coordination.windows import MemoryWindows, Windows
from bot.search.analysis import Message as Reading

log = logging.getLogger(__name__)


WINDOW = 60.0


WARNING = "Вы пишете очень часто. Подождите минуту, и я снова отвечу."


CALLBACK_WINDOW = 10.0


CALLBACK_WARNING = "Слишком часто, подождите немного"


class _PerPersonLimit(BaseMiddleware):
    """At most `limit` of something per person in a window (0 disables), counted in
    `windows` (this process's memory, or Redis shared by the workers); `exempt` ids are
    never counted."""

    def __init__(
        self,
        limit: int,
        windows: Windows | None = None,
        exempt: Container[int] = frozenset(),
    ) -> None:
        self.limit = limit
        self.windows = windows if windows is not None else MemoryWindows()
        self.exempt = exempt  # read on every update: roles change while the bot runs


class FloodControl(_PerPersonLimit):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if (
            self.limit <= 0
            or not isinstance(event, Message)
            or event.from_user is None
            or event.from_user.id in self.exempt
        ):
            return await handler(event, data)
        user = event.from_user.id
        if not await self.windows.allow("msg", user, self.limit, WINDOW):
            if await self.windows.first_in("msg-warned", user, WINDOW):
                await event.answer(WARNING)
            return None
        return await handler(event, data)


class CallbackFloodControl(_PerPersonLimit):
    """At most `limit` button presses per person in CALLBACK_WINDOW seconds (0 disables)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if (
            self.limit <= 0
            or not isinstance(event, CallbackQuery)
            or event.from_user.id in self.exempt
            or await self.windows.allow("press", event.from_user.id, self.limit, CALLBACK_WINDOW)
        ):
            return await handler(event, data)
        try:
            await event.answer(CALLBACK_WARNING)
        except TelegramAPIError as exc:  # an old query: nothing to answer, nothing to apologise
            log.debug("press over the limit not answered: %s", exc)
        return None


# Lone surrogates and C0/C1 control characters other than tab and newline.
_UNSAFE = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(text: str | None) -> str | None:
    """`text` without lone surrogates and control characters (None stays None)."""
    if text is None:
        return None
    return _UNSAFE.sub("", text)


class InputSanitizer(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        update: dict[str, Any] = {}
        if isinstance(event, Message):
            for name in ("text", "caption"):
                value = getattr(event, name)
                if value is not None and _UNSAFE.search(value):
                    update[name] = clean_text(value)
        elif isinstance(event, CallbackQuery):
            if event.data is not None and _UNSAFE.search(event.data):
                update["data"] = clean_text(event.data)
        elif isinstance(event, InlineQuery):
            if _UNSAFE.search(event.query):
                update["query"] = clean_text(event.query)
        if update:
            event = event.model_copy(update=update)
        return await handler(event, data)


class ReadOnce(BaseMiddleware):
    """Puts the text of a message, read once (`bot.search.analysis.Message`, tokens and lemmas
    worked out on first use), into the handler data as `reading`: the filters that look for
    a request in words and the answering that follows share one reading. Runs after the
    sanitizer, so it reads the cleaned text."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Message) and event.text:
            data["reading"] = Reading(event.text.strip())
        return await handler(event, data)
