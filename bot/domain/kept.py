"""Read-only store data kept in memory between questions while the store does not change.

An answer reads the same few things again and again: the article it found (once to fit the
question, once for the answer, once more for a follow-up), the titles of the «see also»
articles, the service cards, today's event lists. Each read is a hop to the database thread
(~0.1–0.4 ms of CPU with aiosqlite) for data that only changes when content does — and then
the store's change counter (`Store.generation`) moves. The answer reads that counter once
(the search needs it anyway) and hands it here; a different value forgets everything kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

from bot.store import Store
from bot.store.base import ArticleRow

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

KEEP_ARTICLES = 4096  # articles kept; past it the oldest half goes


class Kept(Generic[K, V]):
    """Values read from the store, kept while its change counter stays where it was when
    they were read; at most `limit` of them (past it the oldest half goes)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._generation: int | None = None
        self._values: dict[K, V] = {}

    def at(self, generation: int) -> None:
        """The store's change counter as just read: forget what an older one kept."""
        if generation != self._generation:
            self._values.clear()
            self._generation = generation

    def known(self, key: K) -> bool:
        return key in self._values

    def get(self, key: K) -> V:
        return self._values[key]

    async def read(self, key: K, read: Callable[[], Awaitable[V]]) -> V:
        """The kept value, or `read()`'s, kept for the next time."""
        if key in self._values:
            return self._values[key]
        generation = self._generation
        value = await read()
        self.keep(generation, key, value)
        return value

    def keep(self, generation: int | None, key: K, value: V) -> None:
        """Keep a value read while the counter was `generation`: if another question saw it
        move during the read, the value may be older than the change, and is not kept."""
        if generation != self._generation:
            return
        if len(self._values) >= self.limit:
            for old in list(self._values)[: max(1, self.limit // 2)]:
                del self._values[old]
        self._values[key] = value

    @property
    def generation(self) -> int | None:
        return self._generation


class KeptReads:
    """The articles and the service cards an answer shows."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._articles: Kept[int, ArticleRow | None] = Kept(KEEP_ARTICLES)
        self._cards: Kept[str, dict[str, dict]] = Kept(1)

    def at(self, generation: int) -> None:
        """The store's change counter as just read: forget what an older one kept."""
        self._articles.at(generation)
        self._cards.at(generation)

    async def current(self) -> None:
        """Read the change counter (for callers outside an answer)."""
        self.at(await self.store.generation())

    async def article(self, article_id: int) -> ArticleRow | None:
        return await self._articles.read(article_id, lambda: self.store.get_article(article_id))

    async def articles(self, ids: Sequence[int]) -> dict[int, ArticleRow]:
        kept = {i: self._articles.get(i) for i in ids if self._articles.known(i)}
        missing = [i for i in ids if i not in kept]
        if missing:
            generation = self._articles.generation
            found = await self.store.get_articles(missing)
            for i in missing:
                kept[i] = found.get(i)
                self._articles.keep(generation, i, kept[i])
        return {i: row for i in ids if (row := kept[i]) is not None}

    async def cards(self) -> dict[str, dict]:
        return await self._cards.read("cards", self.store.get_cards)
