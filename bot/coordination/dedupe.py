"""Each update handled once, even when Telegram posts it twice.

Telegram re-sends an update when the webhook answers late or the connection breaks; behind
a load balancer the second copy reaches another worker. The first worker to see an
update_id claims it (Redis `SET NX` with an expiry, atomic across workers); the others
drop their copy. One process keeps the ids it has seen in memory.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Protocol

KEEP_SECONDS = 3600  # Telegram gives up re-sending an update well within an hour


class UpdateDedupe(Protocol):
    async def first_time(self, bot_id: int, update_id: int) -> bool:
        """True for the first sight of this update (it is claimed now), False afterwards."""
        ...


class MemoryDedupe:
    def __init__(self, keep: int = 10_000) -> None:
        self.keep = keep
        self._seen: OrderedDict[tuple[int, int], None] = OrderedDict()

    async def first_time(self, bot_id: int, update_id: int) -> bool:
        key = (bot_id, update_id)
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self.keep:
            self._seen.popitem(last=False)
        return True


class RedisDedupe:
    def __init__(self, redis: Any, prefix: str, keep_seconds: int = KEEP_SECONDS) -> None:
        self.redis = redis
        self.prefix = f"{prefix}update:"
        self.keep_seconds = keep_seconds

    async def first_time(self, bot_id: int, update_id: int) -> bool:
        key = f"{self.prefix}{bot_id}:{update_id}"
        return bool(await self.redis.set(key, b"1", nx=True, ex=self.keep_seconds))
