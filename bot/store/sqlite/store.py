"""The SQLite store (aiosqlite, WAL). All SQL of the application lives here.

Writes that belong together (an article, its events and its index rows) run in
one transaction: a failure anywhere rolls all of it back.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store.base import (
    AnswerRow,
    ArticleRow,
    BroadcastRow,
    CentreRow,
    Counted,
    DocRef,
    EditorRow,
    EventFacts,
    EventRow,
    HandledMark,
    HandoffRow,
    IndexMatch,
    NewArticle,
    OutboxRow,
    Outgoing,
    RatingCount,
    ReviewRow,
    SavedCentres,
    TermQuery,
    WeekShare,
    broadcast_key,
    index_terms,
)
from bot.store.sqlite.migrations import MIGRATIONS


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _utc(unix: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(unix, dt.UTC)


def _article(row: aiosqlite.Row) -> ArticleRow:
    return ArticleRow(
        id=row["id"],
        title=row["title"],
        published=dt.date.fromisoformat(row["published"]) if row["published"] else None,
        source_url=row["source_url"],
        places=json.loads(row["places"]),
        summary=row["summary"],
        body=row["body"],
        origin=row["origin"],
        created_at=row["created_at"],
        source_name=row["source_name"],
    )


def _event(row: aiosqlite.Row) -> EventRow:
    keys = row.keys()
    return EventRow(
        id=row["id"],
        article_id=row["article_id"],
        kind=row["kind"],
        title=row["title"],
        start=dt.date.fromisoformat(row["start_date"]),
        end=dt.date.fromisoformat(row["end_date"]),
        time=row["start_time"],
        place=row["place"],
        sentence=row["sentence"],
        status=row["status"],
        article_title=row["article_title"] if "article_title" in keys else "",
        source_url=row["source_url"] if "source_url" in keys else None,
    )


log = logging.getLogger(__name__)

CHECKPOINT_EVERY = 2.0  # seconds between checkpoints of the WAL, when something was written

_EVENT_SELECT = """
    SELECT e.*, a.title AS article_title, a.source_url AS source_url
    FROM events e JOIN articles a ON a.id = e.article_id
"""


_INSERT_ARTICLE = (
    "INSERT INTO articles(id, title, published, source_url, places, summary, body,"
    " content_hash, origin, fmt, created_at, source_name)"
    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?)"
)
_INSERT_EVENT = (
    "INSERT INTO events(article_id, kind, title, start_date, end_date, start_time,"
    " place, sentence, status) VALUES(?,?,?,?,?,?,?,?,?)"
)


def _article_values(article_id: int, article: NewArticle) -> tuple[Any, ...]:
    return (
        article_id,
        article.title,
        article.published.isoformat() if article.published else None,
        article.source_url,
        json.dumps(list(article.places), ensure_ascii=False),
        article.summary,
        article.body,
        article.content_hash,
        article.origin,
        article.fmt,
        _now(),
        article.source_name,
    )


def _event_values(article_id: int, events: Iterable[EventFacts]) -> list[tuple[Any, ...]]:
    return [
        (
            article_id,
            e.kind,
            e.title,
            e.start.isoformat(),
            e.end.isoformat(),
            e.time.strftime("%H:%M") if e.time else None,
            e.place,
            e.sentence,
            e.status,
        )
        for e in events
    ]


def _fts_string(term: str) -> str:
    """A word or a phrase as an FTS5 string: quotes dropped, so no text is ever syntax."""
    return '"' + term.replace('"', "") + '"'


async def _index_insert(
    db: aiosqlite.Connection, rowid: int, title: str, body: str, doc: str
) -> None:
    """One index row, and its terms counted in term_df (same transaction as the caller)."""
    await db.execute(
        "INSERT INTO search_index(rowid, title, body, doc) VALUES(?,?,?,?)",
        (rowid, title, body, doc),
    )
    await db.executemany(
        "INSERT INTO term_df(term, df) VALUES(?, 1) ON CONFLICT(term) DO UPDATE SET df=df+1",
        [(t,) for t in sorted(index_terms(title, body))],
    )


async def _index_delete(db: aiosqlite.Connection, rowid: int) -> None:
    """Remove an index row by rowid (fast, unlike a scan on the UNINDEXED doc column)."""
    async with db.execute("SELECT title, body FROM search_index WHERE rowid=?", (rowid,)) as cur:
        row = await cur.fetchone()
    if row is None:
        return
    terms = [(t,) for t in sorted(index_terms(row[0], row[1]))]
    await db.executemany("UPDATE term_df SET df=df-1 WHERE term=?", terms)
    await db.executemany("DELETE FROM term_df WHERE term=? AND df<=0", terms)
    await db.execute("DELETE FROM search_index WHERE rowid=?", (rowid,))


async def _reserve_id(db: aiosqlite.Connection, table: str, count: int = 1) -> int:
    """A new id for `table` that no row ever had (see migration 12): one step, so two
    writers never get the same one; an id reserved and not used is just a gap. With
    `count`, that many consecutive ids (the first returned): the ones `count` reservations
    in a row would give, each id used before the next is reserved."""
    async with db.execute(
        "INSERT INTO id_floor(tbl, last) VALUES(?1, "
        f" (SELECT coalesce(max(id), 0) FROM {table}) + ?2) "
        "ON CONFLICT(tbl) DO UPDATE SET last = "
        f" max(last, (SELECT coalesce(max(id), 0) FROM {table})) + ?2 "
        "RETURNING last",
        (table, count),
    ) as cur:
        row = await cur.fetchone()
    assert row is not None
    return int(row[0]) - count + 1


def _checkpoint(path: Path) -> None:
    """One PASSIVE checkpoint of the WAL on a short-lived connection of its own (a thread's:
    opening one costs ~50 µs, every CHECKPOINT_EVERY seconds at most)."""
    try:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            conn.close()
    except sqlite3.Error as exc:  # busy, locked, gone: the next round tries again
        log.debug("checkpoint deferred: %s", exc)


class AlreadyRunning(RuntimeError):
    """Another `python -m bot run` holds this database."""


@contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `<database>.lock` for as long as the bot runs.

    Two `run` processes on one SQLite file both drained the outbox: 46 of 50 notifications
    went out twice. A second `run` refuses to start instead. (`ingest` and `chat` do not
    take it: they may run beside the bot.) The lock is the OS's (flock), so it is released
    when the process dies, even by kill -9."""
    lock_path = Path(f"{path}.lock")
    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(
                f"another bot is already running on {path} (lock {lock_path})"
            ) from None
        yield
    finally:
        os.close(fd)


