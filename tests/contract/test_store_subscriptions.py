"""Subscriptions per chat and topic ('' = every event)."""

from __future__ import annotations

import asyncio

from tests.contract.builders import note


async def test_subscribe_unsubscribe_and_subscribe_again(store):
    assert await store.subscribe(1, "") is True
    assert await store.subscribe(1, "") is False  # already active
    assert await store.subscribe(1, "Тюмень") is True
    assert await store.subscribe(2, "webinar") is True
    assert sorted(await store.subscriptions_of(1)) == ["", "Тюмень"]
    assert await store.subscriptions_of(3) == []
    assert await store.count_subscribers() == 2
    assert await store.active_subscriptions() == [(1, ""), (1, "Тюмень"), (2, "webinar")]

    assert await store.unsubscribe(1) == 2  # every topic of the chat
    assert await store.unsubscribe(1) == 0
    assert await store.unsubscribe(3) == 0
    assert await store.subscriptions_of(1) == []
    assert await store.count_subscribers() == 1
    assert await store.active_subscriptions() == [(2, "webinar")]

    assert await store.subscribe(1, "Тюмень") is True  # re-activated
    assert await store.subscriptions_of(1) == ["Тюмень"]
    assert sorted(await store.active_subscriptions()) == [(1, "Тюмень"), (2, "webinar")]
    assert await store.count_subscribers() == 2


async def test_large_chat_ids(store):
    group = -1_001_234_567_890  # a supergroup's id needs 64 bits
    assert await store.subscribe(group, "")
    assert await store.active_subscriptions() == [(group, "")]
    assert await store.subscriptions_of(group) == [""]


async def test_deactivate_chat_unsubscribes_and_drops_its_pending_messages(store):
    await store.subscribe(1, "")
    await store.subscribe(1, "webinar")
    await store.subscribe(2, "")
    assert await store.enqueue([note(1, "a"), note(1, "b"), note(1, "c"), note(2, "d")]) == 4
    [sent] = [r for r in await store.claim_outbox("s", 1000.0, 30.0) if r.text == "text c"]
    assert await store.start_sending(sent.id, "s", 1000.0, 30.0)
    await store.mark_sent(sent.id)

    await store.deactivate_chat(1)
    assert await store.subscriptions_of(1) == []
    assert await store.active_subscriptions() == [(2, "")]
    assert await store.count_subscribers() == 1
    assert await store.outbox_counts() == {"dropped": 2, "sent": 1, "pending": 1}
    rows = await store.claim_outbox("t", 2000.0, 30.0)  # the first claim's lease is over
    assert [(r.chat_id, r.text) for r in rows] == [(2, "text d")]


async def test_a_chats_topics_come_in_byte_order(store):
    for topic in ["webinar", "Тюмень", "", "Ишим", "abc", "Webinar"]:
        assert await store.subscribe(1, topic)
    assert await store.subscriptions_of(1) == ["", "Webinar", "abc", "webinar", "Ишим", "Тюмень"]


async def test_a_double_tap_subscribes_once(store):
    results = await asyncio.gather(*(store.subscribe(1, "") for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]
    assert await store.active_subscriptions() == [(1, "")]
