"""First-start work: seeds, service cards, and the index version check.

Runs on every start but does work only when needed, so a restart neither duplicates
the seeds nor re-indexes a store that is current (the checks are a few meta reads).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from bot.articles.ingest import ArticleService
from bot.domain.cards import load_cards
from bot.search.analysis import INDEX_VERSION, card_index_text, index_text
from bot.store import Store
from bot.store.base import DocRef

log = logging.getLogger(__name__)


async def bootstrap(
    store: Store, articles: ArticleService, seeds_dir: Path, data_dir: Path
) -> None:
    await _load_cards(store, data_dir / "cards.toml")
    if await store.get_meta("seeded") is None:
        for path in sorted(seeds_dir.glob("*")):
            if path.is_file():
                outcome = await articles.add_document(
                    path.read_bytes(), path.name, f"seed:{path.name}"
                )
                if outcome.error:
                    log.warning("seed %s not loaded: %s", path.name, outcome.error)
        await store.set_meta("seeded", "1")
        await store.set_meta("index_version", INDEX_VERSION)
    elif await store.get_meta("index_version") != INDEX_VERSION:
        log.info("index version changed: re-indexing articles")
        rows = [
            (i, index_text(t), index_text(b)) for i, t, b in await store.iter_articles_for_index()
        ]
        await store.reindex_articles(rows)
        await store.set_meta("index_version", INDEX_VERSION)
        await store.set_meta("cards_hash", "")
        await _load_cards(store, data_dir / "cards.toml")


async def _load_cards(store: Store, path: Path) -> None:
    """(Re)load the cards when data/cards.toml changed since the last start."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if await store.get_meta("cards_hash") == digest:
        return
    cards = load_cards(path)
    rows = [(c["id"], c["title"], c, c["as_of"], c["source"]) for c in cards]
    index_rows = [(*card_index_text(c), str(DocRef.card(c["id"]))) for c in cards]
    await store.replace_cards(rows, index_rows)
    await store.set_meta("cards_hash", digest)