async def _bump_generation(db: aiosqlite.Connection) -> None:
    """Count a change of the searchable content, inside the transaction that makes it.

    `python -m bot ingest` writes from another process while the bot runs; the bot's
    in-memory vocabulary would not know the new words until a restart. Every process
    compares this number before searching and reloads when another one changed it."""
    await db.execute(
        "INSERT INTO meta(key, value) VALUES('generation', '1') "
        "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
    )


class SqliteStore:
    """One connection to one SQLite file; create with `await SqliteStore.open(path)`."""

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        # One connection is shared by every task: updates are handled concurrently, and
        # two BEGINs on one connection fail («cannot start a transaction within a
        # transaction») or one task's ROLLBACK undoes another's write. Writers take turns;
        # reads outside a transaction don't wait.
        self._write_lock = asyncio.Lock()
        self._named_locks: dict[str, asyncio.Lock] = {}
        # The WAL is copied back into the database file by a task of its own (see
        # `_checkpoints`), not by whichever write happens to fill it.
        self._writes = 0
        self._checkpointer: asyncio.Task | None = None

    @classmethod
    async def open(cls, path: Path | str) -> SqliteStore:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
            # Questions, subscribers and the audit log are private: owner-only. SQLite
            # creates the -wal and -shm files with the database file's permissions.
            os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
            os.chmod(path, 0o600)
        db = await aiosqlite.connect(path, isolation_level=None)
        db.row_factory = aiosqlite.Row
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
        await db.execute("PRAGMA foreign_keys=ON")
        await db.execute("PRAGMA busy_timeout=5000")
        store = cls(db, path)
        await store._migrate()
        if str(path) != ":memory:":
            await db.execute("PRAGMA wal_autocheckpoint=0")
            store._checkpointer = asyncio.create_task(store._checkpoints(path))
        return store

    async def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checkpointer
        await self._db.close()  # the last connection to close checkpoints what is left

    async def _checkpoints(self, path: Path) -> None:
        """Copy the WAL back into the database file every CHECKPOINT_EVERY seconds when
        something was written, on a connection of its own in a thread.

        SQLite's automatic checkpoint runs inside the commit that fills 1,000 pages of WAL:
        with a query-log row per question that is one answer in ~250 waiting ~50 ms at 10k
        articles, and every other read of the shared connection waiting behind it. A
        PASSIVE checkpoint from another connection runs beside the readers and the writer
        and never waits for them; what a reader still uses is copied next time."""
        done = 0
        while True:
            await asyncio.sleep(CHECKPOINT_EVERY)
            if self._writes == done:
                continue
            done = self._writes
            call = asyncio.ensure_future(asyncio.to_thread(_checkpoint, path))
            try:
                await asyncio.shield(call)
            except asyncio.CancelledError:
                await call  # closing: the thread finishes with its own connection first
                raise

    async def _migrate(self) -> None:
        version = await self._scalar("PRAGMA user_version")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            await self._db.executescript(
                f"BEGIN;\n{script}\nPRAGMA user_version={number};\nCOMMIT;"
            )

    async def schema_version(self) -> int:
        return await self._scalar("PRAGMA user_version")

    async def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of a query that always gives one row (count(*), PRAGMA …)."""
        async with self._db.execute(sql, params) as cur:
            row = await cur.fetchone()
        assert row is not None, sql
        return row[0]

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Cursor:
        """One statement that writes, in its own turn: outside the lock it would run inside
        whichever task's transaction happens to be open on the shared connection, and be
        rolled back with it."""
        async with self._write_lock:
            self._writes += 1
            return await self._db.execute(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception; one writer at a time."""
        async with self._write_lock:
            self._writes += 1
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")

    # ---- meta -------------------------------------------------------------------------
    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[None]:
        lock = self._named_locks.setdefault(name, asyncio.Lock())
        async with lock:
            yield

    async def generation(self) -> int:
        """How many times the searchable content changed, by any process (see
        `_bump_generation`): a running bot compares it before searching."""
        async with self._db.execute("SELECT value FROM meta WHERE key='generation'") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def get_meta(self, key: str) -> str | None:
        async with self._db.execute("SELECT value FROM meta WHERE key=?", (key,)) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def set_meta(self, key: str, value: str) -> None:
        await self._write(
            "INSERT INTO meta(key, value) VALUES(?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (key, value),
        )

    # ---- articles ---------------------------------------------------------------------
    async def add_article(self, article: NewArticle, events: Iterable[EventFacts]) -> int:
        """Store an article, its events and its index row in one transaction; return its id."""
        async with self.transaction() as db:
            await _bump_generation(db)
            article_id = await _reserve_id(db, "articles")
            await db.execute(_INSERT_ARTICLE, _article_values(article_id, article))
            await db.executemany(_INSERT_EVENT, _event_values(article_id, events))
            await _index_insert(
                db,
                article_id,
                article.index_title,
                article.index_body,
                str(DocRef.article(article_id)),
            )
        return article_id

    async def add_articles(
        self, items: Sequence[tuple[NewArticle, Sequence[EventFacts]]]
    ) -> list[int]:
        """Several articles in one transaction, as `add_article` would store each in turn
        (the same ids, rows and term_df), with a statement per kind of row, not per row."""
        if not items:
            return []
        async with self.transaction() as db:
            await _bump_generation(db)
            first = await _reserve_id(db, "articles", len(items))
            ids = list(range(first, first + len(items)))
            await db.executemany(
                _INSERT_ARTICLE,
                [_article_values(i, article) for i, (article, _) in zip(ids, items, strict=True)],
            )
            await db.executemany(
                _INSERT_EVENT,
                [
                    row
                    for i, (_, events) in zip(ids, items, strict=True)
                    for row in _event_values(i, events)
                ],
            )
            await db.executemany(
                "INSERT INTO search_index(rowid, title, body, doc) VALUES(?,?,?,?)",
                [
                    (i, article.index_title, article.index_body, str(DocRef.article(i)))
                    for i, (article, _) in zip(ids, items, strict=True)
                ],
            )
            counts = Counter(
                term
                for article, _ in items
                for term in index_terms(article.index_title, article.index_body)
            )
            await db.executemany(
                "INSERT INTO term_df(term, df) VALUES(?, ?)"
                " ON CONFLICT(term) DO UPDATE SET df=df+excluded.df",
                sorted(counts.items()),
            )
        return ids

    async def article_id_by_hash(self, content_hash: str) -> int | None:
        async with self._db.execute(
            "SELECT id FROM articles WHERE content_hash=?", (content_hash,)
        ) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def get_article(self, article_id: int) -> ArticleRow | None:
        async with self._db.execute("SELECT * FROM articles WHERE id=?", (article_id,)) as cur:
            row = await cur.fetchone()
        return _article(row) if row else None

    async def get_articles(self, ids: Sequence[int]) -> dict[int, ArticleRow]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        async with self._db.execute(
            f"SELECT * FROM articles WHERE id IN ({marks})", tuple(ids)
        ) as cur:
            return {row["id"]: _article(row) for row in await cur.fetchall()}

    async def list_articles(self, offset: int = 0, limit: int = 10) -> list[ArticleRow]:
        async with self._db.execute(
            "SELECT * FROM articles ORDER BY id DESC LIMIT ? OFFSET ?", (limit, offset)
        ) as cur:
            return [_article(r) for r in await cur.fetchall()]

    async def event_counts(self, article_ids: Sequence[int]) -> dict[int, int]:
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        async with self._db.execute(
            f"SELECT article_id, count(*) AS n FROM events WHERE article_id IN ({marks})"
            " GROUP BY article_id",
            tuple(article_ids),
        ) as cur:
            return {row["article_id"]: row["n"] for row in await cur.fetchall()}

    async def count(self, what: Counted) -> int:
        table = {"articles": "articles", "events": "events"}[what]  # never text from outside
        return await self._scalar(f"SELECT count(*) FROM {table}")

    async def delete_article(self, article_id: int) -> bool:
        """Remove an article with its events, index row and pending notifications."""
        async with self.transaction() as db:
            await _bump_generation(db)
            cur = await db.execute("DELETE FROM articles WHERE id=?", (article_id,))
            if cur.rowcount == 0:
                return False
            await _index_delete(db, article_id)
        return True

    async def iter_articles_for_index(self) -> list[tuple[int, str, str]]:
        async with self._db.execute("SELECT id, title, body FROM articles") as cur:
            return [(r[0], r[1], r[2]) for r in await cur.fetchall()]

    # ---- cards ------------------------------------------------------------------------
    async def replace_cards(
        self,
        cards: Sequence[tuple[str, str, dict, str, str]],
        index_rows: Sequence[tuple[str, str, str]],
    ) -> None:
        """Replace every card and its index rows: (id, title, data, as_of, source).

        Cards sit in the index under negative rowids, so articles can use their own ids.
        """
        async with self.transaction() as db:
            await _bump_generation(db)
            await db.execute("DELETE FROM cards")
            async with db.execute("SELECT rowid FROM search_index WHERE rowid < 0") as cur:
                old = [r[0] for r in await cur.fetchall()]
            for rowid in old:
                await _index_delete(db, rowid)
            await db.executemany(
                "INSERT INTO cards(id, title, data, as_of, source) VALUES(?,?,?,?,?)",
                [(c[0], c[1], json.dumps(c[2], ensure_ascii=False), c[3], c[4]) for c in cards],
            )
            for number, (title, body, doc) in enumerate(index_rows, start=1):
                await _index_insert(db, -number, title, body, doc)

    async def get_cards(self) -> dict[str, dict]:
        async with self._db.execute("SELECT id, data FROM cards") as cur:
            return {r[0]: json.loads(r[1]) for r in await cur.fetchall()}

    # ---- search index -----------------------------------------------------------------
    async def reindex_articles(self, rows: Sequence[tuple[int, str, str]]) -> None:
        """Rebuild the article rows of the index from (article id, index title, index body)."""
        async with self.transaction() as db:
            await _bump_generation(db)
            await db.execute("DELETE FROM search_index WHERE rowid >= 0")
            await db.executemany(
                "INSERT INTO search_index(rowid, title, body, doc) VALUES(?,?,?,?)",
                [(i, title, body, str(DocRef.article(i))) for i, title, body in rows],
            )
            await db.execute("DELETE FROM term_df")
            await db.execute("INSERT INTO term_df(term, df) SELECT term, doc FROM search_vocab")

    async def match(
        self, query: TermQuery, limit: int, title_weight: float = 5.0
    ) -> list[IndexMatch]:
        """The index rows holding the query's terms, ranked by bm25 (lower is better)."""
        joiner = " AND " if query.require_all else " OR "
        expression = joiner.join(_fts_string(t) for t in query.terms)
        # Rank first, then read the text of the few rows kept: selecting title and body in
        # the ranking query made SQLite carry the text of every match (thousands of rows
        # for a common word) through the sort — 43 % of an answer's CPU (issue #17).
        async with self._db.execute(
            "SELECT s.doc, r.rank, s.title, s.body FROM ("
            " SELECT rowid, bm25(search_index, ?, 1.0) AS rank FROM search_index"
            " WHERE search_index MATCH ? ORDER BY rank, rowid LIMIT ?"
            ") AS r JOIN search_index AS s ON s.rowid = r.rowid ORDER BY r.rank, r.rowid",
            (title_weight, expression, limit),
        ) as cur:
            rows = await cur.fetchall()
        return [IndexMatch(doc, r[1], r[2], r[3]) for r in rows if (doc := DocRef.parse(r[0]))]

    async def vocabulary(self) -> dict[str, int]:
        """Every indexed term with the number of documents holding it (kept in term_df)."""
        async with self._db.execute("SELECT term, df FROM term_df") as cur:
            return {r[0]: r[1] for r in await cur.fetchall()}

    async def document_count(self) -> int:
        """Documents in the index: every article and card has exactly one row."""
        return await self._scalar(
            "SELECT (SELECT count(*) FROM articles) + (SELECT count(*) FROM cards)"
        )

    # ---- events -----------------------------------------------------------------------
    async def events_from(self, day: dt.date, limit: int = 200) -> list[EventRow]:
        """Events that have not ended before `day`, soonest first."""
        async with self._db.execute(
            # `+e.start_date`: sort the events not yet over (found by end date) rather than
            # walk every event in start order, past ones first (migration 13)
            _EVENT_SELECT + " WHERE e.end_date >= ? AND e.status != 'planned' "
            "ORDER BY +e.start_date, e.id LIMIT ?",
            (day.isoformat(), limit),
        ) as cur:
            return [_event(r) for r in await cur.fetchall()]

    async def events_before(self, day: dt.date, limit: int = 50) -> list[EventRow]:
        async with self._db.execute(
            _EVENT_SELECT + " WHERE e.end_date < ? AND e.status != 'planned' "
            "ORDER BY e.end_date DESC, e.id DESC LIMIT ?",
            (day.isoformat(), limit),
        ) as cur:
            return [_event(r) for r in await cur.fetchall()]

    async def planned_events(self, today: dt.date, within_days: int = 366) -> list[EventRow]:
        """Next stops announced without dates, from articles of the last year (an older
        plan has either happened or been dropped)."""
        since = (today - dt.timedelta(days=within_days)).isoformat()
        async with self._db.execute(
            _EVENT_SELECT + " WHERE e.status = 'planned' AND e.start_date >= ? "
            "ORDER BY e.start_date DESC, e.id LIMIT 50",
            (since,),
        ) as cur:
            return [_event(r) for r in await cur.fetchall()]

    async def events_of_article(self, article_id: int) -> list[EventRow]:
        async with self._db.execute(
            _EVENT_SELECT + " WHERE e.article_id=? ORDER BY e.start_date", (article_id,)
        ) as cur:
            return [_event(r) for r in await cur.fetchall()]

    async def get_event(self, event_id: int) -> EventRow | None:
        async with self._db.execute(_EVENT_SELECT + " WHERE e.id=?", (event_id,)) as cur:
            row = await cur.fetchone()
        return _event(row) if row else None

    async def events_starting_between(self, first: dt.date, last: dt.date) -> list[EventRow]:
        async with self._db.execute(
            _EVENT_SELECT + " WHERE e.start_date BETWEEN ? AND ? AND e.status != 'planned' "
            "ORDER BY e.start_date",
            (first.isoformat(), last.isoformat()),
        ) as cur:
            return [_event(r) for r in await cur.fetchall()]

    # ---- subscriptions ----------------------------------------------------------------
    async def subscribe(self, chat_id: int, topic: str) -> bool:
        """Subscribe (or re-activate); False when it was already active. One statement, so
        a double tap (two updates at once) subscribes once and says «Готово» once."""
        cur = await self._write(
            "INSERT INTO subscriptions(chat_id, topic, active, created_at) VALUES(?,?,1,?) "
            "ON CONFLICT(chat_id, topic) DO UPDATE SET active=1 WHERE active=0",
            (chat_id, topic, _now()),
        )
        return cur.rowcount == 1

    async def unsubscribe(self, chat_id: int) -> int:
        cur = await self._write(
            "UPDATE subscriptions SET active=0 WHERE chat_id=? AND active=1", (chat_id,)
        )
        return cur.rowcount

    async def deactivate_chat(self, chat_id: int) -> None:
        await self.unsubscribe(chat_id)
        await self._write(
            "UPDATE outbox SET status='dropped', error='blocked' "
            "WHERE chat_id=? AND status IN ('pending', 'sending')",
            (chat_id,),
        )

    async def active_subscriptions(self) -> list[tuple[int, str]]:
        async with self._db.execute(
            "SELECT chat_id, topic FROM subscriptions WHERE active=1 ORDER BY id"
        ) as cur:
            return [(r[0], r[1]) for r in await cur.fetchall()]

    async def subscriptions_of(self, chat_id: int) -> list[str]:
        async with self._db.execute(
            "SELECT topic FROM subscriptions WHERE chat_id=? AND active=1", (chat_id,)
        ) as cur:
            return [r[0] for r in await cur.fetchall()]

    async def count_subscribers(self) -> int:
        return await self._scalar(
            "SELECT count(DISTINCT chat_id) FROM subscriptions WHERE active=1"
        )

    # ---- outbox -----------------------------------------------------------------------
    async def enqueue(self, items: Iterable[Outgoing]) -> int:
        """Queue messages; dedupe keys already queued are skipped. Returns how many were new."""
        rows = [(o.chat_id, o.text, o.notice, o.dedupe_key, o.event_id, _now()) for o in items]
        async with self.transaction() as db:
            before = db.total_changes
            await db.executemany(
                "INSERT OR IGNORE INTO outbox(chat_id, text, notice, dedupe_key, event_id,"
                " created_at) VALUES(?,?,?,?,?,?)",
                rows,
            )
            return db.total_changes - before

    async def claim_outbox(
        self, sender: str, now: float, lease: float, limit: int = 50
    ) -> list[OutboxRow]:
        """Due rows nobody holds, claimed by `sender` until `now + lease`, oldest first.
        Rows a dead sender left 'sending' past their lease are failed first (unknown
        outcome: never resent). One writer at a time, so two senders never claim a row."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE outbox SET status='failed', claimed_by=NULL, "
                "error='unknown outcome: the sender stopped mid-send; not resent' "
                "WHERE status='sending' AND claimed_until < ?",
                (now,),
            )
            async with db.execute(
                "UPDATE outbox SET claimed_by=?, claimed_until=? WHERE id IN ("
                " SELECT id FROM outbox WHERE status='pending' AND not_before <= ?"
                " AND claimed_until < ? ORDER BY id LIMIT ?) "
                "RETURNING id, chat_id, text, markup, attempts, notice, event_id",
                (sender, now + lease, now, now, limit),
            ) as cur:
                rows = await cur.fetchall()
        return sorted(
            (
                OutboxRow(r[0], r[1], r[2], json.loads(r[3]) if r[3] else None, r[4], r[5], r[6])
                for r in rows
            ),
            key=lambda row: row.id,
        )

    async def start_sending(self, outbox_id: int, sender: str, now: float, lease: float) -> bool:
        cur = await self._write(
            "UPDATE outbox SET status='sending', claimed_until=? "
            "WHERE id=? AND claimed_by=? AND status='pending'",
            (now + lease, outbox_id, sender),
        )
        return cur.rowcount == 1

    async def release_claims(self, sender: str) -> int:
        cur = await self._write(
            "UPDATE outbox SET claimed_by=NULL, claimed_until=0 "
            "WHERE claimed_by=? AND status='pending'",
            (sender,),
        )
        return cur.rowcount

    async def mark_sent(self, outbox_id: int) -> None:
        await self._write(
            "UPDATE outbox SET status='sent', sent_at=?, attempts=attempts+1, claimed_by=NULL "
            "WHERE id=?",
            (_now(), outbox_id),
        )

    async def mark_retry(
        self, outbox_id: int, not_before: float, error: str, give_up: bool = False
    ) -> None:
        await self._write(
            "UPDATE outbox SET attempts=attempts+1, not_before=?, error=?, status=?, "
            "claimed_by=NULL, claimed_until=0 WHERE id=?",
            (not_before, error, "failed" if give_up else "pending", outbox_id),
        )

    async def postpone_chat(self, chat_id: int, not_before: float) -> None:
        """Hold every pending item of one chat until `not_before`: that chat's own backoff,
        so the sender does not try its other items meanwhile (and others are not held)."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE outbox SET not_before=max(not_before, ?) "
                "WHERE chat_id=? AND status='pending'",
                (not_before, chat_id),
            )

    async def move_chat(self, old: int, new: int) -> None:
        """A group became a supergroup (new id): its subscriptions and pending items follow.

        A topic the new chat already subscribed to keeps the new chat's row. Dedupe keys
        keep the id the item was planned for."""
        async with self.transaction() as db:
            await db.execute(
                "UPDATE OR IGNORE subscriptions SET chat_id=? WHERE chat_id=?", (new, old)
            )
            await db.execute("DELETE FROM subscriptions WHERE chat_id=?", (old,))
            await db.execute(
                "UPDATE outbox SET chat_id=? WHERE chat_id=? AND status IN ('pending', 'sending')",
                (new, old),
            )

    async def outbox_counts(self) -> dict[str, int]:
        async with self._db.execute("SELECT status, count(*) FROM outbox GROUP BY status") as cur:
            return {r[0]: r[1] for r in await cur.fetchall()}

    # ---- follow-up context -------------------------------------------------------------
    async def save_context(self, chat_id: int, subject: str, now: float) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT INTO chat_context(chat_id, subject, saved_at) VALUES(?, ?, ?) "
                "ON CONFLICT(chat_id) DO UPDATE SET subject=excluded.subject, "
                "saved_at=excluded.saved_at",
                (chat_id, subject, now),
            )

    async def load_context(self, chat_id: int, newer_than: float) -> str | None:
        """The chat's last subject, if saved after `newer_than` (unix time)."""
        async with self._db.execute(
            "SELECT subject FROM chat_context WHERE chat_id=? AND saved_at>?",
            (chat_id, newer_than),
        ) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def purge_context(self, older_than: float) -> int:
        async with self.transaction() as db:
            cur = await db.execute("DELETE FROM chat_context WHERE saved_at<=?", (older_than,))
            return cur.rowcount

    # ---- query log, crisis counter, audit ---------------------------------------------
    async def log_query(self, text: str, intent: str, found: bool) -> None:
        await self._write(
            "INSERT INTO query_log(ts, text, intent, found) VALUES(?,?,?,?)",
            (_now(), text[:500], intent, int(found)),
        )

    async def count_crisis(self, day: dt.date) -> None:
        await self._write(
            "INSERT INTO crisis_counter(day, count) VALUES(?, 1) "
            "ON CONFLICT(day) DO UPDATE SET count=count+1",
            (day.isoformat(),),
        )

    async def purge_queries(self, older_than: dt.datetime) -> int:
        cur = await self._write(
            "DELETE FROM query_log WHERE ts < ?", (older_than.isoformat(timespec="seconds"),)
        )
        return cur.rowcount

    async def query_stats(self, since: dt.datetime, top: int = 10) -> dict[str, Any]:
        since_s = since.isoformat(timespec="seconds")
        total = await self._scalar("SELECT count(*) FROM query_log WHERE ts >= ?", (since_s,))
        async with self._db.execute(
            "SELECT lower(text) t, count(*) n FROM query_log WHERE ts >= ? "
            "GROUP BY t ORDER BY n DESC, t LIMIT ?",
            (since_s, top),
        ) as cur:
            top_rows = [(r[0], r[1]) for r in await cur.fetchall()]
        async with self._db.execute(
            "SELECT lower(text) t, count(*) n FROM query_log WHERE ts >= ? AND found=0 "
            "GROUP BY t ORDER BY n DESC, t LIMIT ?",
            (since_s, top),
        ) as cur:
            missed = [(r[0], r[1]) for r in await cur.fetchall()]
        crisis = await self._scalar(
            "SELECT coalesce(sum(count), 0) FROM crisis_counter WHERE day >= ?",
            (since.date().isoformat(),),
        )
        return {"total": total, "top": top_rows, "missed": missed, "crisis": crisis}

    async def audit(self, admin_id: int, action: str, detail: str = "") -> None:
        await self._write(
            "INSERT INTO audit(ts, admin_id, action, detail) VALUES(?,?,?,?)",
            (_now(), admin_id, action, detail[:500]),
        )

    async def recent_audit(self, limit: int = 10) -> list[tuple[str, int, str, str]]:
        async with self._db.execute(
            "SELECT ts, admin_id, action, detail FROM audit ORDER BY id DESC LIMIT ?", (limit,)
        ) as cur:
            return [(r[0], r[1], r[2], r[3]) for r in await cur.fetchall()]

    # ---- hand-offs to specialists -----------------------------------------------------
    _HANDOFF = (
        "SELECT id, chat_id, thread_id, status, shared_name, opened_at, first_reply_at "
        "FROM handoffs"
    )

    async def _handoff(self, where: str, params: Sequence[Any]) -> HandoffRow | None:
        async with self._db.execute(f"{self._HANDOFF} WHERE {where}", params) as cur:
            row = await cur.fetchone()
        return HandoffRow(*row) if row else None

    async def open_handoff(self, chat_id: int, now: float) -> tuple[HandoffRow, bool]:
        """The chat's open conversation, created when there is none (one per chat: a unique
        index, so two first messages at once cannot open two)."""
        async with self.transaction() as db:
            cur = await db.execute(
                "INSERT INTO handoffs(chat_id, opened_at) VALUES(?, ?) "
                "ON CONFLICT(chat_id) WHERE status = 'open' DO NOTHING",
                (chat_id, now),
            )
            created = cur.rowcount == 1
        found = await self.open_handoff_of(chat_id)
        assert found is not None
        return found, created

    async def open_handoff_of(self, chat_id: int) -> HandoffRow | None:
        return await self._handoff("chat_id=? AND status='open'", (chat_id,))

    async def get_handoff(self, handoff_id: int) -> HandoffRow | None:
        return await self._handoff("id=?", (handoff_id,))

    async def handoff_by_thread(self, thread_id: int) -> HandoffRow | None:
        return await self._handoff("thread_id=? ORDER BY id DESC LIMIT 1", (thread_id,))

    async def handoff_by_message(self, support_message_id: int) -> HandoffRow | None:
        return await self._handoff(
            "id=(SELECT handoff_id FROM handoff_messages WHERE support_message_id=?)",
            (support_message_id,),
        )

    async def add_handoff_message(self, handoff_id: int, support_message_id: int) -> None:
        await self._write(
            "INSERT OR REPLACE INTO handoff_messages(support_message_id, handoff_id) VALUES(?, ?)",
            (support_message_id, handoff_id),
        )

    async def set_handoff_thread(self, handoff_id: int, thread_id: int) -> None:
        await self._write("UPDATE handoffs SET thread_id=? WHERE id=?", (thread_id, handoff_id))

    async def mark_handoff_reply(self, handoff_id: int, now: float) -> None:
        await self._write(
            "UPDATE handoffs SET first_reply_at=? WHERE id=? AND first_reply_at IS NULL",
            (now, handoff_id),
        )

    async def share_handoff_name(self, handoff_id: int, name: str) -> None:
        await self._write("UPDATE handoffs SET shared_name=? WHERE id=?", (name, handoff_id))

    async def close_handoff(self, handoff_id: int, now: float) -> bool:
        cur = await self._write(
            "UPDATE handoffs SET status='closed', closed_at=? WHERE id=? AND status='open'",
            (now, handoff_id),
        )
        return cur.rowcount == 1

    async def handoffs_since(self, since: float) -> list[HandoffRow]:
        async with self._db.execute(
            f"{self._HANDOFF} WHERE opened_at >= ? ORDER BY id", (since,)
        ) as cur:
            return [HandoffRow(*r) for r in await cur.fetchall()]

    # ---- answers and their ratings ----------------------------------------------------
    async def record_answer(self, doc: DocRef, question: str, now: float) -> int:
        """Keep an answer as given, so a 👍/👎 button can name it by id."""
        async with self.transaction() as db:
            answer_id = await _reserve_id(db, "answers")
            await db.execute(
                "INSERT INTO answers(id, doc, question, ts) VALUES(?,?,?,?)",
                (answer_id, str(doc), question[:500], now),
            )
        return answer_id

    async def get_answer(self, answer_id: int) -> AnswerRow | None:
        async with self._db.execute(
            "SELECT id, doc, question, ts FROM answers WHERE id=?", (answer_id,)
        ) as cur:
            row = await cur.fetchone()
        doc = DocRef.parse(row[1]) if row else None
        return AnswerRow(row[0], doc, row[2], row[3]) if row and doc else None

    async def rate_answer(
        self, answer_id: int, rater: str, value: int, now: float
    ) -> tuple[bool, int | None]:
        """Set one rater's rating of one answer (a second press replaces the first; the same
        press again changes nothing). Returns (the answer exists, the previous value)."""
        async with self.transaction() as db:
            async with db.execute("SELECT 1 FROM answers WHERE id=?", (answer_id,)) as cur:
                if await cur.fetchone() is None:
                    return False, None
            async with db.execute(
                "SELECT value FROM ratings WHERE answer_id=? AND rater=?", (answer_id, rater)
            ) as cur:
                row = await cur.fetchone()
            previous = row[0] if row else None
            if previous != value:
                await db.execute(
                    "INSERT INTO ratings(answer_id, rater, value, reason, ts) VALUES(?,?,?,NULL,?) "
                    "ON CONFLICT(answer_id, rater) DO UPDATE SET value=excluded.value, "
                    "reason=NULL, ts=excluded.ts",
                    (answer_id, rater, value, now),
                )
        return True, previous

    async def set_rating_reason(self, answer_id: int, rater: str, reason: str) -> bool:
        """Why a 👎: only the rater's own 👎 of that answer takes a reason."""
        cur = await self._write(
            "UPDATE ratings SET reason=? WHERE answer_id=? AND rater=? AND value<0",
            (reason, answer_id, rater),
        )
        return cur.rowcount == 1

    async def rating_counts(self, since: float, limit: int = 10) -> list[RatingCount]:
        """👍 and 👎 per document since `since`, the most 👎 first."""
        async with self._db.execute(
            "SELECT a.doc, sum(r.value > 0), sum(r.value < 0) FROM ratings r "
            "JOIN answers a ON a.id = r.answer_id WHERE r.ts >= ? "
            "GROUP BY a.doc ORDER BY 3 DESC, 2 DESC, a.doc LIMIT ?",
            (since, limit),
        ) as cur:
            rows = await cur.fetchall()
        return [RatingCount(doc, r[1], r[2]) for r in rows if (doc := DocRef.parse(r[0]))]

    async def purge_answers(self, older_than: float) -> int:
        """Answers (and their ratings) go with the query log: their wording is the same."""
        cur = await self._write("DELETE FROM answers WHERE ts < ?", (older_than,))
        return cur.rowcount

    # ---- the editors' queue and learned phrases -----------------------------------------
    async def review_rows(self, limit: int) -> list[ReviewRow]:
        """The newest `limit` questions that found nothing and `limit` 👎, without who."""
        async with self._db.execute(
            "SELECT id, ts, text FROM query_log WHERE found=0 ORDER BY id DESC LIMIT ?", (limit,)
        ) as cur:
            missed = [
                ReviewRow("q", r[0], dt.datetime.fromisoformat(r[1]), r[2])
                for r in await cur.fetchall()
            ]
        async with self._db.execute(
            "SELECT a.id, a.question, a.doc, r.reason, r.ts FROM ratings r "
            "JOIN answers a ON a.id = r.answer_id WHERE r.value < 0 ORDER BY r.ts DESC LIMIT ?",
            (limit,),
        ) as cur:
            disliked = [
                ReviewRow("a", r[0], _utc(r[4]), r[1], DocRef.parse(r[2]), r[3], r[4])
                for r in await cur.fetchall()
            ]
        return missed + disliked

    async def review_row(self, source: str, row_id: int) -> ReviewRow | None:
        """One occurrence a queue button names (None when it is gone or never was)."""
        if source == "q":
            async with self._db.execute(
                "SELECT id, ts, text FROM query_log WHERE id=? AND found=0", (row_id,)
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                return None
            return ReviewRow("q", row[0], dt.datetime.fromisoformat(row[1]), row[2])
        if source == "a":
            answer = await self.get_answer(row_id)
            if answer is None:
                return None
            return ReviewRow("a", answer.id, _utc(answer.at), answer.question, answer.doc)
        return None

    async def handled_marks(self) -> dict[str, HandledMark]:
        async with self._db.execute("SELECT phrase, query_id, rated_at FROM review_handled") as cur:
            return {r[0]: HandledMark(r[1], r[2]) for r in await cur.fetchall()}

    async def mark_handled(self, phrases: Sequence[str], now: float) -> None:
        """Hide these wordings' occurrences so far: query-log rows up to the newest id, 👎
        up to `now`. A later occurrence brings the wording back."""
        async with self.transaction() as db:
            async with db.execute("SELECT coalesce(max(id), 0) FROM query_log") as cur:
                row = await cur.fetchone()
            last = row[0] if row else 0
            await db.executemany(
                "INSERT INTO review_handled(phrase, query_id, rated_at) VALUES(?,?,?) "
                "ON CONFLICT(phrase) DO UPDATE SET query_id=excluded.query_id, "
                "rated_at=excluded.rated_at",
                [(p, last, now) for p in phrases],
            )

    async def learn_phrases(self, phrases: Sequence[str], doc: DocRef, wording: str) -> None:
        """Link wordings to a document; the generation moves, so every process's search
        reloads them before its next question."""
        async with self.transaction() as db:
            await _bump_generation(db)
            await db.executemany(
                "INSERT INTO learned_phrases(phrase, doc, wording, created_at) VALUES(?,?,?,?) "
                "ON CONFLICT(phrase) DO UPDATE SET doc=excluded.doc, wording=excluded.wording, "
                "created_at=excluded.created_at",
                [(p, str(doc), wording[:500], _now()) for p in phrases],
            )

    async def learned_phrases(self) -> dict[str, DocRef]:
        """Learned wordings whose document still exists (a deleted article's are skipped)."""
        async with self._db.execute(
            "SELECT phrase, doc FROM learned_phrases WHERE "
            "(substr(doc, 1, 2) = 'a:' AND CAST(substr(doc, 3) AS INTEGER) IN "
            "(SELECT id FROM articles)) OR "
            "(substr(doc, 1, 2) = 'c:' AND substr(doc, 3) IN (SELECT id FROM cards))"
        ) as cur:
            rows = await cur.fetchall()
        return {r[0]: doc for r in rows if (doc := DocRef.parse(r[1]))}

    async def missed_by_week(self, since: dt.date) -> list[WeekShare]:
        """Questions per week (weeks start on Monday, UTC) since `since`, and how many of
        them found nothing. Weeks without questions are left out."""
        async with self._db.execute(
            "SELECT date(ts, 'weekday 0', '-6 days') AS week, count(*), sum(found = 0) "
            "FROM query_log WHERE ts >= ? GROUP BY week ORDER BY week",
            (since.isoformat(),),
        ) as cur:
            rows = await cur.fetchall()
        return [WeekShare(dt.date.fromisoformat(r[0]), r[1], r[2]) for r in rows if r[0]]

    # ---- editors ----------------------------------------------------------------------
    async def add_editor(self, user_id: int, added_by: int) -> bool:
        cur = await self._write(
            "INSERT OR IGNORE INTO editors(user_id, added_by, added_at) VALUES(?,?,?)",
            (user_id, added_by, _now()),
        )
        return cur.rowcount == 1

    async def remove_editor(self, user_id: int) -> bool:
        cur = await self._write("DELETE FROM editors WHERE user_id=?", (user_id,))
        return cur.rowcount == 1

    async def is_editor(self, user_id: int) -> bool:
        async with self._db.execute("SELECT 1 FROM editors WHERE user_id=?", (user_id,)) as cur:
            return await cur.fetchone() is not None

    async def list_editors(self) -> list[EditorRow]:
        async with self._db.execute(
            "SELECT user_id, added_by, added_at FROM editors ORDER BY added_at, user_id"
        ) as cur:
            return [EditorRow(r[0], r[1], r[2]) for r in await cur.fetchall()]

    # ---- the region a person chose ----------------------------------------------------
    async def set_chat_region(self, chat_id: int, region: str) -> None:
        await self._write(
            "INSERT INTO chat_regions(chat_id, region, set_at) VALUES(?, ?, ?) "
            "ON CONFLICT(chat_id) DO UPDATE SET region=excluded.region, set_at=excluded.set_at",
            (chat_id, region, _now()),
        )

    async def chat_region(self, chat_id: int) -> str | None:
        async with self._db.execute(
            "SELECT region FROM chat_regions WHERE chat_id=?", (chat_id,)
        ) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def forget_chat_region(self, chat_id: int) -> bool:
        cur = await self._write("DELETE FROM chat_regions WHERE chat_id=?", (chat_id,))
        return cur.rowcount == 1

    async def chats_in_region(self, region: str) -> list[int]:
        async with self._db.execute(
            "SELECT chat_id FROM chat_regions WHERE region=? ORDER BY chat_id", (region,)
        ) as cur:
            return [r[0] for r in await cur.fetchall()]

    # ---- the directory of centres (/centres) ------------------------------------------
    async def save_centres(
        self, admin_id: int, filename: str, rows: Sequence[CentreRow], now: float
    ) -> dict[str, int]:
        """Store an upload: every region its rows name is replaced, in one transaction.
        Returns each replaced region's count before."""
        async with self.transaction() as db:
            upload_id = await _reserve_id(db, "centre_uploads")
            await db.execute(
                "INSERT INTO centre_uploads(id, admin_id, filename, status, created_at)"
                " VALUES(?, ?, ?, 'saved', ?)",
                (upload_id, admin_id, filename, now),
            )
            return await _replace_centres(db, upload_id, rows)

    async def stage_centres(
        self, admin_id: int, filename: str, rows: Sequence[CentreRow], now: float, ttl: float
    ) -> int:
        """Keep an upload's good rows until «Сохранить» is pressed; pending uploads older
        than `ttl` seconds are dropped in the same turn."""
        async with self.transaction() as db:
            await db.execute(
                "DELETE FROM centre_uploads WHERE status='pending' AND created_at < ?",
                (now - ttl,),
            )
            upload_id = await _reserve_id(db, "centre_uploads")
            await db.execute(
                "INSERT INTO centre_uploads(id, admin_id, filename, status, rows, created_at)"
                " VALUES(?, ?, ?, 'pending', ?, ?)",
                (upload_id, admin_id, filename, json.dumps([_centre_dict(r) for r in rows]), now),
            )
        return upload_id

    async def confirm_centres(self, upload_id: int, now: float, ttl: float) -> SavedCentres:
        async with self.transaction() as db:
            async with db.execute(
                "SELECT rows FROM centre_uploads WHERE id=? AND status='pending' AND created_at>=?",
                (upload_id, now - ttl),
            ) as cur:
                pending = await cur.fetchone()
            if pending is None:
                return SavedCentres("gone", [], {})
            async with db.execute(
                "SELECT 1 FROM centre_uploads WHERE status='saved' AND id > ? LIMIT 1",
                (upload_id,),
            ) as cur:
                if await cur.fetchone() is not None:
                    return SavedCentres("stale", [], {})
            rows = [CentreRow(**r) for r in json.loads(pending[0])]
            before = await _replace_centres(db, upload_id, rows)
            await db.execute(
                "UPDATE centre_uploads SET status='saved', rows='[]' WHERE id=?", (upload_id,)
            )
        return SavedCentres("saved", rows, before)

    async def centres_in(self, region: str) -> list[CentreRow]:
        async with self._db.execute(
            f"SELECT {_CENTRE_COLUMNS} FROM centres WHERE region=? ORDER BY id", (region,)
        ) as cur:
            return [CentreRow(*r) for r in await cur.fetchall()]

    async def located_centres(self) -> list[CentreRow]:
        async with self._db.execute(
            f"SELECT {_CENTRE_COLUMNS} FROM centres WHERE lat IS NOT NULL AND lon IS NOT NULL"
            " ORDER BY id"
        ) as cur:
            return [CentreRow(*r) for r in await cur.fetchall()]

    async def centre_kinds(self) -> list[str]:
        async with self._db.execute("SELECT DISTINCT kind FROM centres ORDER BY kind") as cur:
            return [r[0] for r in await cur.fetchall()]

    async def centre_places(self) -> list[tuple[str, str]]:
        async with self._db.execute(
            "SELECT DISTINCT city, region FROM centres ORDER BY region, city"
        ) as cur:
            return [(r[0], r[1]) for r in await cur.fetchall()]

    async def centre_counts(self) -> list[tuple[str, str, int]]:
        async with self._db.execute(
            "SELECT region, kind, count(*) FROM centres GROUP BY region, kind"
            " ORDER BY region, count(*) DESC, kind"
        ) as cur:
            return [(r[0], r[1], r[2]) for r in await cur.fetchall()]

    # ---- announcements (/broadcast) ---------------------------------------------------
    async def add_broadcast(
        self, admin_id: int, text: str, region: str | None, topic: str | None
    ) -> int:
        cur = await self._write(
            "INSERT INTO broadcasts(admin_id, text, region, topic, created_at) "
            "VALUES(?, ?, ?, ?, ?)",
            (admin_id, text, region, topic, _now()),
        )
        return int(cur.lastrowid or 0)

    async def get_broadcast(self, broadcast_id: int) -> BroadcastRow | None:
        async with self._db.execute(
            f"SELECT {_BROADCAST_COLUMNS} FROM broadcasts WHERE id=?", (broadcast_id,)
        ) as cur:
            row = await cur.fetchone()
        return BroadcastRow(*row) if row else None

    async def start_broadcast(self, broadcast_id: int, items: Sequence[Outgoing]) -> int | None:
        """Draft → sending and its messages queued, together; None when it is no draft (sent
        or cancelled already: a second press queues nothing)."""
        async with self.transaction() as db:
            cur = await db.execute(
                "UPDATE broadcasts SET status='sending', sent_at=? WHERE id=? AND status='draft'",
                (_now(), broadcast_id),
            )
            if cur.rowcount != 1:
                return None
            before = db.total_changes
            await db.executemany(
                "INSERT OR IGNORE INTO outbox(chat_id, text, dedupe_key, created_at)"
                " VALUES(?,?,?,?)",
                [(o.chat_id, o.text, o.dedupe_key, _now()) for o in items],
            )
            queued = db.total_changes - before
            await db.execute(
                "UPDATE broadcasts SET recipients=? WHERE id=?", (queued, broadcast_id)
            )
            return queued

    async def cancel_broadcast(self, broadcast_id: int) -> bool:
        cur = await self._write(
            "UPDATE broadcasts SET status='cancelled' WHERE id=? AND status='draft'",
            (broadcast_id,),
        )
        return cur.rowcount == 1

    async def finish_broadcast(self, broadcast_id: int) -> bool:
        cur = await self._write(
            "UPDATE broadcasts SET status='done' WHERE id=? AND status='sending'",
            (broadcast_id,),
        )
        return cur.rowcount == 1

    async def broadcast_outcome(self, broadcast_id: int) -> dict[str, int]:
        """The broadcast's outbox rows by status (pending, sent, failed, dropped). Its keys
        are 'broadcast:<id>:<chat>': a range on the unique index, not a scan."""
        low = broadcast_key(broadcast_id, 0)[:-1]  # 'broadcast:<id>:'
        high = low[:-1] + ";"  # ';' follows ':' in ASCII
        async with self._db.execute(
            "SELECT status, count(*) FROM outbox WHERE dedupe_key >= ? AND dedupe_key < ? "
            "GROUP BY status",
            (low, high),
        ) as cur:
            return {r[0]: r[1] for r in await cur.fetchall()}

    async def recent_broadcasts(self, limit: int = 5) -> list[BroadcastRow]:
        async with self._db.execute(
            f"SELECT {_BROADCAST_COLUMNS} FROM broadcasts ORDER BY id DESC LIMIT ?", (limit,)
        ) as cur:
            return [BroadcastRow(*r) for r in await cur.fetchall()]


_BROADCAST_COLUMNS = "id, admin_id, text, region, topic, status, recipients, created_at, sent_at"

_CENTRE_COLUMNS = "name, kind, region, city, address, phones, hours, site, lat, lon"


def _centre_dict(row: CentreRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in _CENTRE_COLUMNS.split(", ")}


async def _replace_centres(
    db: aiosqlite.Connection, upload_id: int, rows: Sequence[CentreRow]
) -> dict[str, int]:
    """Delete the regions `rows` name and insert the rows (inside the caller's transaction);
    each region's count before."""
    regions = sorted({r.region for r in rows})
    before = {}
    for region in regions:
        async with db.execute("SELECT count(*) FROM centres WHERE region=?", (region,)) as cur:
            row = await cur.fetchone()
        before[region] = row[0] if row else 0
        await db.execute("DELETE FROM centres WHERE region=?", (region,))
    await db.executemany(
        f"INSERT INTO centres({_CENTRE_COLUMNS}, upload_id) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
        [(*_centre_dict(r).values(), upload_id) for r in rows],
    )
    return before
