"""Flood control: at most FLOOD_LIMIT messages per user per minute (0 disables).

Over the limit, the user gets one polite warning per window and further messages are
dropped silently — no reply storm. A sliding window of timestamps per user, in memory:
it resets on restart, which is fine for a courtesy limit.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject

WINDOW = 60.0
WARNING = "Вы пишете очень часто. Подождите минуту, и я снова отвечу."


class FloodControl(BaseMiddleware):
    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if self.limit <= 0 or not isinstance(event, Message) or event.from_user is None:
            return await handler(event, data)
        user = event.from_user.id
        now = self.clock()
        hits = self._hits.setdefault(user, deque())
        while hits and now - hits[0] > WINDOW:
            hits.popleft()
        if len(hits) >= self.limit:
            if now - self._warned.get(user, -WINDOW * 2) > WINDOW:
                self._warned[user] = now
                await event.answer(WARNING)
            return None
        hits.append(now)
        return await handler(event, data)
