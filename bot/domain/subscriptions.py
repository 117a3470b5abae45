"""Subscriptions to new events: /subscribe with an optional topic, /unsubscribe."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.events import clean_topic
from bot.store import Store


@dataclass(frozen=True)
class Subscribed:
    topic: str  # cleaned; empty means every new event
    created: bool  # False: the chat was already subscribed to it


class Subscriptions:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def subscribe(self, chat_id: int, topic: str) -> Subscribed:
        topic = clean_topic(topic)
        return Subscribed(topic, await self.store.subscribe(chat_id, topic))

    async def unsubscribe(self, chat_id: int) -> int:
        """How many subscriptions were removed (0: there were none)."""
        return await self.store.unsubscribe(chat_id)
