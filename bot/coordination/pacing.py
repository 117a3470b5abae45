"""Send pacing shared by every outbox sender: ≤ SEND_RATE messages a second overall and at
most one a second per chat, whichever worker sends.

Each send *reserves a slot*: the next free moment on the global clock (slots are
1/SEND_RATE apart) and the chat's own turn (one per PER_CHAT_INTERVAL). One worker keeps
the clock in memory; several keep it in Redis, where one Lua script reads and moves both
clocks atomically on Redis's own time — no two workers get the same slot, and no worker's
clock skew matters. Replies to people never go through here: only queued notifications,
reminders and announcements are paced.
"""

from __future__ import annotations

import math
import time
from typing import Any, Protocol

PER_CHAT_INTERVAL = 1.0  # seconds between two messages to one chat


class SendPacer(Protocol):
    async def reserve(self, chat_id: int) -> float:
        """Reserve a send to `chat_id`: the seconds to wait before sending (0.0: now); or,
        negative, minus the seconds until this chat may be written to again — nothing is
        reserved then, and the sender tries another chat first."""
        ...

    async def pause(self, seconds: float) -> None:
        """Telegram refused everyone (a global 429): no sender sends for `seconds`."""
        ...


class MemoryPacer:
    """The clocks of one process (the embedded default: one sender)."""

    def __init__(
        self,
        rate: float,
        per_chat: float = PER_CHAT_INTERVAL,
        clock: Any = time.monotonic,
    ) -> None:
        self.interval = 1.0 / rate
        self.per_chat = per_chat
        self.clock = clock
        self._next = 0.0
        self._chat_free: dict[int, float] = {}

    async def reserve(self, chat_id: int) -> float:
        now = self.clock()
        free = self._chat_free.get(chat_id, 0.0)
        if free > now:
            return -(free - now)
        slot = max(now, self._next)
        self._next = slot + self.interval
        self._chat_free[chat_id] = slot + self.per_chat
        if len(self._chat_free) > 10_000:  # forget chats whose turn has long come
            self._chat_free = {c: t for c, t in self._chat_free.items() if t > now}
        return slot - now

    async def pause(self, seconds: float) -> None:
        self._next = max(self._next, self.clock() + seconds)


# KEYS[1] the global clock (next free slot, ms), KEYS[2] the chat's turn (a key that lives
# until the chat may be written to again). ARGV[1] slot interval (ms), ARGV[2] per-chat (ms).
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local busy = redis.call('PTTL', KEYS[2])
if busy > 0 then return -busy end
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], tostring(slot + tonumber(ARGV[1])), 'PX', 60000)
redis.call('SET', KEYS[2], '1', 'PX', math.ceil(slot - now + tonumber(ARGV[2])))
return math.ceil(slot - now)
"""

# KEYS[1] the global clock; ARGV[1] the pause (ms).
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ = math.max(now + tonumber(ARGV[1]), tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], tostring(until_), 'PX', math.ceil(until_ - now) + 60000)
return 1
"""


class RedisPacer:
    """The clocks in Redis, shared by every worker (see the module docstring)."""

    def __init__(
        self, redis: Any, prefix: str, rate: float, per_chat: float = PER_CHAT_INTERVAL
    ) -> None:
        self.redis = redis
        self.global_key = f"{prefix}pace:global"
        self.chat_prefix = f"{prefix}pace:chat:"
        self.interval_ms = 1000.0 / rate
        self.per_chat_ms = per_chat * 1000.0
        self._reserve = redis.register_script(_RESERVE)
        self._pause = redis.register_script(_PAUSE)

    async def reserve(self, chat_id: int) -> float:
        waited = await self._reserve(
            keys=[self.global_key, f"{self.chat_prefix}{chat_id}"],
            args=[self.interval_ms, self.per_chat_ms],
        )
        return int(waited) / 1000.0

    async def pause(self, seconds: float) -> None:
        await self._pause(keys=[self.global_key], args=[math.ceil(seconds * 1000)])
