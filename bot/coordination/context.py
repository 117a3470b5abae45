"""The follow-up context («а когда?» is about the last answer) in Redis, for workers.

A person's next message may reach another worker; the subject of their last answer must be
there too. Kept as a key per chat that Redis expires after CONTEXT_TTL — the same promise
as the store's table (no chat id kept longer than that), without a purge job. Same
interface as the store's (`bot.store.base.ChatContext`)."""

from __future__ import annotations

import math
from typing import Any

CONTEXT_KEEP = 30 * 60  # seconds; longer than bot.domain.answering.CONTEXT_TTL


class RedisChatContext:
    def __init__(self, redis: Any, prefix: str, keep: float = CONTEXT_KEEP) -> None:
        self.redis = redis
        self.prefix = f"{prefix}context:"
        self.keep = keep

    async def save_context(self, chat_id: int, subject: str, now: float) -> None:
        await self.redis.set(
            f"{self.prefix}{chat_id}", f"{now!r} {subject}", ex=math.ceil(self.keep)
        )

    async def load_context(self, chat_id: int, newer_than: float) -> str | None:
        raw = await self.redis.get(f"{self.prefix}{chat_id}")
        if raw is None:
            return None
        saved_at, _, subject = raw.decode().partition(" ")
        return subject if float(saved_at) > newer_than else None

    async def purge_context(self, older_than: float) -> int:
        return 0  # Redis expires each key by itself
