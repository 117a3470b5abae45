"""Persistence: one SQLite file (WAL) behind the `Store` class."""

from bot.store.sqlite.store import Store

__all__ = ["Store"]
