"""What is kept per chat: the last answer's subject (minutes), the region a person chose."""

from __future__ import annotations

import asyncio


async def test_context_is_saved_replaced_and_loaded_while_fresh(store):
    await store.save_context(1, "a:12", 1000.0)
    await store.save_context(2, "c:mfc", 1005.0)
    assert await store.load_context(1, newer_than=999.0) == "a:12"
    assert await store.load_context(1, newer_than=1000.0) is None  # saved at, not after
    assert await store.load_context(3, newer_than=0.0) is None
    await store.save_context(1, "e:3,4", 1010.5)
    assert await store.load_context(1, newer_than=1010.0) == "e:3,4"
    assert await store.load_context(2, newer_than=1000.0) == "c:mfc"


async def test_purge_context_removes_what_is_old(store):
    await store.save_context(1, "a:1", 1000.0)
    await store.save_context(2, "a:2", 1005.0)
    await store.save_context(3, "a:3", 1010.0)
    assert await store.purge_context(1005.0) == 2  # up to and including
    assert await store.load_context(1, 0.0) is None
    assert await store.load_context(2, 0.0) is None
    assert await store.load_context(3, 0.0) == "a:3"
    assert await store.purge_context(1005.0) == 0


async def test_concurrent_saves_keep_one_subject_per_chat(store):
    await asyncio.gather(*(store.save_context(1, f"a:{n}", 1000.0 + n) for n in range(10)))
    assert await store.load_context(1, 0.0) in {f"a:{n}" for n in range(10)}
    assert await store.purge_context(5000.0) == 1


async def test_chat_regions(store):
    assert await store.chat_region(1) is None
    await store.set_chat_region(1, "Тюменская область")
    await store.set_chat_region(3, "Тюменская область")
    await store.set_chat_region(2, "Курганская область")
    assert await store.chat_region(1) == "Тюменская область"
    await store.set_chat_region(1, "Курганская область")  # changed, not a second row
    assert await store.chat_region(1) == "Курганская область"
    assert await store.chats_in_region("Курганская область") == [1, 2]
    assert await store.chats_in_region("Тюменская область") == [3]
    assert await store.chats_in_region("Омская область") == []
    assert await store.forget_chat_region(1) is True
    assert await store.forget_chat_region(1) is False
    assert await store.chat_region(1) is None
    assert await store.chats_in_region("Курганская область") == [2]
