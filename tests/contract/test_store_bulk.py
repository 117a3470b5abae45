"""`add_articles`: a batch of articles in one transaction (`python -m bot ingest --jobs N`).

A batch must leave the store exactly as `add_article` for each in turn would — the same ids,
rows, events, index rows and document frequencies — except that the generation moves once;
and a batch that fails anywhere leaves nothing of itself behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from bot.store import Store, open_store
from bot.store.base import EventFacts, NewArticle, TermQuery
from tests.contract.builders import article, event, expected_vocabulary
from tests.contract.conftest import fresh_store_database


@pytest.fixture
async def second_store(
    backend: str, tmp_path: Path, pg_template: dict[str, str]
) -> AsyncIterator[Store]:
    """Another empty store of the same backend, on a database of its own."""
    if backend == "sqlite":
        opened = await open_store(tmp_path / "second.sqlite3")
        try:
            yield opened
        finally:
            await opened.close()
        return
    async with fresh_store_database(pg_template) as url:
        opened = await open_store(url)
        try:
            yield opened
        finally:
            await opened.close()


def batch() -> list[tuple[NewArticle, Sequence[EventFacts]]]:
    """Articles sharing terms, with none, one or several events each."""
    return [
        (
            article(
                1,
                title="Вебинар для приёмных семей",
                index_title="вебинар приемный семья",
                index_body="вебинар пройти октябрь тюмень",
                published=dt.date(2024, 10, 1),
                places=["Тюмень"],
                source_url="https://example.org/1",
                summary="Вебинар.",
            ),
            [
                event(dt.date(2024, 10, 16), time=dt.time(10, 30), place="Тюмень"),
                event(dt.date(2024, 11, 1), dt.date(2024, 11, 3), kind="forum", title="Форум"),
            ],
        ),
        (article(2, index_title="форум семья", index_body="форум казань семья семья"), []),
        (
            article(3, index_title="стажировка", index_body="стажировка тюмень специалист"),
            [event(dt.date(2024, 12, 5), kind="internship", title="Стажировка")],
        ),
    ]


async def snapshot(store: Store, ids: list[int]) -> dict[str, object]:
    """What the bot can read of the articles: rows (not their clock time), events, what
    search finds and how it counts terms."""
    articles = await store.get_articles(ids)
    queries = [("семья",), ("тюмень",), ("вебинар", "форум"), ("стажировка",)]
    found = {}
    for terms in queries:
        found[terms] = [(m.doc, m.title, m.body) for m in await store.match(TermQuery(terms), 10)]
    return {
        "articles": [dataclasses.replace(articles[i], created_at="") for i in ids],
        "events": [await store.events_of_article(i) for i in ids],
        "found": found,
        "vocabulary": await store.vocabulary(),
        "documents": await store.document_count(),
        "counts": (await store.count("articles"), await store.count("events")),
        "by_hash": [await store.article_id_by_hash(f"hash-{n}") for n in (1, 2, 3)],
    }


async def test_a_batch_equals_the_same_articles_added_one_by_one(store, second_store):
    items = batch()
    one_by_one = [await second_store.add_article(a, events) for a, events in items]
    before = await store.generation()

    ids = await store.add_articles(items)

    assert ids == one_by_one
    assert len(set(ids)) == 3
    assert await snapshot(store, ids) == await snapshot(second_store, one_by_one)
    assert await store.vocabulary() == expected_vocabulary(
        (a.index_title, a.index_body) for a, _ in items
    )
    assert await store.generation() == before + 1  # once for the batch
    # Ranks too (the index holds the same rows): the re-ranker reads their ratios.
    for terms in [("семья",), ("тюмень", "стажировка")]:
        ours = [m.rank for m in await store.match(TermQuery(terms), 10)]
        theirs = [m.rank for m in await second_store.match(TermQuery(terms), 10)]
        assert ours == pytest.approx(theirs)


async def test_batches_and_single_articles_take_ids_in_turn(store):
    first = await store.add_article(article("a"), [])
    ids = await store.add_articles([(article("b"), []), (article("c"), [])])
    last = await store.add_article(article("d"), [])
    assert ids == [first + 1, first + 2] and last == first + 3
    assert [a.id for a in await store.list_articles()] == [last, *reversed(ids), first]
    assert await store.add_articles([]) == []


async def test_a_batch_that_fails_midway_leaves_the_store_as_it_was(store):
    kept = await store.add_article(
        article("kept", index_title="сохранить", index_body="общий"), [event(dt.date(2024, 1, 1))]
    )
    vocabulary = await store.vocabulary()
    generation = await store.generation()
    # The third article's second event breaks a NOT NULL column, after two articles, their
    # events and the third article itself were written in the same transaction.
    broken = [event(dt.date(2024, 2, 1)), event(dt.date(2024, 2, 2), kind=None)]  # type: ignore[arg-type]
    with pytest.raises(Exception):  # noqa: B017 — the driver's own integrity error
        await store.add_articles(
            [
                (article("x", index_title="потерять", index_body="общий"), []),
                (article("y", index_title="потерять"), [event(dt.date(2024, 3, 1))]),
                (article("z", index_title="потерять"), broken),
            ]
        )
    # and one whose content hash is stored already
    with pytest.raises(Exception):  # noqa: B017 — the driver's own integrity error
        await store.add_articles(
            [(article("w", index_title="потерять"), []), (article("kept"), [])]
        )

    assert await store.count("articles") == 1
    assert await store.count("events") == 1
    assert await store.document_count() == 1
    assert [await store.article_id_by_hash(f"hash-{k}") for k in "xyzw"] == [None] * 4
    assert await store.vocabulary() == vocabulary
    assert await store.match(TermQuery(("потерять",)), 10) == []
    assert [a.id for a in await store.list_articles()] == [kept]
    assert await store.generation() == generation
    # and the store still writes afterwards
    after = await store.add_articles([(article("after", index_title="потерять"), [])])
    assert [m.doc.article_id for m in await store.match(TermQuery(("потерять",)), 10)] == after
