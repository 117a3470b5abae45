"""Announcements: queued once at «Отправить», counted by outcome, cancelled or finished."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.store.base import BroadcastRow, Outgoing, broadcast_key
from tests.contract.builders import note

T = 1_700_000_000.0


def items(broadcast_id: int, chats: list[int], text: str = "Объявление") -> list[Outgoing]:
    return [
        Outgoing(chat_id=c, dedupe_key=broadcast_key(broadcast_id, c), text=text) for c in chats
    ]


async def test_a_draft(store):
    bid = await store.add_broadcast(777, "Привет <b>всем</b>", "Тюменская область", "")
    row = await store.get_broadcast(bid)
    assert type(row) is BroadcastRow
    assert (row.id, row.admin_id, row.text, row.region, row.topic) == (
        bid,
        777,
        "Привет <b>всем</b>",
        "Тюменская область",
        "",
    )
    assert (row.status, row.recipients, row.sent_at) == ("draft", 0, None)
    assert isinstance(row.created_at, str)  # the view shows created_at[:10]
    assert dt.date.fromisoformat(row.created_at[:10]) >= dt.date.today() - dt.timedelta(days=1)
    other = await store.add_broadcast(778, "Текст", None, None)
    assert (await store.get_broadcast(other)).region is None
    assert (await store.get_broadcast(other)).topic is None
    assert await store.get_broadcast(999_999) is None


async def test_start_broadcast_queues_once(store):
    bid = await store.add_broadcast(777, "Объявление", None, None)
    assert await store.start_broadcast(bid, items(bid, [1, 2, 3])) == 3
    row = await store.get_broadcast(bid)
    assert (row.status, row.recipients) == ("sending", 3)
    assert isinstance(row.sent_at, str)
    assert await store.start_broadcast(bid, items(bid, [1, 2, 3, 4])) is None  # a second press
    assert (await store.get_broadcast(bid)).recipients == 3
    assert await store.outbox_counts() == {"pending": 3}
    rows = await store.claim_outbox("s", T, 30.0)
    assert sorted((r.chat_id, r.text) for r in rows) == [
        (1, "Объявление"),
        (2, "Объявление"),
        (3, "Объявление"),
    ]


async def test_two_presses_at_once_queue_once(store):
    bid = await store.add_broadcast(777, "Объявление", None, None)
    results = await asyncio.gather(
        *(store.start_broadcast(bid, items(bid, [1, 2])) for _ in range(4))
    )
    assert sorted(results, key=lambda r: r is None) == [2, None, None, None]
    assert await store.outbox_counts() == {"pending": 2}


async def test_recipients_count_only_what_was_queued(store):
    bid = await store.add_broadcast(777, "Объявление", None, None)
    await store.enqueue([note(2, broadcast_key(bid, 2))])  # already queued (say, a restart)
    assert await store.start_broadcast(bid, items(bid, [1, 2, 3])) == 2
    assert (await store.get_broadcast(bid)).recipients == 2
    assert await store.outbox_counts() == {"pending": 3}


async def test_cancel_and_finish(store):
    draft = await store.add_broadcast(777, "Черновик", None, None)
    assert await store.finish_broadcast(draft) is False  # not sending
    assert await store.cancel_broadcast(draft) is True
    assert await store.cancel_broadcast(draft) is False
    assert (await store.get_broadcast(draft)).status == "cancelled"
    assert await store.start_broadcast(draft, items(draft, [1])) is None
    assert await store.outbox_counts() == {}

    sending = await store.add_broadcast(777, "Отправка", None, None)
    await store.start_broadcast(sending, items(sending, [1]))
    assert await store.cancel_broadcast(sending) is False  # too late
    assert await store.finish_broadcast(sending) is True
    assert await store.finish_broadcast(sending) is False
    assert (await store.get_broadcast(sending)).status == "done"
    assert await store.cancel_broadcast(999_999) is False
    assert await store.finish_broadcast(999_999) is False


async def test_broadcast_outcome_by_status(store):
    ids = [await store.add_broadcast(777, f"Объявление {n}", None, None) for n in range(12)]
    first, twelfth = ids[0], ids[11]  # «broadcast:1:…» and «broadcast:12:…» share a prefix
    await store.start_broadcast(first, items(first, [1, 2, 3, 4, 5], "Первое"))
    await store.start_broadcast(twelfth, items(twelfth, [1, 4], "Двенадцатое"))
    await store.enqueue([note(1, "new:7:1"), note(1, f"broadcast{first}:x")])
    assert await store.broadcast_outcome(first) == {"pending": 5}

    rows = {r.chat_id: r for r in await store.claim_outbox("s", T, 30.0) if r.text == "Первое"}
    assert await store.start_sending(rows[1].id, "s", T, 30.0)
    await store.mark_sent(rows[1].id)
    assert await store.start_sending(rows[2].id, "s", T, 30.0)
    await store.mark_sent(rows[2].id)
    await store.mark_retry(rows[3].id, T, "Forbidden", give_up=True)
    await store.deactivate_chat(4)
    assert await store.broadcast_outcome(first) == {
        "sent": 2,
        "failed": 1,
        "dropped": 1,
        "pending": 1,
    }
    assert await store.broadcast_outcome(twelfth) == {"pending": 1, "dropped": 1}
    assert await store.broadcast_outcome(ids[5]) == {}


async def test_recent_broadcasts_newest_first(store):
    ids = [await store.add_broadcast(777, f"Текст {n}", None, None) for n in range(7)]
    assert [b.id for b in await store.recent_broadcasts()] == ids[::-1][:5]
    assert [b.text for b in await store.recent_broadcasts(2)] == ["Текст 6", "Текст 5"]
