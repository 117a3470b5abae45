"""The embedded backend: one SQLite file (WAL) through aiosqlite, FTS5 for search."""

from bot.store.sqlite.store import AlreadyRunning, Store, run_lock

__all__ = ["AlreadyRunning", "Store", "run_lock"]
