"""`python -m bot migrate-store`: a working SQLite store moved into PostgreSQL keeps every
row a person or an admin would miss — articles with their events and search, subscribers,
queued notices, the audit, ratings, the directory of centres — answers the same questions
the same way, and a second run changes nothing."""

from __future__ import annotations

import sqlite3
import time

from bot.__main__ import main
from bot.store import open_store
from bot.store.base import CentreRow, DocRef, Outgoing, TermQuery
from bot.store.transfer import migrate_store
from tests.services import fresh_database
from tests.support import FIXTURES


async def fill(app) -> None:
    """What a deployment has after a while, beyond the seeds."""
    outcome = await app.library.add(
        (FIXTURES / "webinar_cp1251.txt").read_bytes(), "webinar.txt", "test"
    )
    assert outcome.stored
    store = app.store
    await store.subscribe(501, "")
    await store.subscribe(502, "вебинар")
    await store.unsubscribe(502)
    event = (await store.events_of_article(outcome.article_id))[0]
    await store.enqueue([Outgoing(501, f"new:{event.id}:501", notice="new", event_id=event.id)])
    await store.audit(777, "upload", "webinar.txt")
    answer = await store.record_answer(DocRef.article(outcome.article_id), "вебинар", time.time())
    await store.rate_answer(answer, "rater-1", -1, time.time())
    await store.set_chat_region(501, "Тюменская область")
    await store.save_centres(
        777,
        "c.csv",
        [CentreRow("МФЦ", "Семейный МФЦ", "Тюменская область", "Тюмень", "ул. Ленина, 1")],
        time.time(),
    )
    await store.add_editor(888, 777)


async def snapshot(store) -> dict:
    articles = await store.list_articles(0, 100)
    return {
        "articles": [(a.id, a.title, a.published, a.places, a.source_url) for a in articles],
        "events": [
            (e.id, e.title, e.start, e.time)
            for a in articles
            for e in await store.events_of_article(a.id)
        ],
        "cards": await store.get_cards(),
        "vocabulary": await store.vocabulary(),
        "documents": await store.document_count(),
        "subscriptions": await store.active_subscriptions(),
        "outbox": await store.outbox_counts(),
        "audit": [row[1:] for row in await store.recent_audit(10)],
        "ratings": [(r.doc, r.up, r.down) for r in await store.rating_counts(0)],
        "region": await store.chat_region(501),
        "centres": await store.centres_in("Тюменская область"),
        "editors": [e.user_id for e in await store.list_editors()],
        "match": [(m.doc, m.title) for m in await store.match(TermQuery(("вебинар", "мфц")), 10)],
    }


async def test_migrate_store_moves_everything_and_is_safe_to_rerun(app, db_path, capsys):
    await fill(app)
    before = await snapshot(app.store)
    await app.close()
    async with fresh_database("bot_migrate") as url:
        said: list[str] = []
        await migrate_store(f"sqlite:///{db_path}", url, said.append)
        assert any(line.startswith("articles: 6 rows, 6 new") for line in said), said
        pg = await open_store(url)
        try:
            after = await snapshot(pg)
            assert {k: v for k, v in after.items() if k != "match"} == {
                k: v for k, v in before.items() if k != "match"
            }
            assert set(after["match"]) == set(before["match"]) and after["match"]
            # A new article continues after the ids moved over.
            newest = max(a[0] for a in after["articles"])
            outcome = await pg.add_article(*(await new_article()))
            assert outcome == newest + 1
        finally:
            await pg.close()
        said.clear()
        await migrate_store(f"sqlite:///{db_path}", url, said.append)  # again: nothing new
        assert all(line.endswith(" 0 new") for line in said if " rows, " in line), said
        pg = await open_store(url)
        try:
            assert await pg.count("articles") == 7
        finally:
            await pg.close()


async def new_article():
    from bot.store.base import NewArticle

    return (
        NewArticle(
            title="Новая статья",
            published=None,
            source_url=None,
            places=[],
            summary="",
            body="текст",
            content_hash="after-migration",
            origin="test",
            fmt="txt",
            index_title="новый статья",
            index_body="текст",
        ),
        [],
    )


def test_migrate_store_refuses_what_it_cannot_copy(tmp_path, capsys):
    code = main(
        [
            "migrate-store",
            "--from",
            f"sqlite:///{tmp_path}/none.sqlite3",
            "--to",
            "postgresql://postgres@127.0.0.1:5432/x",
        ]
    )
    assert code == 2 and "нет файла SQLite" in capsys.readouterr().err
    source = tmp_path / "s.sqlite3"
    sqlite3.connect(source).close()  # an (empty) SQLite store: the target is what fails
    for target in (
        "postgresql://postgres@127.0.0.1:1/x",
        "postgresql://postgres@127.0.0.1/no_such_db_0",
    ):
        code = main(["migrate-store", "--from", f"sqlite:///{source}", "--to", target])
        err = capsys.readouterr().err
        assert code == 2 and "нет связи с базой" in err and "Traceback" not in err, err
    code = main(["migrate-store", "--from", "postgresql://a@b/c", "--to", "sqlite:///x"])
    assert code == 2 and "--from — хранилище SQLite" in capsys.readouterr().err
