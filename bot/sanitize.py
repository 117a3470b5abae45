"""Incoming text made safe before any handler or filter sees it.

Telegram's JSON may carry what a str can hold but nothing can send or store: a lone UTF-16
surrogate («\\ud800») made sqlite3 and the reply's JSON encoder raise
UnicodeEncodeError; NUL and other control characters end up in logs and the query log.
An outer middleware replaces the event with a cleaned copy (aiogram's types are frozen),
so every handler, filter and the core get clean text — one place instead of a check in
each handler.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, InlineQuery, Message, TelegramObject

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
