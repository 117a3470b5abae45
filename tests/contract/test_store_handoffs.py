"""Conversations handed to a person: one open per chat, found by topic or by message."""

from __future__ import annotations

import asyncio

import pytest

from bot.store.base import HandoffRow


async def test_open_handoff_opens_one_per_chat(store):
    row, created = await store.open_handoff(5, 1000.0)
    assert created is True
    assert type(row) is HandoffRow
    assert (row.chat_id, row.thread_id, row.status, row.shared_name) == (5, None, "open", None)
    assert (row.opened_at, row.first_reply_at) == (1000.0, None)
    again, created = await store.open_handoff(5, 1010.0)
    assert created is False
    assert again == row  # the same conversation, opened when it was
    other, created = await store.open_handoff(6, 1020.0)
    assert created is True and other.id != row.id
    assert await store.open_handoff_of(5) == row
    assert await store.open_handoff_of(7) is None
    assert await store.get_handoff(row.id) == row
    assert await store.get_handoff(999_999) is None


async def test_concurrent_first_messages_open_one_handoff(store):
    """Two first messages at once: updates are handled as concurrent tasks."""
    results = await asyncio.gather(*(store.open_handoff(42, 1000.0 + n) for n in range(10)))
    assert [created for _, created in results].count(True) == 1
    assert len({row.id for row, _ in results}) == 1
    assert [h.chat_id for h in await store.handoffs_since(0.0)] == [42]


# Several workers share PostgreSQL only: one bot process runs per SQLite file (its run
# lock). (Across two connections the SQLite store fails this now and then: a task's BEGIN
# IMMEDIATE on a connection where another task has a read in flight gets «database is
# locked» at once, without waiting.)
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_concurrent_first_messages_in_two_workers_open_one_handoff(store, open_another):
    other = await open_another()
    results = await asyncio.gather(
        *((store if n % 2 else other).open_handoff(42, 1000.0 + n) for n in range(10))
    )
    assert [created for _, created in results].count(True) == 1
    assert len({row.id for row, _ in results}) == 1
    assert [h.chat_id for h in await store.handoffs_since(0.0)] == [42]


async def test_close_and_reopen(store):
    first, _ = await store.open_handoff(5, 1000.0)
    assert await store.close_handoff(first.id, 1100.0) is True
    assert await store.close_handoff(first.id, 1200.0) is False
    assert await store.close_handoff(999_999, 1200.0) is False
    assert await store.open_handoff_of(5) is None
    assert (await store.get_handoff(first.id)).status == "closed"
    second, created = await store.open_handoff(5, 1300.0)
    assert created is True and second.id != first.id
    assert await store.open_handoff_of(5) == second


async def test_thread_message_reply_and_name(store):
    row, _ = await store.open_handoff(5, 1000.0)
    await store.set_handoff_thread(row.id, 77)
    await store.add_handoff_message(row.id, 501)
    await store.add_handoff_message(row.id, 502)
    await store.mark_handoff_reply(row.id, 1050.0)
    await store.mark_handoff_reply(row.id, 1090.0)  # only the first reply counts
    await store.share_handoff_name(row.id, "Анна")
    expected = HandoffRow(row.id, 5, 77, "open", "Анна", 1000.0, 1050.0)
    assert await store.get_handoff(row.id) == expected
    assert await store.handoff_by_thread(77) == expected
    assert await store.handoff_by_thread(78) is None
    assert await store.handoff_by_message(501) == expected
    assert await store.handoff_by_message(502) == expected
    assert await store.handoff_by_message(503) is None


async def test_by_thread_and_by_message_give_the_latest_owner(store):
    first, _ = await store.open_handoff(5, 1000.0)
    await store.set_handoff_thread(first.id, 77)
    await store.add_handoff_message(first.id, 501)
    await store.close_handoff(first.id, 1100.0)
    second, _ = await store.open_handoff(5, 1200.0)
    await store.set_handoff_thread(second.id, 77)  # the same forum topic, reused
    assert (await store.handoff_by_thread(77)).id == second.id
    await store.add_handoff_message(second.id, 501)  # a message id now names the new one
    assert (await store.handoff_by_message(501)).id == second.id


async def test_handoffs_since(store):
    a, _ = await store.open_handoff(1, 1000.0)
    b, _ = await store.open_handoff(2, 2000.0)
    c, _ = await store.open_handoff(3, 3000.0)
    await store.close_handoff(b.id, 2500.0)
    assert [h.id for h in await store.handoffs_since(2000.0)] == [b.id, c.id]
    assert [h.status for h in await store.handoffs_since(0.0)] == ["open", "closed", "open"]
    assert [h.id for h in await store.handoffs_since(0.0)] == [a.id, b.id, c.id]
    assert await store.handoffs_since(3000.5) == []
