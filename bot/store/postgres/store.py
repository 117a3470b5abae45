"""The PostgreSQL store (asyncpg): every worker of a scaled-out bot uses one database.

It behaves as the SQLite store does, method for method (bot/store/sqlite/store.py is the
reference): the same rows, order and edge cases. What differs is how several writers are
kept apart, since PostgreSQL lets them run at once:

* writes that belong together run in one transaction, on one pooled connection;
* a transaction that changes searchable content first moves the change counter (the meta
  row 'generation'): its row lock makes such transactions take turns, so the index and
  its document frequencies (term_df) are never written by two at once;
* the rest uses single statements that decide and write together (ON CONFLICT, UPDATE …
  WHERE, RETURNING), row locks (FOR UPDATE, SKIP LOCKED for the outbox) or, for the
  directory of centres, an advisory lock.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

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
from bot.store.postgres.migrations import MIGRATIONS

log = logging.getLogger(__name__)

# Where a content change is announced: NOTIFY is delivered to the listeners of the same
# database only, so two bots on one server do not hear each other.
GENERATION_CHANNEL = "bot_generation"
# A lost listener connection is re-opened at most this often (seconds); meanwhile
# `generation()` reads the meta row.
LISTEN_RETRY_S = 5.0
LISTEN_CONNECT_TIMEOUT_S = 5.0
# Advisory lock keys (pg_advisory_xact_lock): schema migrations, the directory of centres,
# inserts into the outbox.
MIGRATION_LOCK = 0x626F_7401
CENTRES_LOCK = 0x626F_7402
OUTBOX_LOCK = 0x626F_7403
# `exclusive(name)` locks (EXCLUSIVE_SPACE, hashtext(name)): a two-key advisory lock, a
# space apart from the one-key locks above.
EXCLUSIVE_SPACE = 0x626F_74
# Every connection works in UTC: DATE ↔ TIMESTAMPTZ comparisons and week boundaries are
# then those of the SQLite store, which keeps UTC ISO texts.
SERVER_SETTINGS = {"timezone": "UTC", "application_name": "bot"}
# What an unreachable or lost server raises: the listener logs it and is opened again later.
_CONNECTION_ERRORS = (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError)

# The words of a search term, as the index holds them (bot.store.base.index_terms): only
# these reach the tsquery, each quoted, so no text is ever tsquery syntax.
_WORD = re.compile(r"[^\W_]+")


def _now() -> dt.datetime:
    """This moment in UTC to the second: the SQLite store's ISO texts hold seconds."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _moment(value: dt.datetime) -> dt.datetime:
    """A bound the caller gives, as the SQLite store compares it: a naive one is UTC (its
    ISO text has no offset), and it counts to the second."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.replace(microsecond=0)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def _iso(value: dt.datetime | None) -> str | None:
    """A TIMESTAMPTZ as the SQLite store's text («2025-01-31T09:15:00+00:00»)."""
    return value.astimezone(dt.UTC).isoformat(timespec="seconds") if value else None


def _utc(unix: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(unix, dt.UTC)


def _affected(status: str) -> int:
    """The row count of a command status («UPDATE 3», «INSERT 0 1»): SQLite's rowcount."""
    return int(status.rsplit(" ", 1)[-1])


def _article(row: asyncpg.Record) -> ArticleRow:
    return ArticleRow(
        id=row["id"],
        title=row["title"],
        published=row["published"],
        source_url=row["source_url"],
        places=list(row["places"]),
        summary=row["summary"],
        body=row["body"],
        origin=row["origin"],
        created_at=_iso(row["created_at"]) or "",
        source_name=row["source_name"],
    )


def _event(row: asyncpg.Record) -> EventRow:
    start_time = row["start_time"]
    return EventRow(
        id=row["id"],
        article_id=row["article_id"],
        kind=row["kind"],
        title=row["title"],
        start=row["start_date"],
        end=row["end_date"],
        time=start_time.strftime("%H:%M") if start_time is not None else None,
        place=row["place"],
        sentence=row["sentence"],
        status=row["status"],
        article_title=row["article_title"],
        source_url=row["source_url"],
    )


_EVENT_SELECT = """
    SELECT e.*, a.title AS article_title, a.source_url AS source_url
    FROM events e JOIN articles a ON a.id = e.article_id
"""


def _broadcast(row: asyncpg.Record) -> BroadcastRow:
    return BroadcastRow(
        row["id"],
        row["admin_id"],
        row["text"],
        row["region"],
        row["topic"],
        row["status"],
        row["recipients"],
        _iso(row["created_at"]) or "",
        _iso(row["sent_at"]),
    )


_BROADCAST_COLUMNS = "id, admin_id, text, region, topic, status, recipients, created_at, sent_at"

_CENTRE_COLUMNS = "name, kind, region, city, address, phones, hours, site, lat, lon"

_HANDOFF = (
    "SELECT id, chat_id, thread_id, status, shared_name, opened_at, first_reply_at FROM handoffs"
)


def _centre_dict(row: CentreRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in _CENTRE_COLUMNS.split(", ")}


# ---- the search index ------------------------------------------------------------------
def tsquery_text(query: TermQuery) -> str | None:
    """The text of a `to_tsquery('simple', …)` for a TermQuery, or None when no term has a
    word: each word quoted, a phrase's words joined by <-> (FTS5's phrase: adjacent, in
    order), the terms by | (or & when all are required)."""
    parts = []
    for term in query.terms:
        words = _WORD.findall(term)
        if words:
            phrase = " <-> ".join(f"'{word}'" for word in words)
            parts.append(f"({phrase})" if len(words) > 1 else phrase)
    return (" & " if query.require_all else " | ").join(parts) or None


# How a match is ranked. ts_rank, not ts_rank_cd: measured against SQLite's bm25 (make
# eval; a 3k-article bench corpus, bench/corpus.py), ts_rank gives the same hit@1 on the
# development set (0.950, ts_rank_cd 0.947) and hold-out (0.792 both), agrees more often
# with SQLite's first answer (64 % of bench questions, ts_rank_cd 57 %), ranks an
# article first-five for its own title words — the near-duplicate probe of
# bot.articles.ingest — 89 % of the time (ts_rank_cd 47 %, SQLite 73 %): cover density
# rewards many occurrences of one common word («в», «по») over a row holding most of
# the words; and it costs half the time (32 against 64 ms a question).
RANK_FUNCTION = "ts_rank"


def rank_weights(title_weight: float) -> list[float]:
    """The rank's weights {D, C, B, A} for a title (A) worth `title_weight` bodies (B).

    PostgreSQL refuses weights above 1, so all are divided by the largest: the ranks are
    then scaled alike, and search reads only their ratio (`rank / best_rank`)."""
    scale = max(1.0, title_weight)
    return [0.1 / scale, 0.2 / scale, 1.0 / scale, title_weight / scale]


async def _count_terms(conn: asyncpg.Connection, counts: Counter[str], sign: int) -> None:
    """Add (sign 1) or take away (sign -1) document frequencies in term_df; a term no
    document holds any more is deleted. Inside the caller's transaction."""
    if not counts:
        return
    terms = sorted(counts)
    await conn.execute(
        "INSERT INTO term_df(term, df) SELECT * FROM unnest($1::text[], $2::int[]) "
        "ON CONFLICT (term) DO UPDATE SET df = term_df.df + excluded.df",
        terms,
        [sign * counts[t] for t in terms],
    )
    if sign < 0:
        await conn.execute("DELETE FROM term_df WHERE term = ANY($1::text[]) AND df <= 0", terms)


def _terms_of(rows: Iterable[tuple[str, str]]) -> Counter[str]:
    """Document frequencies of index rows (title, body), counted as the SQLite store does."""
    return Counter(term for title, body in rows for term in index_terms(title, body))


async def _index_insert(conn: asyncpg.Connection, rows: Sequence[tuple[str, str, str]]) -> None:
    """Index rows (doc, title, body), their terms counted in term_df (caller's transaction)."""
    if not rows:
        return
    await conn.executemany(
        "INSERT INTO search_index(doc, title, body) VALUES($1, $2, $3)", list(rows)
    )
    await _count_terms(conn, _terms_of((title, body) for _, title, body in rows), 1)


async def _index_delete(conn: asyncpg.Connection, docs_like: str) -> None:
    """Remove the index rows whose doc is LIKE `docs_like` («a:12», «c:%»), and their terms
    from term_df (caller's transaction)."""
    rows = await conn.fetch(
        "DELETE FROM search_index WHERE doc LIKE $1 RETURNING title, body", docs_like
    )
    await _count_terms(conn, _terms_of((r["title"], r["body"]) for r in rows), -1)


_INSERT_ARTICLE = (
    "INSERT INTO articles(title, published, source_url, places, summary, body,"
    " content_hash, origin, fmt, created_at, source_name)"
    " VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"
)
_INSERT_EVENT = (
    "INSERT INTO events(article_id, kind, title, start_date, end_date, start_time,"
    " place, sentence, status) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9)"
)


def _article_values(article: NewArticle) -> tuple[Any, ...]:
    return (
        article.title,
        article.published,
        article.source_url,
        list(article.places),
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
            e.start,
            e.end,
            # to the minute, as the SQLite store keeps «HH:MM»
            e.time.replace(second=0, microsecond=0, tzinfo=None) if e.time else None,
            e.place,
            e.sentence,
            e.status,
        )
        for e in events
    ]


