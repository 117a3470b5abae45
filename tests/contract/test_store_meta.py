"""Small facts about the store, and the generation: the change counter every process
compares before searching, so content written by another process is seen at once."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.store.base import DocRef, Outgoing
from tests.contract.builders import article, event, eventually, until


async def test_meta_is_set_and_replaced(store):
    assert await store.get_meta("seeded") is None
    await store.set_meta("seeded", "1")
    await store.set_meta("index_version", "v1")
    await store.set_meta("index_version", "v2")
    await store.set_meta("cards_hash", "")
    assert await store.get_meta("seeded") == "1"
    assert await store.get_meta("index_version") == "v2"
    assert await store.get_meta("cards_hash") == ""


async def test_meta_is_shared_by_store_objects(store, open_another):
    other = await open_another()
    await store.set_meta("seeded", "1")
    assert await other.get_meta("seeded") == "1"


async def test_the_generation_is_a_number_that_stays_put_without_changes(store, open_another):
    first = await store.generation()
    assert isinstance(first, int)
    assert await store.generation() == first
    assert await (await open_another()).generation() == first


async def test_every_content_change_moves_the_generation_for_every_store_object(
    store, open_another
):
    other = await open_another()
    # an `other` that has already read the generation (and may keep it)
    assert await other.generation() == await store.generation()

    article_id = 0

    async def add() -> None:
        nonlocal article_id
        article_id = await store.add_article(
            article(1, index_title="новый"), [event(dt.date(2024, 10, 1))]
        )

    async def cards() -> None:
        await store.replace_cards([("mfc", "МФЦ", {}, "", "")], [("мфц", "", "c:mfc")])

    async def learn() -> None:
        await store.learn_phrases(["мфц адрес"], DocRef.card("mfc"), "адрес мфц")

    async def reindex() -> None:
        await store.reindex_articles([(article_id, "другой", "текст")])

    async def delete() -> None:
        assert await store.delete_article(article_id)

    for change in (add, cards, learn, reindex, delete):
        before = await store.generation()
        await change()
        after = await store.generation()
        assert after > before, change.__name__
        assert await eventually(other.generation, after) == after, change.__name__

    # and the other way round: a change by `other` is seen by `store`
    before = await store.generation()
    await other.replace_cards([], [])
    after = await other.generation()
    assert after > before
    assert await eventually(store.generation, after) == after


async def test_a_store_opened_later_sees_the_current_generation(store, open_another):
    await store.add_article(article(1), [])
    await store.replace_cards([("mfc", "МФЦ", {}, "", "")], [("мфц", "", "c:mfc")])
    current = await store.generation()
    assert current >= 2
    later = await open_another()
    assert await later.generation() == current


async def test_concurrent_changes_each_move_the_generation(store, open_another):
    other = await open_another()
    start = await store.generation()
    await asyncio.gather(
        *(
            (store if n % 2 else other).add_article(article(n, index_title=f"слово{n}"), [])
            for n in range(6)
        )
    )
    mine = await until(store.generation, lambda g: g >= start + 6)
    assert mine >= start + 6  # each of the six moved it
    assert await eventually(other.generation, mine) == mine


async def test_what_is_not_searchable_content_leaves_the_generation(store):
    """Reloading the search is not free: questions, subscriptions, the outbox and meta
    writes are not content changes."""
    await store.add_article(article(1), [])
    before = await store.generation()
    await store.set_meta("seeded", "1")
    await store.subscribe(1, "")
    await store.enqueue([Outgoing(chat_id=1, dedupe_key="k", text="t")])
    await store.log_query("вопрос", "search", False)
    await store.audit(1, "stats")
    await store.save_context(1, "a:1", 100.0)
    await store.record_answer(DocRef.article(1), "вопрос", 100.0)
    await store.mark_handled(["вопрос"], 100.0)
    assert await store.generation() == before


async def test_exclusive_is_held_by_one_task_at_a_time(store):
    inside: list[str] = []
    overlaps: list[tuple[str, ...]] = []

    async def work(name: str, who: str) -> None:
        async with store.exclusive(name):
            inside.append(who)
            overlaps.append(tuple(inside))
            await asyncio.sleep(0.05)
            inside.remove(who)

    await asyncio.gather(work("seed", "a"), work("seed", "b"), work("seed", "c"))
    assert sorted(overlaps) == [("a",), ("b",), ("c",)]  # never two inside

    # another name does not wait: «webhook» is taken while «seed» is held
    webhook_taken = asyncio.Event()

    async def hold_seed() -> None:
        async with store.exclusive("seed"):
            await asyncio.wait_for(webhook_taken.wait(), timeout=5)

    async def take_webhook() -> None:
        async with store.exclusive("webhook"):
            webhook_taken.set()

    await asyncio.gather(hold_seed(), take_webhook())


# Several processes share PostgreSQL only: the SQLite store's lock holds within one store
# object (one `run` per SQLite file holds the run lock).
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_exclusive_is_held_by_one_store_object_at_a_time(store, open_another):
    other = await open_another()
    inside: list[int] = []
    most = 0

    async def work(s, n: int) -> None:
        nonlocal most
        async with s.exclusive("seed"):
            inside.append(n)
            most = max(most, len(inside))
            await asyncio.sleep(0.05)
            inside.remove(n)

    await asyncio.gather(*(work(store if n % 2 else other, n) for n in range(4)))
    assert most == 1
