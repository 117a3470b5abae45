"""The store contract: every test here runs once per backend (``test_x[sqlite]``,
``test_x[postgresql]``) against an empty store, and pins what the bot relies on — the same
on both. The SQLite store is the reference.

Each PostgreSQL test gets a database of its own, like `tests.services.fresh_database`'s,
but copied from a template the store has migrated once per session: migrating costs three
times what copying does, and the copy is what a test would see after the migration anyway.

``store`` is the store under test; ``open_another`` opens a second store object on the same
database (another worker or process); ``raw`` runs SQL beneath the contract, for the few
facts no Protocol method shows or sets (an outbox row's error, a question of last month).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.store import Store, open_store
from tests.services import (
    create_database,
    drop_database,
    need_postgres,
    run,
)

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def pg_template() -> Iterator[dict[str, str]]:
    """The URL of a migrated, otherwise empty database (made when first needed), dropped at
    the end of the session."""
    made: dict[str, str] = {}
    yield made
    if "url" in made:
        run(drop_database(made["url"]))


@contextlib.asynccontextmanager
async def fresh_store_database(template: dict[str, str]) -> AsyncIterator[str]:
    """A new database copied from the migrated template (skipped, or failed under
    REQUIRE_SERVICES=1, when PostgreSQL is unreachable); dropped afterwards."""

    need_postgres()
    if "url" not in template:
        url = await create_database("bot_contract_template")
        try:
            migrated = await open_store(url)
            await migrated.close()
        except BaseException:
            await drop_database(url)
            raise
        template["url"] = url
    url = await create_database("bot_contract", template=template["url"])
    try:
        yield url
    finally:
        await drop_database(url)


@pytest.fixture
async def store_target(
    backend: str, tmp_path: Path, pg_template: dict[str, str]
) -> AsyncIterator[Path | str]:
    """What `open_store` is given: a SQLite path, or the URL of a fresh PostgreSQL
    database."""
    if backend == "sqlite":
        yield tmp_path / "s.sqlite3"
    else:
        async with fresh_store_database(pg_template) as url:
            yield url


@pytest.fixture
async def store(store_target: Path | str) -> AsyncIterator[Store]:
    opened = await open_store(store_target)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def open_another(store_target: Path | str) -> AsyncIterator[Callable[[], Awaitable[Store]]]:
    """A factory of further store objects on the same database, closed afterwards."""
    opened: list[Store] = []

    async def factory() -> Store:
        other = await open_store(store_target)
        opened.append(other)
        return other

    yield factory
    for other in opened:
        await other.close()


@pytest.fixture
def raw(store_target: Path | str) -> Callable[[str], Awaitable[list[tuple[Any, ...]]]]:
    """Run one SQL statement (no parameters) on the store's database, beneath the
    contract: to read what no Protocol method shows (an outbox row's error) or to write
    what the store only writes with the clock's time (a question of last month)."""

    async def query(sql: str) -> list[tuple[Any, ...]]:
        if isinstance(store_target, Path):

            def execute() -> list[tuple[Any, ...]]:
                conn = sqlite3.connect(store_target)
                try:
                    rows = [tuple(r) for r in conn.execute(sql).fetchall()]
                    conn.commit()
                    return rows
                finally:
                    conn.close()

            return await asyncio.to_thread(execute)
        import asyncpg

        conn = await asyncpg.connect(store_target)
        try:
            return [tuple(r) for r in await conn.fetch(sql)]
        finally:
            await conn.close()

    return query
