"""The real servers some tests need: PostgreSQL and Redis on 127.0.0.1.

A test that needs one asks for it through these helpers: when the server is unreachable the
test is skipped with the reason, unless REQUIRE_SERVICES=1 (CI sets it), where it fails —
a CI run that silently skipped the PostgreSQL tests would prove nothing about PostgreSQL.

Each PostgreSQL user gets a database of its own (`fresh_database`), dropped afterwards, so
tests never see each other's rows; each Redis user gets a key prefix of its own
(`redis_namespace`) on database 15, deleted afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator

import pytest

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") not in ("", "0")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def need(name: str, host: str, port: int) -> None:
    """Skip (or, under REQUIRE_SERVICES=1, fail) when `name` does not answer on host:port."""
    if _reachable(host, port):
        return
    reason = f"{name} is not reachable on {host}:{port}"
    if services_required():
        pytest.fail(f"{reason} and REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(reason)


def need_postgres() -> None:
    need("PostgreSQL", "127.0.0.1", 5432)


def need_redis() -> None:
    need("Redis", "127.0.0.1", 6379)


def database_url(name: str) -> str:
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


async def create_database(prefix: str = "bot_test", template: str | None = None) -> str:
    """A new database — empty, or a copy of the database `template` (a URL); its URL."""
    import asyncpg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    source = f'"{template.rpartition("/")[2]}"' if template else "template0 ENCODING 'UTF8'"
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE {source}')
    finally:
        await conn.close()
    return database_url(name)


async def drop_database(url: str) -> None:
    import asyncpg

    name = url.rpartition("/")[2]
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def fresh_database(prefix: str = "bot_test") -> AsyncIterator[str]:
    """A database of its own for one test (or one module), dropped afterwards."""
    need_postgres()
    url = await create_database(prefix)
    try:
        yield url
    finally:
        await drop_database(url)


@contextlib.asynccontextmanager
async def redis_namespace() -> AsyncIterator[tuple[str, str]]:
    """(REDIS_URL, a key prefix of its own); every key under the prefix deleted afterwards."""
    need_redis()
    from redis.asyncio import Redis

    prefix = f"bot-test:{uuid.uuid4().hex[:12]}:"
    try:
        yield REDIS_URL, prefix
    finally:
        client = Redis.from_url(REDIS_URL)
        try:
            keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=500)]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()


def run(coro):  # for synchronous fixtures
    return asyncio.run(coro)
