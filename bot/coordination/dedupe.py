"""Each update handled once, even when Telegram posts it twice.

Telegram re-sends an update when the webhook answered late, with an error, or not at all
(the connection broke); behind a load balancer the copy reaches another worker. The worker
that takes an update first *claims* it: 'busy' for a lease, then 'done' for an hour once
handled. A copy of a 'done' update is acknowledged and dropped; a copy of a 'busy' one is
answered 503, so Telegram tries again later — by then it is 'done', or, if the worker that
claimed it died mid-update, the lease has run out and the copy is handled. A handler that
fails gives its claim back. Redis `SET NX` makes the claim atomic across workers; one
process keeps the states in memory.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, Literal, Protocol

KEEP_SECONDS = 3600  # Telegram gives up re-sending an update well within an hour
BUSY_SECONDS = 120  # an update's handling takes far less (uploads are bounded by 30 s)

Claim = Literal["new", "busy", "done"]


class UpdateDedupe(Protocol):
    async def claim(self, bot_id: int, update_id: int) -> Claim:
        """'new': this caller handles it now; 'busy': someone is handling it; 'done'."""
        ...

    async def done(self, bot_id: int, update_id: int) -> None: ...

    async def release(self, bot_id: int, update_id: int) -> None:
        """The handling failed: a copy may be handled again."""
        ...


class MemoryDedupe:
    def __init__(self, keep: int = 10_000, busy_seconds: float = BUSY_SECONDS) -> None:
        self.keep = keep
        self.busy_seconds = busy_seconds
        self._states: OrderedDict[tuple[int, int], tuple[Claim, float]] = OrderedDict()

    async def claim(self, bot_id: int, update_id: int) -> Claim:
        key = (bot_id, update_id)
        now = time.monotonic()
        state = self._states.get(key)
        if state is not None and (state[0] == "done" or now - state[1] < self.busy_seconds):
            return state[0]
        self._states[key] = ("busy", now)
        if len(self._states) > self.keep:
            self._states.popitem(last=False)
        return "new"

    async def done(self, bot_id: int, update_id: int) -> None:
        self._states[(bot_id, update_id)] = ("done", time.monotonic())

    async def release(self, bot_id: int, update_id: int) -> None:
        self._states.pop((bot_id, update_id), None)


class RedisDedupe:
    def __init__(
        self,
        redis: Any,
        prefix: str,
        keep_seconds: int = KEEP_SECONDS,
        busy_seconds: int = BUSY_SECONDS,
    ) -> None:
        self.redis = redis
        self.prefix = f"{prefix}update:"
        self.keep_seconds = keep_seconds
        self.busy_seconds = busy_seconds

    def _key(self, bot_id: int, update_id: int) -> str:
        return f"{self.prefix}{bot_id}:{update_id}"

    async def claim(self, bot_id: int, update_id: int) -> Claim:
        key = self._key(bot_id, update_id)
        if await self.redis.set(key, b"busy", nx=True, ex=self.busy_seconds):
            return "new"
        state = await self.redis.get(key)
        if state is None:  # expired between the two calls: try once more
            return (
                "new"
                if await self.redis.set(key, b"busy", nx=True, ex=self.busy_seconds)
                else "busy"
            )
        return "done" if state == b"done" else "busy"

    async def done(self, bot_id: int, update_id: int) -> None:
        await self.redis.set(self._key(bot_id, update_id), b"done", ex=self.keep_seconds)

    async def release(self, bot_id: int, update_id: int) -> None:
        await self.redis.delete(self._key(bot_id, update_id))