async def _bump_generation(conn: asyncpg.Connection) -> int:
    """Count a change of the searchable content, inside the transaction that makes it, and
    announce the new number to every worker (NOTIFY is delivered at commit, not at all on
    rollback). The row lock taken here makes content changes take turns."""
    value = await conn.fetchval(
        "INSERT INTO meta(key, value) VALUES('generation', '1') ON CONFLICT(key) "
        "DO UPDATE SET value = (meta.value::bigint + 1)::text RETURNING value"
    )
    await conn.execute("SELECT pg_notify($1, $2)", GENERATION_CHANNEL, value)
    return int(value)


async def _read_generation(conn: Any) -> int:
    value = await conn.fetchval("SELECT value FROM meta WHERE key='generation'")
    return int(value) if value is not None else 0


async def _replace_centres(
    conn: asyncpg.Connection, upload_id: int, rows: Sequence[CentreRow]
) -> dict[str, int]:
    """Delete the regions `rows` name and insert the rows (inside the caller's transaction,
    which holds CENTRES_LOCK); each region's count before."""
    regions = sorted({r.region for r in rows})
    before = {}
    for region in regions:
        deleted = await conn.execute("DELETE FROM centres WHERE region=$1", region)
        before[region] = _affected(deleted)
    await conn.executemany(
        f"INSERT INTO centres({_CENTRE_COLUMNS}, upload_id)"
        " VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        [(*_centre_dict(r).values(), upload_id) for r in rows],
    )
    return before


