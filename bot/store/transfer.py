"""`python -m bot migrate-store --from sqlite:///data/bot.sqlite3 --to postgresql://…`.

Moves an embedded deployment's data into PostgreSQL when it outgrows one machine: every
table (articles, events, cards, subscriptions, the outbox, the query log, audit, hand-offs,
ratings, learned phrases, editors, regions, centres, announcements, meta) row by row with
its ids, so references between them (an outbox notice's event, a learned phrase's article)
still hold. The search index is rebuilt on the way: its text — already the analysis
chain's lemmas, the same on both stores — is written to PostgreSQL's index (its `tsvector`
is computed there) and the document frequencies are counted again from it.

Safe to re-run: rows whose key is already there are left alone (ON CONFLICT DO NOTHING),
index rows are replaced, sequences move past the highest id; all of it in one transaction,
so a failure leaves the target as it was. The source is opened as the bot opens it (its
schema brought up to date first) and only read.

Values are converted by the target column's type, read from the catalogue — SQLite keeps
dates and times as text, flags as 0/1 and lists as JSON text.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bot.store.base import index_terms

# Tables in an order that satisfies their foreign keys; the search index comes apart.
TABLES = [
    "meta",
    "articles",
    "cards",
    "events",
    "subscriptions",
    "outbox",
    "query_log",
    "crisis_counter",
    "audit",
    "chat_context",
    "handoffs",
    "handoff_messages",
    "answers",
    "ratings",
    "learned_phrases",
    "review_handled",
    "editors",
    "chat_regions",
    "centre_uploads",
    "centres",
    "broadcasts",
]

# Meta keys that describe one deployment, not its data: the webhook fingerprint (the new
# deployment sets its own webhook) and the change counter (moved, not copied).
_LOCAL_META = {"webhook", "generation"}

BATCH = 2000


class TransferError(Exception):
    """What the person running migrate-store is told, in one line (in Russian, as the
    bot's other messages to its admins)."""


def _utc(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _array(text: Any) -> list[Any]:
    return json.loads(text) if isinstance(text, str) else list(text)


def _json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "date": dt.date.fromisoformat,
    "timestamp with time zone": _utc,
    "time without time zone": _time,
    "boolean": bool,
    "double precision": float,
    "bigint": int,
    "integer": int,
    "json": _json,
    "jsonb": _json,
    "ARRAY": _array,
}


def _converter(data_type: str) -> Callable[[Any], Any]:
    convert = _CONVERT.get(data_type)
    if convert is None:
        return lambda value: value
    return lambda value: None if value is None else convert(value)


def _sqlite_rows(db: sqlite3.Connection, table: str) -> tuple[list[str], Iterator[sqlite3.Row]]:
    # Names from TABLES only. The cards' rowid order is their order on screen; the other
    # tables are read as stored (some have no rowid: WITHOUT ROWID).
    order = " ORDER BY rowid" if table == "cards" else ""
    cur = db.execute(f'SELECT * FROM "{table}"{order}')
    return [d[0] for d in cur.description], iter(cur)


async def migrate_store(source: str, target: str, say: Callable[[str], None] = print) -> None:
    """Copy the SQLite store at `source` into the PostgreSQL store at `target`."""
    from bot.store import is_postgres_url, open_store
    from bot.store.postgres.store import GENERATION_CHANNEL, PgStore

    if not source.startswith("sqlite:///") or source == "sqlite:///":
        raise TransferError("--from — хранилище SQLite: sqlite:///путь/bot.sqlite3")
    if not is_postgres_url(target):
        raise TransferError("--to — адрес PostgreSQL: postgresql://user@host:5432/db")
    path = Path(source.removeprefix("sqlite:///"))
    if not path.is_file():
        raise TransferError(f"нет файла SQLite: {path}")
    # Opening it as the bot does brings an older file's schema up to date (and checks it).
    await (await open_store(path)).close()
    pg = await open_store(target)
    assert isinstance(pg, PgStore)
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        async with pg._pool.acquire() as conn, conn.transaction():
            for table in TABLES:
                added, total = await _copy_table(conn, db, table)
                say(f"{table}: {total} rows, {added} new")
            documents, terms = await _rebuild_index(conn, db)
            say(f"search index: {documents} documents, {terms} terms counted again")
            await _move_sequences(conn)
            value = await conn.fetchval(
                "INSERT INTO meta(key, value) VALUES('generation', '1') ON CONFLICT(key) "
                "DO UPDATE SET value = (meta.value::bigint + 1)::text RETURNING value"
            )
            await conn.execute("SELECT pg_notify($1, $2)", GENERATION_CHANNEL, value)
    finally:
        db.close()
        await pg.close()


async def _target_columns(conn: Any, table: str) -> dict[str, str]:
    rows = await conn.fetch(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER'",
        table,
    )
    return {r["column_name"]: r["data_type"] for r in rows}


async def _copy_table(conn: Any, db: sqlite3.Connection, table: str) -> tuple[int, int]:
    """(rows added, rows in the source) of one table."""
    target = await _target_columns(conn, table)
    names, rows = _sqlite_rows(db, table)
    columns = [n for n in names if n in target]
    extra = ["position"] if table == "cards" and "position" in target else []
    converters = [_converter(target[c]) for c in columns]
    marks = ", ".join(f"${i}" for i in range(1, len(columns) + len(extra) + 1))
    quoted = ", ".join(f'"{c}"' for c in [*columns, *extra])
    sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({marks}) ON CONFLICT DO NOTHING'
    added = total = 0
    batch: list[tuple[Any, ...]] = []

    async def flush() -> int:
        if not batch:
            return 0
        before = await conn.fetchval(f'SELECT count(*) FROM "{table}"')
        await conn.executemany(sql, batch)
        after = await conn.fetchval(f'SELECT count(*) FROM "{table}"')
        batch.clear()
        return int(after - before)

    for row in rows:
        if table == "meta" and row["key"] in _LOCAL_META:
            continue
        values = [convert(row[c]) for c, convert in zip(columns, converters, strict=True)]
        if extra:  # the cards' order, which SQLite keeps as rowid order
            values.append(total)
        batch.append(tuple(values))
        total += 1
        if len(batch) >= BATCH:
            added += await flush()
    added += await flush()
    return added, total


async def _rebuild_index(conn: Any, db: sqlite3.Connection) -> tuple[int, int]:
    """Index rows from the source's index text (replacing any of the same document), then
    every document frequency counted again from the whole index."""
    rows = [
        (r["doc"], r["title"], r["body"])
        for r in db.execute("SELECT doc, title, body FROM search_index")
    ]
    for start in range(0, len(rows), BATCH):
        await conn.executemany(
            "INSERT INTO search_index(doc, title, body) VALUES($1, $2, $3) "
            "ON CONFLICT(doc) DO UPDATE SET title = excluded.title, body = excluded.body",
            rows[start : start + BATCH],
        )
    df: Counter[str] = Counter()
    for record in await conn.fetch("SELECT title, body FROM search_index"):
        df.update(index_terms(record["title"], record["body"]))
    await conn.execute("DELETE FROM term_df")
    await conn.copy_records_to_table("term_df", records=list(df.items()), columns=["term", "df"])
    return len(rows), len(df)


async def _move_sequences(conn: Any) -> None:
    """Identity columns continue after the highest id copied (or a new row would collide)."""
    tables = await conn.fetch(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = "
        "current_schema() AND column_name = 'id' AND is_identity = 'YES'"
    )
    for record in tables:
        table = record["table_name"]
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'coalesce((SELECT max(id) FROM "{table}"), 0) + 1, false)'
        )
