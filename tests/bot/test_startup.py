"""Start-up contracts: seeding once, no re-index of a current store, a re-index when the
index version changes. (`python -m bot run` itself: tests/e2e/test_run.py.)"""

from __future__ import annotations

from bot.app import App
from tests.conftest import make_settings


async def test_seeds_and_cards_load_once_across_two_starts(tmp_path):
    db = tmp_path / "fresh.sqlite3"
    first = await App.create(make_settings(db))
    counts = (
        await first.store.count("articles"),
        len(await first.store.get_cards()),
        await first.store.document_count(),
    )
    await first.close()
    second = await App.create(make_settings(db))
    again = (
        await second.store.count("articles"),
        len(await second.store.get_cards()),
        await second.store.document_count(),
    )
    assert await second.store.schema_version() >= 1
    await second.close()
    assert counts == again
    assert counts[0] == 5 and counts[1] >= 5 and counts[2] == counts[0] + counts[1]


async def test_restart_does_not_reindex_a_current_store(db_path, monkeypatch):
    from bot.store.sqlite import SqliteStore as Store

    async def forbidden(self, rows):
        raise AssertionError("re-indexed a current store")

    monkeypatch.setattr(Store, "reindex_articles", forbidden)
    app = await App.create(make_settings(db_path))
    await app.close()


async def test_index_version_change_reindexes_once(db_path, monkeypatch):
    import bot.bootstrap

    monkeypatch.setattr(bot.bootstrap, "INDEX_VERSION", "test-next")
    app = await App.create(make_settings(db_path))
    assert await app.store.get_meta("index_version") == "test-next"
    found = await app.search.search("семейный мфц")
    assert found.found and str(found.hits[0].doc) == "c:mfc"
    await app.close()