class PgStore:
    """A pool of connections to one PostgreSQL database; `await PgStore.open(url)`.

    The change counter (`generation()`) is how one worker's change reaches every other
    worker's search: an article uploaded in one process moves it and NOTIFYs the new value;
    each store keeps one extra connection that LISTENs and caches the latest value, so
    `generation()` — called before every question — costs no round trip, and every worker's
    search reloads its vocabulary and caches before its next question. While that listener
    is down, `generation()` reads the meta row instead and the listener is re-opened lazily.
    """

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self._pool = pool
        self._url = url
        self._generation = 0
        self._listener: asyncpg.Connection | None = None
        self._listen_lock = asyncio.Lock()
        self._listen_retry_at = 0.0
        self._closed = False
        self._named_locks: dict[str, asyncio.Lock] = {}

    @classmethod
    async def open(cls, url: str, pool_size: int = 10) -> PgStore:
        """Connect (up to `pool_size` connections, opened as needed), migrate, listen."""
        pool = await asyncpg.create_pool(
            url, min_size=1, max_size=pool_size, server_settings=SERVER_SETTINGS
        )
        store = cls(pool, url)
        try:
            await store._migrate()
            # Not listening is no reason not to start: `generation()` reads the meta row
            # and listens again later.
            await store._listen()
        except BaseException:
            await store.close()
            raise
        return store

    async def close(self) -> None:
        self._closed = True
        listener, self._listener = self._listener, None
        if listener is not None and not listener.is_closed():
            try:
                await listener.close(timeout=5)
            except _CONNECTION_ERRORS:
                listener.terminate()
        await self._pool.close()

    async def _migrate(self) -> None:
        """Apply the migrations not applied yet, each in a transaction of its own under an
        advisory lock: workers starting together wait for one another, and a worker that
        waited finds the number moved and applies nothing twice."""
        async with self._pool.acquire() as conn:
            while True:
                async with conn.transaction():
                    await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
                    await conn.execute(
                        "CREATE TABLE IF NOT EXISTS schema_migrations ("
                        " version INTEGER PRIMARY KEY,"
                        " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
                    )
                    version = await conn.fetchval(
                        "SELECT coalesce(max(version), 0) FROM schema_migrations"
                    )
                    if version >= len(MIGRATIONS):
                        return
                    await conn.execute(MIGRATIONS[version])
                    await conn.execute(
                        "INSERT INTO schema_migrations(version) VALUES($1)", version + 1
                    )

    async def schema_version(self) -> int:
        return await self._pool.fetchval("SELECT coalesce(max(version), 0) FROM schema_migrations")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """One pooled connection in a transaction: COMMIT, or ROLLBACK on any exception."""
        async with self._pool.acquire() as conn, conn.transaction():
            yield conn

    @asynccontextmanager
    async def _changing(self) -> AsyncIterator[asyncpg.Connection]:
        """A transaction that changes searchable content: the generation moves first (see
        `_bump_generation`), and once committed this store knows the new value at once,
        before its own notification comes back."""
        async with self._pool.acquire() as conn:
            async with conn.transaction():
                generation = await _bump_generation(conn)
                yield conn
            self._seen(generation)

    # ---- the change counter and its listener ----------------------------------------
    def _seen(self, generation: int) -> None:
        self._generation = max(self._generation, generation)

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            self._seen(int(payload))
        except ValueError:
            log.warning("ignored a %s notification: %r", GENERATION_CHANNEL, payload)

    def _listener_lost(self, conn: asyncpg.Connection) -> None:
        if conn is self._listener:
            self._listener = None
            if not self._closed:
                log.warning("generation listener lost; reading the meta row until it is back")

    async def _listen(self) -> bool:
        """Open the listener connection and LISTEN, then read the current value (in this
        order, so no change falls between). False, and no retry for LISTEN_RETRY_S, when
        the server cannot be reached."""
        self._listen_retry_at = time.monotonic() + LISTEN_RETRY_S
        try:
            conn = await asyncpg.connect(
                self._url, timeout=LISTEN_CONNECT_TIMEOUT_S, server_settings=SERVER_SETTINGS
            )
        except _CONNECTION_ERRORS as exc:
            log.warning("generation listener: cannot connect: %s", exc)
            return False
        try:
            conn.add_termination_listener(self._listener_lost)
            await conn.add_listener(GENERATION_CHANNEL, self._notified)
            self._seen(await _read_generation(conn))
        except _CONNECTION_ERRORS as exc:
            log.warning("generation listener: cannot listen: %s", exc)
            conn.terminate()
            return False
        self._listener = conn
        return True

    async def generation(self) -> int:
        """How many times the searchable content changed, by any worker: the listener's
        cached value while it is up (no round trip), else the meta row."""
        listener = self._listener
        if listener is not None and not listener.is_closed():
            return self._generation
        self._listener = None
        if not self._listen_lock.locked() and time.monotonic() >= self._listen_retry_at:
            async with self._listen_lock:
                if await self._listen():
                    return self._generation
        value = await _read_generation(self._pool)
        self._seen(value)
        return value

    # ---- meta -------------------------------------------------------------------------
    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[None]:
        """Held by one process at a time among all that use this database: a session
        advisory lock, on a connection of its own (not a pooled one: the work inside uses
        the pool, which may have a single connection), so a process that dies drops the
        lock with its connection. Tasks of this process take turns first (a session's
        advisory locks are re-entrant: they would not keep two tasks apart)."""
        async with self._named_locks.setdefault(name, asyncio.Lock()):
            conn = await asyncpg.connect(self._url, server_settings=SERVER_SETTINGS)
            try:
                key = (EXCLUSIVE_SPACE, name)
                await conn.execute("SELECT pg_advisory_lock($1, hashtext($2))", *key)
                try:
                    yield
                finally:
                    await conn.execute("SELECT pg_advisory_unlock($1, hashtext($2))", *key)
            finally:
                await conn.close()

    async def get_meta(self, key: str) -> str | None:
        return await self._pool.fetchval("SELECT value FROM meta WHERE key=$1", key)

    async def set_meta(self, key: str, value: str) -> None:
        await self._pool.execute(
            "INSERT INTO meta(key, value) VALUES($1, $2) "
            "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            key,
            value,
        )

    # ---- articles ---------------------------------------------------------------------
    async def add_article(self, article: NewArticle, events: Iterable[EventFacts]) -> int:
        """Store an article, its events and its index row in one transaction; return its id."""
        return (await self.add_articles([(article, list(events))]))[0]

    async def add_articles(
        self, items: Sequence[tuple[NewArticle, Sequence[EventFacts]]]
    ) -> list[int]:
        """Several articles in one transaction, as `add_article` would store each in turn:
        ids in order from the sequence, their events and index rows, term_df counted once."""
        if not items:
            return []
        async with self._changing() as conn:
            ids: list[int] = []
            for article, _ in items:  # one at a time: RETURNING keeps no order for many
                ids.append(await conn.fetchval(_INSERT_ARTICLE, *_article_values(article)))
            await conn.executemany(
                _INSERT_EVENT,
                [
                    row
                    for article_id, (_, events) in zip(ids, items, strict=True)
                    for row in _event_values(article_id, events)
                ],
            )
            await _index_insert(
                conn,
                [
                    (str(DocRef.article(article_id)), article.index_title, article.index_body)
                    for article_id, (article, _) in zip(ids, items, strict=True)
                ],
            )
        return ids

    async def article_id_by_hash(self, content_hash: str) -> int | None:
        return await self._pool.fetchval(
            "SELECT id FROM articles WHERE content_hash=$1", content_hash
        )

    async def get_article(self, article_id: int) -> ArticleRow | None:
        row = await self._pool.fetchrow("SELECT * FROM articles WHERE id=$1", article_id)
        return _article(row) if row else None

    async def get_articles(self, ids: Sequence[int]) -> dict[int, ArticleRow]:
        if not ids:
            return {}
        rows = await self._pool.fetch(
            "SELECT * FROM articles WHERE id = ANY($1::bigint[]) ORDER BY id", list(ids)
        )
        return {row["id"]: _article(row) for row in rows}

    async def list_articles(self, offset: int = 0, limit: int = 10) -> list[ArticleRow]:
        rows = await self._pool.fetch(
            "SELECT * FROM articles ORDER BY id DESC LIMIT $1 OFFSET $2", limit, offset
        )
        return [_article(r) for r in rows]

    async def event_counts(self, article_ids: Sequence[int]) -> dict[int, int]:
        if not article_ids:
            return {}
        rows = await self._pool.fetch(
            "SELECT article_id, count(*) AS n FROM events WHERE article_id = ANY($1::bigint[])"
            " GROUP BY article_id ORDER BY article_id",
            list(article_ids),
        )
        return {row["article_id"]: row["n"] for row in rows}

    async def count(self, what: Counted) -> int:
        table = {"articles": "articles", "events": "events"}[what]  # never text from outside
        return await self._pool.fetchval(f"SELECT count(*) FROM {table}")

    async def delete_article(self, article_id: int) -> bool:
        """Remove an article with its events, index row and pending notifications (the
        foreign keys cascade)."""
        async with self._changing() as conn:
            status = await conn.execute("DELETE FROM articles WHERE id=$1", article_id)
            if _affected(status) == 0:
                return False
            await _index_delete(conn, str(DocRef.article(article_id)))
        return True

    async def iter_articles_for_index(self) -> list[tuple[int, str, str]]:
        rows = await self._pool.fetch("SELECT id, title, body FROM articles ORDER BY id")
        return [(r[0], r[1], r[2]) for r in rows]

    # ---- cards ------------------------------------------------------------------------
    async def replace_cards(
        self,
        cards: Sequence[tuple[str, str, dict, str, str]],
        index_rows: Sequence[tuple[str, str, str]],
    ) -> None:
        """Replace every card and its index rows: (id, title, data, as_of, source), and
        (index title, index body, doc)."""
        async with self._changing() as conn:
            await conn.execute("DELETE FROM cards")
            await _index_delete(conn, "c:%")
            await conn.executemany(
                "INSERT INTO cards(id, position, title, data, as_of, source)"
                " VALUES($1, $2, $3, $4, $5, $6)",
                [
                    (c[0], position, c[1], json.dumps(c[2], ensure_ascii=False), c[3], c[4])
                    for position, c in enumerate(cards)
                ],
            )
            await _index_insert(conn, [(doc, title, body) for title, body, doc in index_rows])

    async def get_cards(self) -> dict[str, dict]:
        rows = await self._pool.fetch("SELECT id, data FROM cards ORDER BY position")
        return {r[0]: json.loads(r[1]) for r in rows}

    # ---- search index -----------------------------------------------------------------
    async def reindex_articles(self, rows: Sequence[tuple[int, str, str]]) -> None:
        """Rebuild the article rows of the index from (article id, index title, index body),
        and term_df from every row of the index (the cards' too)."""
        async with self._changing() as conn:
            await conn.execute("DELETE FROM search_index WHERE doc LIKE 'a:%'")
            await conn.executemany(
                "INSERT INTO search_index(doc, title, body) VALUES($1, $2, $3)",
                [(str(DocRef.article(i)), title, body) for i, title, body in rows],
            )
            others = await conn.fetch(
                "SELECT title, body FROM search_index WHERE doc NOT LIKE 'a:%'"
            )
            counts = _terms_of((title, body) for _, title, body in rows)
            counts.update(_terms_of((r["title"], r["body"]) for r in others))
            await conn.execute("DELETE FROM term_df")
            await _count_terms(conn, counts, 1)

    async def match(
        self, query: TermQuery, limit: int, title_weight: float = 5.0
    ) -> list[IndexMatch]:
        """The index rows holding the query's terms, best first (ties by doc), ranked by
        RANK_FUNCTION with the title weighted `title_weight` times the body; the rank is
        negated, so that lower is better as with SQLite's bm25()."""
        text = tsquery_text(query)
        if text is None:
            return []
        rows = await self._pool.fetch(
            f"SELECT doc, {RANK_FUNCTION}($2::float4[], tsv, q) AS rank, title, body"
            " FROM search_index, to_tsquery('simple', $1) AS q"
            " WHERE tsv @@ q ORDER BY rank DESC, doc LIMIT $3",
            text,
            rank_weights(title_weight),
            limit,
        )
        return [
            IndexMatch(doc, -r["rank"], r["title"], r["body"])
            for r in rows
            if (doc := DocRef.parse(r["doc"]))
        ]

    async def vocabulary(self) -> dict[str, int]:
        """Every indexed term with the number of documents holding it (kept in term_df)."""
        rows = await self._pool.fetch("SELECT term, df FROM term_df")
        return {r[0]: r[1] for r in rows}

    async def document_count(self) -> int:
        """Documents in the index: every article and card has exactly one row."""
        return await self._pool.fetchval(
            "SELECT (SELECT count(*) FROM articles) + (SELECT count(*) FROM cards)"
        )

    # ---- events -----------------------------------------------------------------------
    async def _events(self, where: str, *params: Any) -> list[EventRow]:
        rows = await self._pool.fetch(f"{_EVENT_SELECT} WHERE {where}", *params)
        return [_event(r) for r in rows]

    async def events_from(self, day: dt.date, limit: int = 200) -> list[EventRow]:
        """Events that have not ended before `day`, soonest first."""
        return await self._events(
            "e.end_date >= $1 AND e.status != 'planned' ORDER BY e.start_date, e.id LIMIT $2",
            day,
            limit,
        )

    async def events_before(self, day: dt.date, limit: int = 50) -> list[EventRow]:
        return await self._events(
            "e.end_date < $1 AND e.status != 'planned' "
            "ORDER BY e.end_date DESC, e.id DESC LIMIT $2",
            day,
            limit,
        )

    async def planned_events(self, today: dt.date, within_days: int = 366) -> list[EventRow]:
        """Next stops announced without dates, from articles of the last year (an older
        plan has either happened or been dropped)."""
        return await self._events(
            "e.status = 'planned' AND e.start_date >= $1 ORDER BY e.start_date DESC, e.id LIMIT 50",
            today - dt.timedelta(days=within_days),
        )

    async def events_of_article(self, article_id: int) -> list[EventRow]:
        return await self._events("e.article_id=$1 ORDER BY e.start_date, e.id", article_id)

    async def get_event(self, event_id: int) -> EventRow | None:
        found = await self._events("e.id=$1", event_id)
        return found[0] if found else None

    async def events_starting_between(self, first: dt.date, last: dt.date) -> list[EventRow]:
        return await self._events(
            "e.start_date BETWEEN $1 AND $2 AND e.status != 'planned' ORDER BY e.start_date, e.id",
            first,
            last,
        )

    # ---- subscriptions ----------------------------------------------------------------
    async def subscribe(self, chat_id: int, topic: str) -> bool:
        """Subscribe (or re-activate); False when it was already active."""
        changed = await self._pool.fetchval(
            "INSERT INTO subscriptions(chat_id, topic, active, created_at)"
            " VALUES($1, $2, TRUE, $3) ON CONFLICT(chat_id, topic)"
            " DO UPDATE SET active=TRUE WHERE NOT subscriptions.active RETURNING id",
            chat_id,
            topic,
            _now(),
        )
        return changed is not None

    async def unsubscribe(self, chat_id: int) -> int:
        return _affected(
            await self._pool.execute(
                "UPDATE subscriptions SET active=FALSE WHERE chat_id=$1 AND active", chat_id
            )
        )

    async def deactivate_chat(self, chat_id: int) -> None:
        async with self.transaction() as conn:
            await conn.execute(
                "UPDATE subscriptions SET active=FALSE WHERE chat_id=$1 AND active", chat_id
            )
            await conn.execute(
                "UPDATE outbox SET status='dropped', error='blocked' "
                "WHERE chat_id=$1 AND status IN ('pending', 'sending')",
                chat_id,
            )

    async def active_subscriptions(self) -> list[tuple[int, str]]:
        rows = await self._pool.fetch(
            "SELECT chat_id, topic FROM subscriptions WHERE active ORDER BY id"
        )
        return [(r[0], r[1]) for r in rows]

    async def subscriptions_of(self, chat_id: int) -> list[str]:
        rows = await self._pool.fetch(
            "SELECT topic FROM subscriptions WHERE chat_id=$1 AND active"
            ' ORDER BY topic COLLATE "C"',
            chat_id,
        )
        return [r[0] for r in rows]

    async def count_subscribers(self) -> int:
        return await self._pool.fetchval(
            "SELECT count(DISTINCT chat_id) FROM subscriptions WHERE active"
        )

    # ---- outbox -----------------------------------------------------------------------
    async def enqueue(self, items: Iterable[Outgoing]) -> int:
        """Queue messages in the order given; dedupe keys already queued (or repeated in
        `items`) are skipped. Returns how many were new.

        Batches are queued one at a time (OUTBOX_LOCK): two workers queueing overlapping
        batches in different orders would each wait for a key the other inserted and not
        yet committed — a deadlock."""
        items = list(items)
        if not items:
            return 0
        async with self.transaction() as conn:
            await conn.execute("SELECT pg_advisory_xact_lock($1)", OUTBOX_LOCK)
            rows = await conn.fetch(
                "INSERT INTO outbox(chat_id, text, notice, dedupe_key, event_id, created_at)"
                " SELECT c, t, n, k, e, $6 FROM unnest($1::bigint[], $2::text[], $3::text[],"
                " $4::text[], $5::bigint[]) WITH ORDINALITY AS u(c, t, n, k, e, i) ORDER BY i"
                " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
                [o.chat_id for o in items],
                [o.text for o in items],
                [o.notice for o in items],
                [o.dedupe_key for o in items],
                [o.event_id for o in items],
                _now(),
            )
        return len(rows)

    async def claim_outbox(
        self, sender: str, now: float, lease: float, limit: int = 50
    ) -> list[OutboxRow]:
        """Due rows nobody holds, claimed by `sender` until `now + lease`, oldest first.
        Rows a dead sender left 'sending' past their lease are failed first (unknown
        outcome: never resent). Rows another sender is claiming right now are skipped
        (SKIP LOCKED), so two senders never claim one row and neither waits."""
        async with self.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET status='failed', claimed_by=NULL, "
                "error='unknown outcome: the sender stopped mid-send; not resent' "
                "WHERE status='sending' AND claimed_until < $1",
                now,
            )
            rows = await conn.fetch(
                "UPDATE outbox SET claimed_by=$1, claimed_until=$2 WHERE id IN ("
                " SELECT id FROM outbox WHERE status='pending' AND not_before <= $3"
                " AND claimed_until < $3 ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED) "
                "RETURNING id, chat_id, text, markup, attempts, notice, event_id",
                sender,
                now + lease,
                now,
                limit,
            )
        return sorted(
            (
                OutboxRow(r[0], r[1], r[2], json.loads(r[3]) if r[3] else None, r[4], r[5], r[6])
                for r in rows
            ),
            key=lambda row: row.id,
        )

    async def start_sending(self, outbox_id: int, sender: str, now: float, lease: float) -> bool:
        status = await self._pool.execute(
            "UPDATE outbox SET status='sending', claimed_until=$1 "
            "WHERE id=$2 AND claimed_by=$3 AND status='pending'",
            now + lease,
            outbox_id,
            sender,
        )
        return _affected(status) == 1

    async def release_claims(self, sender: str) -> int:
        """Give back the rows `sender` claimed and did not send (still 'pending')."""
        status = await self._pool.execute(
            "UPDATE outbox SET claimed_by=NULL, claimed_until=0 "
            "WHERE claimed_by=$1 AND status='pending'",
            sender,
        )
        return _affected(status)

    async def mark_sent(self, outbox_id: int) -> None:
        await self._pool.execute(
            "UPDATE outbox SET status='sent', sent_at=$1, attempts=attempts+1, claimed_by=NULL "
            "WHERE id=$2",
            _now(),
            outbox_id,
        )

    async def mark_retry(
        self, outbox_id: int, not_before: float, error: str, give_up: bool = False
    ) -> None:
        await self._pool.execute(
            "UPDATE outbox SET attempts=attempts+1, not_before=$1, error=$2, status=$3, "
            "claimed_by=NULL, claimed_until=0 WHERE id=$4",
            not_before,
            error,
            "failed" if give_up else "pending",
            outbox_id,
        )

    async def postpone_chat(self, chat_id: int, not_before: float) -> None:
        """Hold every pending item of one chat until `not_before`: that chat's own backoff,
        so the sender does not try its other items meanwhile (and others are not held)."""
        await self._pool.execute(
            "UPDATE outbox SET not_before=greatest(not_before, $1) "
            "WHERE chat_id=$2 AND status='pending'",
            not_before,
            chat_id,
        )

    async def move_chat(self, old: int, new: int) -> None:
        """A group became a supergroup (new id): its subscriptions and pending items follow.

        A topic the new chat already subscribed to keeps the new chat's row (SQLite's
        UPDATE OR IGNORE). Dedupe keys keep the id the item was planned for."""
        async with self.transaction() as conn:
            await conn.execute(
                "UPDATE subscriptions s SET chat_id=$1 WHERE chat_id=$2 AND NOT EXISTS ("
                " SELECT 1 FROM subscriptions t WHERE t.chat_id=$1 AND t.topic=s.topic)",
                new,
                old,
            )
            await conn.execute("DELETE FROM subscriptions WHERE chat_id=$1", old)
            await conn.execute(
                "UPDATE outbox SET chat_id=$1 "
                "WHERE chat_id=$2 AND status IN ('pending', 'sending')",
                new,
                old,
            )

    async def outbox_counts(self) -> dict[str, int]:
        rows = await self._pool.fetch(
            'SELECT status, count(*) FROM outbox GROUP BY status ORDER BY status COLLATE "C"'
        )
        return {r[0]: r[1] for r in rows}

    # ---- follow-up context -------------------------------------------------------------
    async def save_context(self, chat_id: int, subject: str, now: float) -> None:
        await self._pool.execute(
            "INSERT INTO chat_context(chat_id, subject, saved_at) VALUES($1, $2, $3) "
            "ON CONFLICT(chat_id) DO UPDATE SET subject=excluded.subject, "
            "saved_at=excluded.saved_at",
            chat_id,
            subject,
            now,
        )

    async def load_context(self, chat_id: int, newer_than: float) -> str | None:
        """The chat's last subject, if saved after `newer_than` (unix time)."""
        return await self._pool.fetchval(
            "SELECT subject FROM chat_context WHERE chat_id=$1 AND saved_at>$2",
            chat_id,
            newer_than,
        )

    async def purge_context(self, older_than: float) -> int:
        return _affected(
            await self._pool.execute("DELETE FROM chat_context WHERE saved_at<=$1", older_than)
        )

    # ---- query log, crisis counter, audit ---------------------------------------------
    async def log_query(self, text: str, intent: str, found: bool) -> None:
        await self._pool.execute(
            "INSERT INTO query_log(ts, text, intent, found) VALUES($1, $2, $3, $4)",
            _now(),
            text[:500],
            intent,
            found,
        )

    async def count_crisis(self, day: dt.date) -> None:
        await self._pool.execute(
            "INSERT INTO crisis_counter(day, count) VALUES($1, 1) "
            "ON CONFLICT(day) DO UPDATE SET count=crisis_counter.count+1",
            day,
        )

    async def purge_queries(self, older_than: dt.datetime) -> int:
        return _affected(
            await self._pool.execute("DELETE FROM query_log WHERE ts < $1", _moment(older_than))
        )

    async def query_stats(self, since: dt.datetime, top: int = 10) -> dict[str, Any]:
        # The questions are grouped by SQLite's lower(), which folds ASCII letters only:
        # translate() does the same, so both backends count the same groups.
        folded = "translate(text, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
        bound = _moment(since)
        async with self._pool.acquire() as conn:
            total = await conn.fetchval("SELECT count(*) FROM query_log WHERE ts >= $1", bound)
            top_rows = await conn.fetch(
                f'SELECT {folded} COLLATE "C" AS t, count(*) AS n FROM query_log '
                "WHERE ts >= $1 GROUP BY t ORDER BY n DESC, t LIMIT $2",
                bound,
                top,
            )
            missed = await conn.fetch(
                f'SELECT {folded} COLLATE "C" AS t, count(*) AS n FROM query_log '
                "WHERE ts >= $1 AND NOT found GROUP BY t ORDER BY n DESC, t LIMIT $2",
                bound,
                top,
            )
            crisis = await conn.fetchval(
                "SELECT coalesce(sum(count), 0) FROM crisis_counter WHERE day >= $1",
                since.date(),
            )
        return {
            "total": total,
            "top": [(r[0], r[1]) for r in top_rows],
            "missed": [(r[0], r[1]) for r in missed],
            "crisis": int(crisis),
        }

    async def audit(self, admin_id: int, action: str, detail: str = "") -> None:
        await self._pool.execute(
            "INSERT INTO audit(ts, admin_id, action, detail) VALUES($1, $2, $3, $4)",
            _now(),
            admin_id,
            action,
            detail[:500],
        )

    async def recent_audit(self, limit: int = 10) -> list[tuple[str, int, str, str]]:
        rows = await self._pool.fetch(
            "SELECT ts, admin_id, action, detail FROM audit ORDER BY id DESC LIMIT $1", limit
        )
        return [(_iso(r[0]) or "", r[1], r[2], r[3]) for r in rows]

    # ---- hand-offs to specialists -----------------------------------------------------
    async def _handoff(self, where: str, *params: Any) -> HandoffRow | None:
        row = await self._pool.fetchrow(f"{_HANDOFF} WHERE {where}", *params)
        return HandoffRow(*row) if row else None

    async def open_handoff(self, chat_id: int, now: float) -> tuple[HandoffRow, bool]:
        """The chat's open conversation, created when there is none (one per chat: a unique
        index, so two first messages at once cannot open two)."""
        async with self.transaction() as conn:
            created = await conn.fetchval(
                "INSERT INTO handoffs(chat_id, opened_at) VALUES($1, $2) "
                "ON CONFLICT(chat_id) WHERE status = 'open' DO NOTHING RETURNING id",
                chat_id,
                now,
            )
            row = await conn.fetchrow(f"{_HANDOFF} WHERE chat_id=$1 AND status='open'", chat_id)
        assert row is not None
        return HandoffRow(*row), created is not None

    async def open_handoff_of(self, chat_id: int) -> HandoffRow | None:
        return await self._handoff("chat_id=$1 AND status='open'", chat_id)

    async def get_handoff(self, handoff_id: int) -> HandoffRow | None:
        return await self._handoff("id=$1", handoff_id)

    async def handoff_by_thread(self, thread_id: int) -> HandoffRow | None:
        return await self._handoff("thread_id=$1 ORDER BY id DESC LIMIT 1", thread_id)

    async def handoff_by_message(self, support_message_id: int) -> HandoffRow | None:
        return await self._handoff(
            "id=(SELECT handoff_id FROM handoff_messages WHERE support_message_id=$1)",
            support_message_id,
        )

    async def add_handoff_message(self, handoff_id: int, support_message_id: int) -> None:
        await self._pool.execute(
            "INSERT INTO handoff_messages(support_message_id, handoff_id) VALUES($1, $2) "
            "ON CONFLICT(support_message_id) DO UPDATE SET handoff_id=excluded.handoff_id",
            support_message_id,
            handoff_id,
        )

    async def set_handoff_thread(self, handoff_id: int, thread_id: int) -> None:
        await self._pool.execute(
            "UPDATE handoffs SET thread_id=$1 WHERE id=$2", thread_id, handoff_id
        )

    async def mark_handoff_reply(self, handoff_id: int, now: float) -> None:
        await self._pool.execute(
            "UPDATE handoffs SET first_reply_at=$1 WHERE id=$2 AND first_reply_at IS NULL",
            now,
            handoff_id,
        )

    async def share_handoff_name(self, handoff_id: int, name: str) -> None:
        await self._pool.execute("UPDATE handoffs SET shared_name=$1 WHERE id=$2", name, handoff_id)

    async def close_handoff(self, handoff_id: int, now: float) -> bool:
        status = await self._pool.execute(
            "UPDATE handoffs SET status='closed', closed_at=$1 WHERE id=$2 AND status='open'",
            now,
            handoff_id,
        )
        return _affected(status) == 1

    async def handoffs_since(self, since: float) -> list[HandoffRow]:
        rows = await self._pool.fetch(f"{_HANDOFF} WHERE opened_at >= $1 ORDER BY id", since)
        return [HandoffRow(*r) for r in rows]

    # ---- answers and their ratings ----------------------------------------------------
    async def record_answer(self, doc: DocRef, question: str, now: float) -> int:
        """Keep an answer as given, so a 👍/👎 button can name it by id."""
        return await self._pool.fetchval(
            "INSERT INTO answers(doc, question, ts) VALUES($1, $2, $3) RETURNING id",
            str(doc),
            question[:500],
            now,
        )

    async def get_answer(self, answer_id: int) -> AnswerRow | None:
        row = await self._pool.fetchrow(
            "SELECT id, doc, question, ts FROM answers WHERE id=$1", answer_id
        )
        doc = DocRef.parse(row[1]) if row else None
        return AnswerRow(row[0], doc, row[2], row[3]) if row and doc else None

    async def rate_answer(
        self, answer_id: int, rater: str, value: int, now: float
    ) -> tuple[bool, int | None]:
        """Set one rater's rating of one answer (a second press replaces the first; the same
        press again changes nothing). Returns (the answer exists, the previous value). The
        answer's row is locked, so two presses at once take turns."""
        async with self.transaction() as conn:
            if not await conn.fetchval("SELECT 1 FROM answers WHERE id=$1 FOR UPDATE", answer_id):
                return False, None
            previous = await conn.fetchval(
                "SELECT value FROM ratings WHERE answer_id=$1 AND rater=$2", answer_id, rater
            )
            if previous != value:
                await conn.execute(
                    "INSERT INTO ratings(answer_id, rater, value, reason, ts)"
                    " VALUES($1, $2, $3, NULL, $4) ON CONFLICT(answer_id, rater)"
                    " DO UPDATE SET value=excluded.value, reason=NULL, ts=excluded.ts",
                    answer_id,
                    rater,
                    value,
                    now,
                )
        return True, previous

    async def set_rating_reason(self, answer_id: int, rater: str, reason: str) -> bool:
        """Why a 👎: only the rater's own 👎 of that answer takes a reason."""
        status = await self._pool.execute(
            "UPDATE ratings SET reason=$1 WHERE answer_id=$2 AND rater=$3 AND value<0",
            reason,
            answer_id,
            rater,
        )
        return _affected(status) == 1

    async def rating_counts(self, since: float, limit: int = 10) -> list[RatingCount]:
        """👍 and 👎 per document since `since`, the most 👎 first."""
        rows = await self._pool.fetch(
            "SELECT a.doc, count(*) FILTER (WHERE r.value > 0) AS up,"
            " count(*) FILTER (WHERE r.value < 0) AS down FROM ratings r"
            " JOIN answers a ON a.id = r.answer_id WHERE r.ts >= $1"
            ' GROUP BY a.doc ORDER BY down DESC, up DESC, a.doc COLLATE "C" LIMIT $2',
            since,
            limit,
        )
        return [RatingCount(doc, r[1], r[2]) for r in rows if (doc := DocRef.parse(r[0]))]

    async def purge_answers(self, older_than: float) -> int:
        """Answers (and their ratings) go with the query log: their wording is the same."""
        return _affected(await self._pool.execute("DELETE FROM answers WHERE ts < $1", older_than))

    # ---- the editors' queue and learned phrases -----------------------------------------
    async def review_rows(self, limit: int) -> list[ReviewRow]:
        """The newest `limit` questions that found nothing and `limit` 👎, without who."""
        missed = await self._pool.fetch(
            "SELECT id, ts, text FROM query_log WHERE NOT found ORDER BY id DESC LIMIT $1",
            limit,
        )
        disliked = await self._pool.fetch(
            "SELECT a.id, a.question, a.doc, r.reason, r.ts FROM ratings r "
            "JOIN answers a ON a.id = r.answer_id WHERE r.value < 0 ORDER BY r.ts DESC LIMIT $1",
            limit,
        )
        return [ReviewRow("q", r[0], r[1], r[2]) for r in missed] + [
            ReviewRow("a", r[0], _utc(r[4]), r[1], DocRef.parse(r[2]), r[3], r[4]) for r in disliked
        ]

    async def review_row(self, source: str, row_id: int) -> ReviewRow | None:
        """One occurrence a queue button names (None when it is gone or never was)."""
        if source == "q":
            row = await self._pool.fetchrow(
                "SELECT id, ts, text FROM query_log WHERE id=$1 AND NOT found", row_id
            )
            return ReviewRow("q", row[0], row[1], row[2]) if row else None
        if source == "a":
            answer = await self.get_answer(row_id)
            if answer is None:
                return None
            return ReviewRow("a", answer.id, _utc(answer.at), answer.question, answer.doc)
        return None

    async def handled_marks(self) -> dict[str, HandledMark]:
        rows = await self._pool.fetch("SELECT phrase, query_id, rated_at FROM review_handled")
        return {r[0]: HandledMark(r[1], r[2]) for r in rows}

    async def mark_handled(self, phrases: Sequence[str], now: float) -> None:
        """Hide these wordings' occurrences so far: query-log rows up to the newest id, 👎
        up to `now`. A later occurrence brings the wording back. (In sorted order: two
        editors marking the same wordings lock them in one order, not into a deadlock.)"""
        async with self.transaction() as conn:
            last = await conn.fetchval("SELECT coalesce(max(id), 0) FROM query_log")
            await conn.executemany(
                "INSERT INTO review_handled(phrase, query_id, rated_at) VALUES($1, $2, $3) "
                "ON CONFLICT(phrase) DO UPDATE SET query_id=excluded.query_id, "
                "rated_at=excluded.rated_at",
                [(p, last, now) for p in sorted(phrases)],
            )

    async def learn_phrases(self, phrases: Sequence[str], doc: DocRef, wording: str) -> None:
        """Link wordings to a document; the generation moves, so every worker's search
        reloads them before its next question."""
        async with self._changing() as conn:
            await conn.executemany(
                "INSERT INTO learned_phrases(phrase, doc, wording, created_at)"
                " VALUES($1, $2, $3, $4) ON CONFLICT(phrase) DO UPDATE SET doc=excluded.doc,"
                " wording=excluded.wording, created_at=excluded.created_at",
                [(p, str(doc), wording[:500], _now()) for p in phrases],
            )

    async def learned_phrases(self) -> dict[str, DocRef]:
        """Learned wordings whose document still exists (a deleted article's are skipped).
        An article's id is cast only when it is digits (a CASE: PostgreSQL may evaluate
        the parts of an AND in any order)."""
        rows = await self._pool.fetch(
            "SELECT phrase, doc FROM learned_phrases WHERE "
            "(CASE WHEN doc ~ '^a:[0-9]{1,18}$' THEN substr(doc, 3)::bigint END)"
            " IN (SELECT id FROM articles) OR "
            "(left(doc, 2) = 'c:' AND substr(doc, 3) IN (SELECT id FROM cards))"
        )
        return {r[0]: doc for r in rows if (doc := DocRef.parse(r[1]))}

    async def missed_by_week(self, since: dt.date) -> list[WeekShare]:
        """Questions per week (weeks start on Monday, UTC) since `since`, and how many of
        them found nothing. Weeks without questions are left out."""
        rows = await self._pool.fetch(
            "SELECT date_trunc('week', ts AT TIME ZONE 'UTC')::date AS week, count(*),"
            " count(*) FILTER (WHERE NOT found) FROM query_log WHERE ts >= $1"
            " GROUP BY week ORDER BY week",
            _midnight(since),
        )
        return [WeekShare(r[0], r[1], r[2]) for r in rows]

    # ---- editors ----------------------------------------------------------------------
    async def add_editor(self, user_id: int, added_by: int) -> bool:
        status = await self._pool.execute(
            "INSERT INTO editors(user_id, added_by, added_at) VALUES($1, $2, $3) "
            "ON CONFLICT(user_id) DO NOTHING",
            user_id,
            added_by,
            _now(),
        )
        return _affected(status) == 1

    async def remove_editor(self, user_id: int) -> bool:
        status = await self._pool.execute("DELETE FROM editors WHERE user_id=$1", user_id)
        return _affected(status) == 1

    async def is_editor(self, user_id: int) -> bool:
        return await self._pool.fetchval("SELECT 1 FROM editors WHERE user_id=$1", user_id) == 1

    async def list_editors(self) -> list[EditorRow]:
        rows = await self._pool.fetch(
            "SELECT user_id, added_by, added_at FROM editors ORDER BY added_at, user_id"
        )
        return [EditorRow(r[0], r[1], _iso(r[2]) or "") for r in rows]

    # ---- the region a person chose ----------------------------------------------------
    async def set_chat_region(self, chat_id: int, region: str) -> None:
        await self._pool.execute(
            "INSERT INTO chat_regions(chat_id, region, set_at) VALUES($1, $2, $3) "
            "ON CONFLICT(chat_id) DO UPDATE SET region=excluded.region, set_at=excluded.set_at",
            chat_id,
            region,
            _now(),
        )

    async def chat_region(self, chat_id: int) -> str | None:
        return await self._pool.fetchval(
            "SELECT region FROM chat_regions WHERE chat_id=$1", chat_id
        )

    async def forget_chat_region(self, chat_id: int) -> bool:
        status = await self._pool.execute("DELETE FROM chat_regions WHERE chat_id=$1", chat_id)
        return _affected(status) == 1

    async def chats_in_region(self, region: str) -> list[int]:
        rows = await self._pool.fetch(
            "SELECT chat_id FROM chat_regions WHERE region=$1 ORDER BY chat_id", region
        )
        return [r[0] for r in rows]

    # ---- the directory of centres (/centres) ------------------------------------------
    # Saving and confirming take CENTRES_LOCK: «stale» (another upload saved since) is
    # decided and acted on by one writer at a time, as with SQLite's single writer.
    async def save_centres(
        self, admin_id: int, filename: str, rows: Sequence[CentreRow], now: float
    ) -> dict[str, int]:
        """Store an upload: every region its rows name is replaced, in one transaction.
        Returns each replaced region's count before."""
        async with self.transaction() as conn:
            await conn.execute("SELECT pg_advisory_xact_lock($1)", CENTRES_LOCK)
            upload_id = await conn.fetchval(
                "INSERT INTO centre_uploads(admin_id, filename, status, created_at)"
                " VALUES($1, $2, 'saved', $3) RETURNING id",
                admin_id,
                filename,
                now,
            )
            return await _replace_centres(conn, upload_id, rows)

    async def stage_centres(
        self, admin_id: int, filename: str, rows: Sequence[CentreRow], now: float, ttl: float
    ) -> int:
        """Keep an upload's good rows until «Сохранить» is pressed; pending uploads older
        than `ttl` seconds are dropped in the same turn."""
        async with self.transaction() as conn:
            await conn.execute(
                "DELETE FROM centre_uploads WHERE status='pending' AND created_at < $1",
                now - ttl,
            )
            return await conn.fetchval(
                "INSERT INTO centre_uploads(admin_id, filename, status, rows, created_at)"
                " VALUES($1, $2, 'pending', $3, $4) RETURNING id",
                admin_id,
                filename,
                json.dumps([_centre_dict(r) for r in rows]),
                now,
            )

    async def confirm_centres(self, upload_id: int, now: float, ttl: float) -> SavedCentres:
        async with self.transaction() as conn:
            await conn.execute("SELECT pg_advisory_xact_lock($1)", CENTRES_LOCK)
            pending = await conn.fetchval(
                "SELECT rows FROM centre_uploads"
                " WHERE id=$1 AND status='pending' AND created_at>=$2",
                upload_id,
                now - ttl,
            )
            if pending is None:
                return SavedCentres("gone", [], {})
            if await conn.fetchval(
                "SELECT 1 FROM centre_uploads WHERE status='saved' AND id > $1 LIMIT 1",
                upload_id,
            ):
                return SavedCentres("stale", [], {})
            rows = [CentreRow(**r) for r in json.loads(pending)]
            before = await _replace_centres(conn, upload_id, rows)
            await conn.execute(
                "UPDATE centre_uploads SET status='saved', rows='[]' WHERE id=$1", upload_id
            )
        return SavedCentres("saved", rows, before)

    async def centres_in(self, region: str) -> list[CentreRow]:
        rows = await self._pool.fetch(
            f"SELECT {_CENTRE_COLUMNS} FROM centres WHERE region=$1 ORDER BY id", region
        )
        return [CentreRow(*r) for r in rows]

    async def located_centres(self) -> list[CentreRow]:
        rows = await self._pool.fetch(
            f"SELECT {_CENTRE_COLUMNS} FROM centres WHERE lat IS NOT NULL AND lon IS NOT NULL"
            " ORDER BY id"
        )
        return [CentreRow(*r) for r in rows]

    async def centre_kinds(self) -> list[str]:
        rows = await self._pool.fetch(
            'SELECT DISTINCT kind COLLATE "C" AS kind FROM centres ORDER BY 1'
        )
        return [r[0] for r in rows]

    async def centre_places(self) -> list[tuple[str, str]]:
        rows = await self._pool.fetch(
            'SELECT DISTINCT city COLLATE "C" AS city, region COLLATE "C" AS region'
            " FROM centres ORDER BY region, city"
        )
        return [(r[0], r[1]) for r in rows]

    async def centre_counts(self) -> list[tuple[str, str, int]]:
        rows = await self._pool.fetch(
            "SELECT region, kind, count(*) AS n FROM centres GROUP BY region, kind"
            ' ORDER BY region COLLATE "C", n DESC, kind COLLATE "C"'
        )
        return [(r[0], r[1], r[2]) for r in rows]

    # ---- announcements (/broadcast) ---------------------------------------------------
    async def add_broadcast(
        self, admin_id: int, text: str, region: str | None, topic: str | None
    ) -> int:
        return await self._pool.fetchval(
            "INSERT INTO broadcasts(admin_id, text, region, topic, created_at) "
            "VALUES($1, $2, $3, $4, $5) RETURNING id",
            admin_id,
            text,
            region,
            topic,
            _now(),
        )

    async def get_broadcast(self, broadcast_id: int) -> BroadcastRow | None:
        row = await self._pool.fetchrow(
            f"SELECT {_BROADCAST_COLUMNS} FROM broadcasts WHERE id=$1", broadcast_id
        )
        return _broadcast(row) if row else None

    async def start_broadcast(self, broadcast_id: int, items: Sequence[Outgoing]) -> int | None:
        """Draft → sending and its messages queued, together; None when it is no draft (sent
        or cancelled already: a second press waits for the first's row lock, then finds no
        draft and queues nothing)."""
        async with self.transaction() as conn:
            now = _now()
            status = await conn.execute(
                "UPDATE broadcasts SET status='sending', sent_at=$1 WHERE id=$2 AND status='draft'",
                now,
                broadcast_id,
            )
            if _affected(status) != 1:
                return None
            await conn.execute("SELECT pg_advisory_xact_lock($1)", OUTBOX_LOCK)  # see enqueue
            queued = await conn.fetch(
                "INSERT INTO outbox(chat_id, text, dedupe_key, created_at)"
                " SELECT c, t, k, $4 FROM unnest($1::bigint[], $2::text[], $3::text[])"
                " WITH ORDINALITY AS u(c, t, k, i) ORDER BY i"
                " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
                [o.chat_id for o in items],
                [o.text for o in items],
                [o.dedupe_key for o in items],
                now,
            )
            await conn.execute(
                "UPDATE broadcasts SET recipients=$1 WHERE id=$2", len(queued), broadcast_id
            )
            return len(queued)

    async def cancel_broadcast(self, broadcast_id: int) -> bool:
        status = await self._pool.execute(
            "UPDATE broadcasts SET status='cancelled' WHERE id=$1 AND status='draft'",
            broadcast_id,
        )
        return _affected(status) == 1

    async def finish_broadcast(self, broadcast_id: int) -> bool:
        status = await self._pool.execute(
            "UPDATE broadcasts SET status='done' WHERE id=$1 AND status='sending'",
            broadcast_id,
        )
        return _affected(status) == 1

    async def broadcast_outcome(self, broadcast_id: int) -> dict[str, int]:
        """The broadcast's outbox rows by status (pending, sent, failed, dropped). Its keys
        are 'broadcast:<id>:<chat>': a range on the unique index (dedupe_key is COLLATE
        "C", so the range is byte order), not a scan."""
        low = broadcast_key(broadcast_id, 0)[:-1]  # 'broadcast:<id>:'
        high = low[:-1] + ";"  # ';' follows ':' in ASCII
        rows = await self._pool.fetch(
            "SELECT status, count(*) FROM outbox WHERE dedupe_key >= $1 AND dedupe_key < $2"
            ' GROUP BY status ORDER BY status COLLATE "C"',
            low,
            high,
        )
        return {r[0]: r[1] for r in rows}

    async def recent_broadcasts(self, limit: int = 5) -> list[BroadcastRow]:
        rows = await self._pool.fetch(
            f"SELECT {_BROADCAST_COLUMNS} FROM broadcasts ORDER BY id DESC LIMIT $1", limit
        )
        return [_broadcast(r) for r in rows]
