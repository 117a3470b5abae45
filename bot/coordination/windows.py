"""Sliding-window counters per person (flood control), in memory or in Redis.

`allow` counts a hit and answers whether it was within the limit, in one step: a person's
messages handled at once by several tasks — or several workers — cannot slip past the
limit together. In Redis a sorted set per person holds the hit times (a Lua script trims,
counts and adds atomically; the key expires with the window).
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol


class Windows(Protocol):
    async def allow(self, name: str, user: int, limit: int, window: float) -> bool:
        """Count a hit of `user` in the counter `name`; False (not counted) over `limit`
        hits in the last `window` seconds."""
        ...

    async def first_in(self, name: str, user: int, window: float) -> bool:
        """True at most once per `window` seconds per user (e.g. one warning a minute)."""
        ...


class MemoryWindows:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._hits: dict[tuple[str, int], deque[float]] = {}
        self._marks: dict[tuple[str, int], float] = {}

    async def allow(self, name: str, user: int, limit: int, window: float) -> bool:
        now = self.clock()
        hits = self._hits.setdefault((name, user), deque())
        while hits and now - hits[0] > window:
            hits.popleft()
        if len(hits) >= limit:
            return False
        hits.append(now)
        return True

    async def first_in(self, name: str, user: int, window: float) -> bool:
        now = self.clock()
        if now - self._marks.get((name, user), -window * 2) <= window:
            return False
        self._marks[(name, user)] = now
        return True


# KEYS[1] the person's sorted set; ARGV: limit, window (ms), a unique member.
_ALLOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 1
"""


class RedisWindows:
    def __init__(self, redis: Any, prefix: str) -> None:
        self.redis = redis
        self.prefix = f"{prefix}flood:"
        self._allow = redis.register_script(_ALLOW)

    async def allow(self, name: str, user: int, limit: int, window: float) -> bool:
        key = f"{self.prefix}{name}:{user}"
        member = uuid.uuid4().hex
        return bool(await self._allow(keys=[key], args=[limit, int(window * 1000), member]))

    async def first_in(self, name: str, user: int, window: float) -> bool:
        key = f"{self.prefix}{name}:mark:{user}"
        return bool(await self.redis.set(key, b"1", nx=True, px=int(window * 1000)))
