"""The store keeps its own vocabulary (term_df) and the analyzer's copy stays in step."""

from __future__ import annotations

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
