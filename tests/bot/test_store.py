"""The store keeps its own vocabulary (term_df) and the analyzer's copy stays in step."""

from __future__ import annotations

import asyncio

from bot.app import App
from tests.support import FIXTURES


async def fts_vocabulary(store) -> dict[str, int]:
    async with store._db.execute("SELECT term, doc FROM search_vocab") as cur:
        return {r[0]: r[1] for r in await cur.fetchall()}


async def test_term_df_matches_the_index_after_add_and_delete(app):
    assert await app.store.vocabulary() == await fts_vocabulary(app.store)
    outcome = await app.library.add(
        (FIXTURES / "webinar_cp1251.txt").read_bytes(), "webinar.txt", "test"
    )
    assert outcome.stored
    assert await app.store.vocabulary() == await fts_vocabulary(app.store)
    # The analyzer was updated in place, and agrees with a full reload.
    assert app.search.analyzer.doc_freq == await app.store.vocabulary()
    assert app.search.analyzer.docs == await app.store.document_count()
    found = await app.search.search("вебинар замещающие семьи")
    assert found.found and str(found.hits[0].doc) == f"a:{outcome.article_id}"

    assert await app.library.delete(outcome.article_id)
    assert await app.store.vocabulary() == await fts_vocabulary(app.store)
    assert app.search.analyzer.doc_freq == await app.store.vocabulary()
    after = await app.search.search("вебинар замещающие семьи")
    assert all(str(h.doc) != f"a:{outcome.article_id}" for h in after.hits)


async def test_failed_write_leaves_no_half_article(app, monkeypatch):
    from bot.store.sqlite import store as sqlite

    before = (
        await app.store.count("articles"),
        await app.store.count("events"),
        await app.store.document_count(),
        await app.store.vocabulary(),
    )

    async def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sqlite, "_index_insert", broken)
    try:
        await app.ingest.add_document(
            (FIXTURES / "forum_kazan.docx").read_bytes(), "forum.docx", "test"
        )
    except RuntimeError:
        pass
    after = (
        await app.store.count("articles"),
        await app.store.count("events"),
        await app.store.document_count(),
        await app.store.vocabulary(),
    )
    assert after == before


async def test_an_article_added_by_another_process_is_found_at_once(db_path):
    """`python -m bot ingest` while the bot runs: the running bot finds the new article on
    the next question, without a restart (the store's generation counter)."""
    from tests.conftest import make_settings

    running = await App.create(make_settings(db_path))
    other = await App.create(make_settings(db_path))
    try:
        before = await running.search.search("квазиуникальный семинар по робототехнике")
        assert not before.found
        text = "Квазиуникальный семинар по робототехнике для приёмных семей пройдёт в Перми."
        outcome = await other.library.add(text.encode(), "robots.txt", "ingest:robots.txt")
        assert outcome.stored
        after = await running.search.search("квазиуникальный семинар по робототехнике")
        assert after.found and str(after.hits[0].doc) == f"a:{outcome.article_id}"
        # and a deletion by the other process is seen too
        assert await other.library.delete(outcome.article_id)
        gone = await running.search.search("квазиуникальный семинар по робототехнике")
        assert all(str(h.doc) != f"a:{outcome.article_id}" for h in gone.hits)
    finally:
        await other.close()
        await running.close()


async def test_what_the_answers_keep_in_memory_follows_another_process(db_path):
    """Articles and event lists an answer keeps between questions (bot/domain/kept.py,
    EventsService) are forgotten when another process changes the content: an article
    deleted by `ingest`'s process is not shown from memory, new events are listed at once."""
    from bot.domain.answers import ArticleAnswer, EventsAnswer
    from tests.conftest import make_settings

    running = await App.create(make_settings(db_path))
    other = await App.create(make_settings(db_path))
    question = "квазиуникальный семинар по робототехнике"
    try:
        text = (
            "Квазиуникальный семинар по робототехнике для приёмных семей пройдёт в Перми "
            "15 декабря 2026 года."
        )
        added = await other.library.add(text.encode(), "robots.txt", "ingest:robots.txt")
        shown = await running.answerer.answer(question, chat_id=1)
        assert isinstance(shown, ArticleAnswer) and shown.article.id == added.article_id
        # asked twice: the second answer comes from memory, the same article
        again = await running.answerer.answer(question + " в перми", chat_id=2)
        assert isinstance(again, ArticleAnswer) and again.article.id == added.article_id
        listed = await running.answerer.answer("какие семинары в декабре", chat_id=3)
        assert isinstance(listed, EventsAnswer)
        places_before = [e.place for e in listed.listing.upcoming]
        assert "Пермь" in places_before

        assert await other.library.delete(added.article_id)
        gone = await running.answerer.answer(question, chat_id=4)
        assert not (isinstance(gone, ArticleAnswer) and gone.article.id == added.article_id)
        listed_after = await running.answerer.answer("какие семинары в декабре", chat_id=5)
        # the only December seminar is gone: no list with it (here: «не нашёл»)
        if isinstance(listed_after, EventsAnswer):
            assert "Пермь" not in [e.place for e in listed_after.listing.upcoming]

        more = (
            "Второй квазиуникальный семинар по робототехнике пройдёт в Казани "
            "20 декабря 2026 года."
        )
        assert (await other.library.add(more.encode(), "more.txt", "ingest:more.txt")).stored
        listed_new = await running.answerer.answer("какие семинары в декабре", chat_id=6)
        assert isinstance(listed_new, EventsAnswer)
        assert "Казань" in [e.place for e in listed_new.listing.upcoming]
    finally:
        await other.close()
        await running.close()


async def test_the_wal_is_copied_back_in_the_background_not_by_a_write(tmp_path, monkeypatch):
    """SQLite's automatic checkpoint runs inside the write that fills the WAL (an answer
    waiting ~50 ms); the store turns it off and checkpoints from a task of its own: what was
    written reaches the database file itself without any write doing it."""
    import shutil
    import sqlite3

    from bot.store.sqlite import store as sqlite_store

    monkeypatch.setattr(sqlite_store, "CHECKPOINT_EVERY", 0.05)
    path = tmp_path / "bot.sqlite3"
    store = await sqlite_store.SqliteStore.open(path)
    try:
        autocheckpoint = await store._scalar("PRAGMA wal_autocheckpoint")
        assert autocheckpoint == 0
        for i in range(50):
            await store.log_query(f"вопрос {i}", "search", True)

        def rows_in_main_file() -> int:
            # The database file alone, without its WAL: only checkpointed rows are there.
            copy = tmp_path / "main-only.sqlite3"
            shutil.copyfile(path, copy)
            conn = sqlite3.connect(copy)
            try:
                return conn.execute("SELECT count(*) FROM query_log").fetchone()[0]
            except sqlite3.OperationalError:  # not even the schema checkpointed yet
                return 0
            finally:
                conn.close()

        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while rows_in_main_file() < 50 and loop.time() < deadline:
            await asyncio.sleep(0.05)
        assert rows_in_main_file() == 50
    finally:
        await store.close()
