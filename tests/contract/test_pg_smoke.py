"""What only the PostgreSQL store has to get right: workers migrating together, the
generation listener going down and coming back, and the tsquery built from search terms.
(The behaviour both stores share is pinned by the test_store_*.py contract.)"""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from bot.store.base import DocRef, NewArticle, TermQuery
from bot.store.postgres import PgStore
from bot.store.postgres.migrations import MIGRATIONS
from bot.store.postgres.store import tsquery_text
from tests.services import fresh_database


def _article(key: str, index_title: str, index_body: str) -> NewArticle:
    return NewArticle(
        title=key,
        published=None,
        source_url=None,
        places=[],
        summary="",
        body=key,
        content_hash=key,
        origin="test",
        fmt="txt",
        index_title=index_title,
        index_body=index_body,
    )


@pytest.fixture
async def url():
    async with fresh_database("bot_pg_smoke") as fresh:
        yield fresh


async def test_workers_starting_together_migrate_once(url):
    stores = await asyncio.gather(*(PgStore.open(url, pool_size=2) for _ in range(6)))
    try:
        for store in stores:
            assert await store.schema_version() == len(MIGRATIONS)
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch("SELECT version FROM schema_migrations ORDER BY version")
        finally:
            await conn.close()
        assert [r[0] for r in rows] == list(range(1, len(MIGRATIONS) + 1))
    finally:
        await asyncio.gather(*(s.close() for s in stores))


async def test_generation_survives_a_lost_listener(url):
    reader = await PgStore.open(url, pool_size=2)
    writer = await PgStore.open(url, pool_size=2)
    try:
        before = await reader.generation()
        # The listener's backend is killed, as a server restart or a network cut would.
        admin = await asyncpg.connect(url)
        try:
            assert reader._listener is not None
            await admin.execute(
                "SELECT pg_terminate_backend($1)", reader._listener.get_server_pid()
            )
        finally:
            await admin.close()
        await asyncio.sleep(0.2)
        await writer.add_article(_article("x", "заголовок", "текст"), [])
        # Read from the meta row (or from a listener opened again): never the stale cache.
        assert await reader.generation() == before + 1
        for _ in range(50):
            if reader._listener is not None:
                break
            reader._listen_retry_at = 0.0  # no waiting LISTEN_RETRY_S in a test
            await reader.generation()
            await asyncio.sleep(0.02)
        assert reader._listener is not None  # listening again
        await writer.add_article(_article("y", "заголовок", "текст"), [])
        for _ in range(100):
            if await reader.generation() == before + 2:
                break
            await asyncio.sleep(0.02)
        assert await reader.generation() == before + 2
    finally:
        await reader.close()
        await writer.close()


async def test_a_phrase_does_not_run_from_the_title_into_the_body(url):
    store = await PgStore.open(url, pool_size=2)
    try:
        await store.add_article(_article("a", "семейный центр", "помощь семье"), [])
        await store.add_article(_article("b", "центр", "центр помощь"), [])
        phrase = TermQuery(("центр помощь",))
        assert [m.doc for m in await store.match(phrase, 10)] == [DocRef("a", "2")]
    finally:
        await store.close()


def test_tsquery_text_quotes_words_and_drops_everything_else():
    assert tsquery_text(TermQuery(("мфц", "телефон доверие"))) == (
        "'мфц' | ('телефон' <-> 'доверие')"
    )
    assert tsquery_text(TermQuery(("a", "b"), require_all=True)) == "'a' & 'b'"
    assert tsquery_text(TermQuery(("'x' | !y:*", "<->"))) == "('x' <-> 'y')"
    assert tsquery_text(TermQuery(("", "!&|"))) is None
