"""The embedded backend: one SQLite file (WAL) through aiosqlite, FTS5 for search."""

from bot.store.sqlite.store import AlreadyRunning, SqliteStore, run_lock

__all__ = ["AlreadyRunning", "SqliteStore", "run_lock"]
