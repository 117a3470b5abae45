"""Read-only store data kept in memory between questions while the store does not change.

An answer reads the same few things again and again: the article it found (once to fit the
question, once for the answer, once more for a follow-up), the titles of the «see also»
articles, the service cards. Each read is a hop to the database thread (~0.1–0.4 ms of CPU
with aiosqlite) for data that only changes when content does — and then the store's change
counter (`Store.generation`) moves. The answer reads that counter once (the search needs it
anyway) and hands it here; a different value forgets everything kept.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.store import Store
from bot.store.base import ArticleRow

KEEP_ARTICLES = 4096  # articles kept; past it the oldest half goes


class KeptReads:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._generation: int | None = None
        self._articles: dict[int, ArticleRow | None] = {}
        self._cards: dict[str, dict] | None = None

    def at(self, generation: int) -> None:
        """The store's change counter as just read: forget what an older one kept."""
        if generation != self._generation:
            self._articles.clear()
            self._cards = None
            self._generation = generation

    async def current(self) -> None:
        """Read the change counter (for callers outside an answer)."""
        self.at(await self.store.generation())

    async def article(self, article_id: int) -> ArticleRow | None:
        if article_id in self._articles:
            return self._articles[article_id]
        generation = self._generation
        row = await self.store.get_article(article_id)
        self._keep(generation, article_id, row)
        return row

    async def articles(self, ids: Sequence[int]) -> dict[int, ArticleRow]:
        kept = {i: self._articles[i] for i in ids if i in self._articles}
        missing = [i for i in ids if i not in kept]
        if missing:
            generation = self._generation
            found = await self.store.get_articles(missing)
            for i in missing:
                kept[i] = found.get(i)
                self._keep(generation, i, kept[i])
        return {i: row for i in ids if (row := kept[i]) is not None}

    async def cards(self) -> dict[str, dict]:
        if self._cards is not None:
            return self._cards
        generation = self._generation
        cards = await self.store.get_cards()
        if generation == self._generation:
            self._cards = cards
        return cards

    def _keep(self, generation: int | None, article_id: int, row: ArticleRow | None) -> None:
        """Keep a row read while the counter was `generation`: if another question saw it
        move during the read, the row may be older than the change, and is not kept."""
        if generation != self._generation:
            return
        if len(self._articles) >= KEEP_ARTICLES:
            for old in list(self._articles)[: KEEP_ARTICLES // 2]:
                del self._articles[old]
        self._articles[article_id] = row
