"""Persistence: one SQLite file (WAL) behind the `Store` class."""

from bot.store.sqlite import Store

__all__ = ["Store"]
