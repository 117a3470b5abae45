"""Articles with their events and index rows: written together or not at all."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.store.base import ArticleRow, DocRef, EventRow, TermQuery
from tests.contract.builders import article, event, expected_vocabulary, note


async def test_add_article_writes_article_events_and_index_together(store):
    new = article(
        1,
        title="Вебинар для приёмных семей",
        body="Вебинар пройдёт 16 октября.",
        index_title="вебинар приемный семья",
        index_body="вебинар пройти октябрь",
        published=dt.date(2024, 10, 1),
        source_url="https://example.org/a",
        places=["Тюмень", "Ишим"],
        summary="Коротко.",
        origin="ingest:a.txt",
        source_name="Министерство",
    )
    events = [
        event(dt.date(2024, 10, 16), dt.date(2024, 10, 18), time=dt.time(10, 30), place="Тюмень"),
        event(dt.date(2024, 11, 1), title="Школа", kind="school", sentence="Школа откроется."),
    ]
    article_id = await store.add_article(new, events)
    assert isinstance(article_id, int)
    assert await store.count("articles") == 1
    assert await store.count("events") == 2
    assert await store.document_count() == 1
    assert await store.article_id_by_hash("hash-1") == article_id
    assert await store.article_id_by_hash("hash-2") is None

    row = await store.get_article(article_id)
    assert isinstance(row, ArticleRow)
    assert (row.id, row.title, row.body, row.summary) == (
        article_id,
        "Вебинар для приёмных семей",
        "Вебинар пройдёт 16 октября.",
        "Коротко.",
    )
    assert row.published == dt.date(2024, 10, 1) and type(row.published) is dt.date
    assert row.source_url == "https://example.org/a"
    assert row.places == ["Тюмень", "Ишим"]
    assert row.origin == "ingest:a.txt"
    assert row.source_name == "Министерство"
    assert isinstance(row.created_at, str)
    created = dt.datetime.fromisoformat(row.created_at)  # what the admin view reads
    assert created.tzinfo is not None
    assert abs((dt.datetime.now(dt.UTC) - created).total_seconds()) < 120

    stored = await store.events_of_article(article_id)
    assert [type(e) for e in stored] == [EventRow, EventRow]
    first, second = stored
    assert (first.kind, first.title, first.start, first.end) == (
        "webinar",
        "Вебинар",
        dt.date(2024, 10, 16),
        dt.date(2024, 10, 18),
    )
    assert type(first.start) is dt.date and type(first.end) is dt.date
    assert first.time == "10:30"
    assert first.place == "Тюмень"
    assert first.sentence == "Вебинар пройдёт онлайн."
    assert first.status == "announce"
    assert first.article_id == article_id
    assert first.article_title == "Вебинар для приёмных семей"
    assert first.source_url == "https://example.org/a"
    assert (second.kind, second.title, second.time, second.place) == (
        "school",
        "Школа",
        None,
        None,
    )
    assert first.id != second.id

    found = await store.match(TermQuery(("приемный",)), 10)
    assert [m.doc for m in found] == [DocRef.article(article_id)]
    assert (found[0].title, found[0].body) == ("вебинар приемный семья", "вебинар пройти октябрь")
    assert await store.vocabulary() == expected_vocabulary(
        [("вебинар приемный семья", "вебинар пройти октябрь")]
    )


async def test_an_article_without_optional_fields(store):
    article_id = await store.add_article(article("bare"), [])
    row = await store.get_article(article_id)
    assert row is not None
    assert row.published is None
    assert row.source_url is None
    assert row.source_name is None
    assert row.places == []
    assert await store.events_of_article(article_id) == []
    assert await store.count("events") == 0
    assert await store.get_article(article_id + 1000) is None


async def test_get_articles_returns_those_that_exist(store):
    ids = [await store.add_article(article(n), []) for n in range(3)]
    got = await store.get_articles([ids[2], ids[0], 999_999])
    assert set(got) == {ids[0], ids[2]}
    assert got[ids[2]].title == "Статья 2"
    assert got[ids[0]].title == "Статья 0"
    assert await store.get_articles([]) == {}


async def test_list_articles_newest_first_with_offset_and_limit(store):
    ids = [await store.add_article(article(n), []) for n in range(5)]
    newest_first = list(reversed(ids))
    assert [a.id for a in await store.list_articles()] == newest_first
    assert [a.id for a in await store.list_articles(0, 2)] == newest_first[:2]
    assert [a.id for a in await store.list_articles(2, 2)] == newest_first[2:4]
    assert [a.id for a in await store.list_articles(4, 10)] == newest_first[4:]
    assert await store.list_articles(5, 10) == []


async def test_event_counts(store):
    with_two = await store.add_article(
        article(1), [event(dt.date(2024, 10, 1)), event(dt.date(2024, 10, 2))]
    )
    with_one = await store.add_article(article(2), [event(dt.date(2024, 10, 3))])
    without = await store.add_article(article(3), [])
    counts = await store.event_counts([with_two, with_one, without, 999_999])
    assert counts.get(with_two) == 2
    assert counts.get(with_one) == 1
    assert counts.get(without, 0) == 0
    assert counts.get(999_999, 0) == 0
    assert await store.event_counts([]) == {}


async def test_the_same_content_hash_is_stored_once(store):
    first = await store.add_article(article("same"), [])
    with pytest.raises(Exception):  # noqa: B017 — the driver's own integrity error
        await store.add_article(article("same", title="Другая"), [event(dt.date(2024, 1, 1))])
    assert await store.count("articles") == 1
    assert await store.count("events") == 0
    assert await store.article_id_by_hash("hash-same") == first
    assert await store.document_count() == 1


async def test_a_failing_write_leaves_nothing_behind(store):
    good = await store.add_article(
        article("kept", index_title="сохранить", index_body="общий"), [event(dt.date(2024, 1, 1))]
    )
    vocabulary = await store.vocabulary()
    # The second event breaks a NOT NULL column: every database refuses it, after the
    # article and the first event were written in the same transaction.
    broken = [event(dt.date(2024, 2, 1)), event(dt.date(2024, 2, 2), kind=None)]  # type: ignore[arg-type]
    with pytest.raises(Exception):  # noqa: B017 — the driver's own integrity error
        await store.add_article(
            article("lost", index_title="потерять", index_body="общий уникальный"), broken
        )
    assert await store.count("articles") == 1
    assert await store.count("events") == 1
    assert await store.article_id_by_hash("hash-lost") is None
    assert await store.document_count() == 1
    assert await store.vocabulary() == vocabulary
    assert await store.match(TermQuery(("потерять",)), 10) == []
    assert [a.id for a in await store.list_articles()] == [good]
    # and the store still writes afterwards
    after = await store.add_article(article("after", index_title="потерять"), [])
    assert [m.doc for m in await store.match(TermQuery(("потерять",)), 10)] == [
        DocRef.article(after)
    ]


async def test_delete_article_removes_events_index_terms_and_pending_notices(store):
    kept = await store.add_article(
        article("kept", index_title="общий слово", index_body="остаться"),
        [event(dt.date(2024, 10, 20))],
    )
    doomed = await store.add_article(
        article("doomed", index_title="общий слово", index_body="удалить уникальный"),
        [event(dt.date(2024, 10, 16)), event(dt.date(2024, 10, 17))],
    )
    doomed_events = [e.id for e in await store.events_of_article(doomed)]
    kept_event = (await store.events_of_article(kept))[0].id
    queued = await store.enqueue(
        [
            note(1, "new:1", notice="new", event_id=doomed_events[0]),
            note(2, "new:2", notice="remind", event_id=doomed_events[1]),
            note(1, "new:3", notice="new", event_id=kept_event),
        ]
    )
    assert queued == 3

    assert await store.delete_article(doomed) is True
    assert await store.get_article(doomed) is None
    assert await store.article_id_by_hash("hash-doomed") is None
    assert await store.events_of_article(doomed) == []
    assert all([await store.get_event(i) is None for i in doomed_events])
    assert await store.count("articles") == 1
    assert await store.count("events") == 1
    assert await store.document_count() == 1
    assert await store.match(TermQuery(("удалить",)), 10) == []
    assert [m.doc for m in await store.match(TermQuery(("общий",)), 10)] == [DocRef.article(kept)]
    assert await store.vocabulary() == {"общий": 1, "слово": 1, "остаться": 1}
    # The notices about its events are never sent; the other article's still is.
    claimed = await store.claim_outbox("s", now=1000.0, lease=30.0)
    assert [(r.chat_id, r.event_id) for r in claimed] == [(1, kept_event)]
    assert (await store.outbox_counts()).get("pending", 0) == 1

    assert await store.delete_article(doomed) is False
    assert await store.delete_article(999_999) is False
    assert await store.count("articles") == 1


async def test_iter_articles_for_index_gives_the_articles_own_text(store):
    first = await store.add_article(article(1, title="Первая", body="Тело один."), [])
    second = await store.add_article(article(2, title="Вторая", body="Тело два."), [])
    rows = sorted(await store.iter_articles_for_index())
    assert rows == [(first, "Первая", "Тело один."), (second, "Вторая", "Тело два.")]


async def test_concurrent_adds_and_deletes_keep_the_vocabulary_exact(store, open_another):
    """Ingest runs beside the bot (and workers beside each other): articles sharing terms
    are written at once, by two store objects; the document frequencies stay exact."""
    other = await open_another()
    docs = {
        n: (f"общий слово{n % 3}", f"текст номер{n} общий")  # every one shares «общий»
        for n in range(12)
    }

    async def add(n: int) -> int:
        target = store if n % 2 else other
        title, body = docs[n]
        return await target.add_article(
            article(n, index_title=title, index_body=body), [event(dt.date(2024, 10, n + 1))]
        )

    ids = await asyncio.gather(*(add(n) for n in docs))
    assert len(set(ids)) == 12
    assert await store.count("articles") == 12
    assert await store.count("events") == 12
    assert await store.vocabulary() == expected_vocabulary(docs.values())

    removed = [n for n in docs if n % 4 == 0]
    deleted = await asyncio.gather(
        *((store if n % 8 else other).delete_article(ids[n]) for n in removed)
    )
    assert deleted == [True] * len(removed)
    remaining = [docs[n] for n in docs if n not in removed]
    assert await store.vocabulary() == expected_vocabulary(remaining)
    assert await other.vocabulary() == expected_vocabulary(remaining)
    assert await store.document_count() == len(remaining)


async def test_a_failing_write_beside_others_undoes_only_itself(store):
    """Updates are handled as concurrent tasks on one store: one task's failed write (and
    its rollback) must not take the others' writes with it."""
    broken = [event(dt.date(2024, 2, 1)), event(dt.date(2024, 2, 2), kind=None)]  # type: ignore[arg-type]

    async def failing() -> None:
        with pytest.raises(Exception):  # noqa: B017 — the driver's own integrity error
            await store.add_article(article("lost", index_title="потерять"), broken)

    await asyncio.gather(
        *(failing() for _ in range(3)),
        *(store.log_query(f"q{n}", "search", False) for n in range(5)),
        *(store.subscribe(n, "") for n in range(5)),
        *(store.save_context(n, f"a:{n}", 1000.0) for n in range(5)),
        *(store.add_article(article(n, index_title=f"слово{n}"), []) for n in range(3)),
        store.enqueue([note(1, "k1"), note(2, "k2")]),
    )
    assert await store.count("articles") == 3
    assert await store.count("events") == 0
    assert await store.article_id_by_hash("hash-lost") is None
    assert await store.vocabulary() == {"слово0": 1, "слово1": 1, "слово2": 1, "текст": 3}
    assert (await store.query_stats(dt.datetime.now(dt.UTC) - dt.timedelta(days=1)))["total"] == 5
    assert await store.count_subscribers() == 5
    assert [await store.load_context(n, 0.0) for n in range(5)] == [f"a:{n}" for n in range(5)]
    assert await store.outbox_counts() == {"pending": 2}
