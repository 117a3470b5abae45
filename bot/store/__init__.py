"""Persistence behind an interface: `Store` (the Protocols of `bot.store.base`) and
`open_store`, which opens the configured backend. Only `bot/store/` writes SQL."""

from __future__ import annotations

from pathlib import Path

from bot.store.base import Store


async def open_store(path: Path | str) -> Store:
    """The store at `path`: SQLite, the embedded default (one file, nothing to run)."""
    from bot.store.sqlite import SqliteStore

    return await SqliteStore.open(path)


__all__ = ["Store", "open_store"]
