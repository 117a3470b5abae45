"""PostgreSQL and Redis for the benchmark: reachability, cached PostgreSQL stores.

The PostgreSQL stores are made from the cached SQLite ones with the project's own
`bot.store.transfer.migrate_store` (what `python -m bot migrate-store` runs), into a
database per size (`bench_pg_10000`), then VACUUM ANALYZE (what autovacuum would do after
a bulk load, done at once so the planner has statistics from the first query). A table
`bench_marker` in that database records which SQLite store it was made from (store key
and build), the PostgreSQL schema version; a database whose marker
matches is reused, anything else (no marker: a build that did not finish) is dropped and
built again, as is every one with `--rebuild`. The marker also holds a hash of the
migrations and of the transfer code: a change to either rebuilds.

Servers: BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres, a
database to connect to for CREATE/DROP DATABASE) and BENCH_REDIS_URL (default
redis://127.0.0.1:6379/14; every run uses a key prefix of its own and deletes it after).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def database_url(name: str) -> str:
    base, _, _ = ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


async def _admin() -> Any:
    import asyncpg  # type: ignore[import-untyped]

    return await asyncpg.connect(ADMIN_URL, timeout=5)


async def postgres_problem() -> str | None:
    """None when PostgreSQL answers at ADMIN_URL; else why not, in one line."""
    try:
        import asyncpg  # noqa: F401  # type: ignore[import-untyped]
    except ImportError as exc:
        return f"asyncpg is not installed ({exc})"
    try:
        conn = await _admin()
    except Exception as exc:  # refused, timed out, auth: all mean "skip"
        return f"PostgreSQL unreachable at {ADMIN_URL}: {exc.__class__.__name__}: {exc}"
    try:
        await conn.fetchval("SELECT 1")
    finally:
        await conn.close()
    return None


async def redis_problem() -> str | None:
    try:
        from redis.asyncio import Redis
    except ImportError as exc:
        return f"redis is not installed ({exc})"
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=3, socket_timeout=3)
    try:
        await client.ping()
    except Exception as exc:
        return f"Redis unreachable at {REDIS_URL}: {exc.__class__.__name__}: {exc}"
    finally:
        await client.aclose()
    return None


async def drop_database(name: str) -> None:
    conn = await _admin()
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def create_database(name: str, template: str = "template0") -> str:
    """A new database `name` (dropped first if it exists), copied from `template`; its URL."""
    conn = await _admin()
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\" ENCODING 'UTF8'")
    finally:
        await conn.close()
    return database_url(name)


async def _exists(name: str) -> bool:
    conn = await _admin()
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname=$1", name))
    finally:
        await conn.close()


def source_marker(sqlite_path: Path) -> dict[str, Any]:
    """What a cached database was made from: the SQLite store (its name is its store key;
    its build — the JSON sidecar bench.build writes once per build, since the file's own
    mtime moves whenever the bot opens it), the PostgreSQL schema (every migration's text:
    the store is new, its first migration may still change) and the transfer code."""
    import hashlib
    import inspect

    from bot.store import transfer
    from bot.store.postgres.migrations import MIGRATIONS

    sidecar = sqlite_path.with_suffix(".json")
    build = sidecar.read_bytes() if sidecar.exists() else str(sqlite_path.stat().st_size).encode()
    code = "\n".join(MIGRATIONS) + inspect.getsource(transfer)
    return {"sqlite": sqlite_path.name, "build": hashlib.sha256(build).hexdigest()[:12],
            "pg_schema": len(MIGRATIONS),
            "code": hashlib.sha256(code.encode()).hexdigest()[:12]}


async def _read_marker(url: str) -> dict[str, Any] | None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(url, timeout=5)
    try:
        if not await conn.fetchval("SELECT to_regclass('bench_marker') IS NOT NULL"):
            return None
        row = await conn.fetchrow("SELECT source, info FROM bench_marker")
        return {"source": json.loads(row["source"]), "info": json.loads(row["info"])} if row \
            else None
    finally:
        await conn.close()


async def cached_pg_store(size: int, sqlite_path: Path, rebuild: bool = False,
                          say: Any = print) -> tuple[str, dict[str, Any], bool]:
    """(URL, build info, built now?) of the PostgreSQL copy of the SQLite store `sqlite_path`."""
    import asyncpg  # type: ignore[import-untyped]

    from bot.store.transfer import migrate_store

    name = f"bench_pg_{size}"
    url = database_url(name)
    marker = source_marker(sqlite_path)
    if not rebuild and await _exists(name):
        found = await _read_marker(url)
        if found is not None and found["source"] == marker:
            return url, found["info"], False
    await create_database(name)
    lines: list[str] = []
    t0 = time.perf_counter()
    await migrate_store(f"sqlite:///{sqlite_path}", url, lines.append)
    migrate_s = time.perf_counter() - t0
    conn = await asyncpg.connect(url)
    try:
        t1 = time.perf_counter()
        await conn.execute("VACUUM ANALYZE")
        vacuum_s = time.perf_counter() - t1
        info = {"migrate_s": migrate_s, "vacuum_analyze_s": vacuum_s,
                "seconds": migrate_s + vacuum_s, "log": lines,
                "db_mb": await conn.fetchval("SELECT pg_database_size(current_database())") / 1e6}
        await conn.execute("CREATE TABLE bench_marker (source TEXT NOT NULL, info TEXT NOT NULL)")
        await conn.execute("INSERT INTO bench_marker VALUES($1, $2)", json.dumps(marker),
                           json.dumps(info))
    finally:
        await conn.close()
    say(f"  postgres {size}: migrate_store {migrate_s:.1f} s, VACUUM ANALYZE {vacuum_s:.1f} s")
    return url, info, True


async def copy_pg_store(template_url: str, name: str) -> str:
    """A scratch copy of a cached database (CREATE DATABASE … TEMPLATE): the e2e runs write
    to the store (query log, context), and each starts from the same state."""
    return await create_database(name, template=template_url.rpartition("/")[2])


def redis_prefix() -> str:
    return f"bench:{uuid.uuid4().hex[:12]}"


async def drop_redis_prefix(prefix: str) -> int:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=1000)]
        if keys:
            await client.delete(*keys)
        return len(keys)
    finally:
        await client.aclose()


if __name__ == "__main__":
    import sys

    from bench.build import cached_store

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    path, _, _ = cached_store(size, 1)
    print(asyncio.run(cached_pg_store(size, path, rebuild="--rebuild" in sys.argv)))
