"""Persistence behind an interface: `Store` (the Protocols of `bot.store.base`) and
`open_store`, which opens the configured backend. Only `bot/store/` writes SQL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from bot.store.base import Store


class StoreUnavailable(RuntimeError):
    """The configured database cannot be reached or opened (said in one line at start)."""


def is_postgres_url(target: Path | str) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


async def open_store(target: Path | str, pool_size: int = 10) -> Store:
    """The store `target` names: a PostgreSQL URL (`postgresql://…`, several workers share
    it), else a SQLite file path or `sqlite:///path` — the embedded default, nothing to run.
    Each backend is imported only when chosen."""
    if is_postgres_url(target):
        import asyncpg

        from bot.store.postgres import PgStore

        try:
            return await PgStore.open(str(target), pool_size=pool_size)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            where = urlsplit(str(target))
            raise StoreUnavailable(
                f"PostgreSQL {where.hostname}:{where.port or 5432}{where.path}: "
                f"{exc.__class__.__name__}: {exc}"
            ) from exc
    from bot.store.sqlite import SqliteStore

    if isinstance(target, str):
        target = target.removeprefix("sqlite:///")
    return await SqliteStore.open(target)


__all__ = ["Store", "StoreUnavailable", "is_postgres_url", "open_store"]
