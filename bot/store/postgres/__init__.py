"""The shared backend: PostgreSQL through an asyncpg pool, a tsvector index for search.
Several workers (processes, machines) use one database at once."""

from bot.store.postgres.store import PgStore

__all__ = ["PgStore"]
