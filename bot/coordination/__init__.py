"""What workers share besides the store: send pacing, update dedupe, flood counters, the
follow-up context — in this process's memory for one process (the embedded default), in
Redis when REDIS_URL is set so that any number of workers count and pace together.

Each piece has one small interface and two implementations, chosen once by `Shared.open`;
nothing here imports aiogram (the FSM storage is picked in `bot.telegram.dispatcher`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.coordination.context import RedisChatContext
from bot.coordination.dedupe import MemoryDedupe, RedisDedupe, UpdateDedupe
from bot.coordination.pacing import MemoryPacer, RedisPacer, SendPacer
from bot.coordination.windows import MemoryWindows, RedisWindows, Windows
from bot.store.base import ChatContext


class RedisUnavailable(RuntimeError):
    """REDIS_URL is set and Redis does not answer."""


@dataclass
class Shared:
    """The coordination pieces of one process. `redis` is the client when REDIS_URL is set
    (also handed to aiogram's RedisStorage for FSM state), else None."""

    pacer: SendPacer
    dedupe: UpdateDedupe
    windows: Windows
    context: ChatContext | None  # None: the store keeps the follow-up context
    redis: Any = None
    prefix: str = ""

    @classmethod
    def open(cls, redis_url: str | None, prefix: str, send_rate: float) -> Shared:
        if not redis_url:
            return cls(MemoryPacer(send_rate), MemoryDedupe(), MemoryWindows(), None)
        from redis.asyncio import Redis

        client = Redis.from_url(redis_url)
        key = f"{prefix}:"
        return cls(
            RedisPacer(client, key, send_rate),
            RedisDedupe(client, key),
            RedisWindows(client, key),
            RedisChatContext(client, key),
            redis=client,
            prefix=prefix,
        )

    async def check(self) -> None:
        """Fail at start, in one line, when Redis is configured but does not answer."""
        if self.redis is None:
            return
        try:
            await self.redis.ping()
        except Exception as exc:  # redis.exceptions.ConnectionError, a name not resolved…
            raise RedisUnavailable(f"Redis: {exc.__class__.__name__}: {exc}") from exc

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()


__all__ = ["RedisUnavailable", "SendPacer", "Shared", "UpdateDedupe", "Windows"]
