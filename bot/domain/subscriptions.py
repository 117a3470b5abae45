"""Subscriptions to new events: /subscribe with an optional topic, /unsubscribe.

`/subscribe регион` (or the «Подписаться на мой регион» button) subscribes to the region the
chat told (/region): the topic is the region's name as places.toml spells it, so the
notifications find events in its cities too (`bot.domain.notifications`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.events import clean_topic
from bot.store import Store
from bot.text.morph import lemma
from bot.text.normalize import words

# «/subscribe регион», «мой регион», «по моему региону»: the chat's own region.
_REGION_WORDS = {"регион"}
_OWN_WORDS = {"мой", "свой", "наш", "по", "на", "в"}


@dataclass(frozen=True)
class Subscribed:
    topic: str  # cleaned; empty means every new event
    created: bool  # False: the chat was already subscribed to it
    region: bool = False  # the topic is the region the chat told


def asks_for_region(topic: str) -> bool:
    lemmas = [lemma(w) for w in words(topic)]
    return bool(lemmas) and set(lemmas) - _OWN_WORDS == _REGION_WORDS


class Subscriptions:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def subscribe(self, chat_id: int, topic: str) -> Subscribed | None:
        """None only for `/subscribe регион` from a chat that told no region."""
        if asks_for_region(topic):
            return await self.subscribe_region(chat_id)
        topic = clean_topic(topic)
        return Subscribed(topic, await self.store.subscribe(chat_id, topic))

    async def subscribe_region(self, chat_id: int) -> Subscribed | None:
        """Events in the chat's region (its cities included); None when it told none."""
        region = await self.store.chat_region(chat_id)
        if region is None:
            return None
        return Subscribed(region, await self.store.subscribe(chat_id, region), region=True)

    async def unsubscribe(self, chat_id: int) -> int:
        """How many subscriptions were removed (0: there were none)."""
        return await self.store.unsubscribe(chat_id)
