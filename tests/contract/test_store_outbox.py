"""The outbox: each message queued once, claimed by one sender at a time, never sent twice.
Times are unix seconds the sender passes in (`now`), as bot/telegram/outbox.py does."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.store.base import OutboxRow
from tests.contract.builders import article, event, note

T = 1_700_000_000.0  # «now» of these tests
LEASE = 30.0


async def test_enqueue_counts_only_new_dedupe_keys(store):
    assert await store.enqueue([]) == 0
    assert await store.enqueue([note(1, "k1"), note(2, "k2")]) == 2
    assert await store.enqueue([note(1, "k1"), note(2, "k2")]) == 0
    assert await store.enqueue([note(1, "k1"), note(3, "k3")]) == 1
    assert await store.enqueue([note(4, "k4"), note(5, "k4")]) == 1  # one key twice in a batch
    assert await store.outbox_counts() == {"pending": 4}
    assert await store.enqueue(note(6, f"gen{n}") for n in range(3)) == 3  # any iterable
    rows = await store.claim_outbox("s", T, LEASE)
    assert [(r.chat_id, r.text) for r in rows][:4] == [
        (1, "text k1"),
        (2, "text k2"),
        (3, "text k3"),
        (4, "text k4"),  # the first of a key given twice
    ]
    assert len(rows) == 7


async def test_enqueue_across_store_objects_at_once_queues_each_key_once(store, open_another):
    """Workers plan notifications at once (two articles announcing one event, reminders):
    overlapping batches, in any order, queue each key once and fail none."""
    other = await open_another()
    batch = [note(n % 5, f"k{n:04}") for n in range(1000)]
    counts = await asyncio.gather(
        store.enqueue(batch),
        other.enqueue(batch[::-1]),
        store.enqueue(batch[::-1]),
        other.enqueue(batch[500:] + batch[:500]),
    )
    assert sum(counts) == 1000
    assert await store.outbox_counts() == {"pending": 1000}


async def test_claim_gives_due_rows_oldest_first_with_their_fields(store):
    article_id = await store.add_article(article(1), [event(dt.date(2024, 10, 1))])
    event_id = (await store.events_of_article(article_id))[0].id
    await store.enqueue(
        [
            note(10, "plain", "Привет"),
            note(11, "notice", notice="new", event_id=event_id),
            note(-1_001_234_567_890, "group", "Группа"),
        ]
    )
    rows = await store.claim_outbox("s1", T, LEASE)
    assert all(type(r) is OutboxRow for r in rows)
    assert [(r.chat_id, r.text, r.markup, r.attempts, r.notice, r.event_id) for r in rows] == [
        (10, "Привет", None, 0, None, None),
        (11, "text notice", None, 0, "new", event_id),
        (-1_001_234_567_890, "Группа", None, 0, None, None),
    ]
    assert [r.id for r in rows] == sorted(r.id for r in rows)


async def test_claim_respects_limit_and_order(store):
    await store.enqueue([note(1, f"k{n:02}") for n in range(7)])
    first = await store.claim_outbox("s", T, LEASE, limit=3)
    second = await store.claim_outbox("s", T, LEASE, limit=3)
    third = await store.claim_outbox("s", T, LEASE, limit=3)
    assert [r.text for r in first] == ["text k00", "text k01", "text k02"]
    assert [r.text for r in second] == ["text k03", "text k04", "text k05"]
    assert [r.text for r in third] == ["text k06"]
    assert await store.claim_outbox("s", T, LEASE) == []


async def test_a_claim_hides_rows_until_its_lease_ends(store):
    await store.enqueue([note(1, "a"), note(2, "b")])
    mine = await store.claim_outbox("s1", T, LEASE)
    assert len(mine) == 2
    assert await store.claim_outbox("s2", T + 1, LEASE) == []
    assert await store.claim_outbox("s2", T + LEASE - 1, LEASE) == []
    theirs = await store.claim_outbox("s2", T + LEASE + 1, LEASE)
    assert [r.id for r in theirs] == [r.id for r in mine]
    # the late sender no longer holds them
    assert await store.start_sending(mine[0].id, "s1", T + LEASE + 2, LEASE) is False
    assert await store.start_sending(theirs[0].id, "s2", T + LEASE + 2, LEASE) is True


async def test_start_sending_only_for_the_claiming_sender(store):
    await store.enqueue([note(1, "a")])
    [row] = await store.claim_outbox("s1", T, LEASE)
    assert await store.start_sending(row.id, "s2", T + 1, LEASE) is False
    assert await store.start_sending(999_999, "s1", T + 1, LEASE) is False
    assert await store.start_sending(row.id, "s1", T + 1, LEASE) is True
    assert await store.start_sending(row.id, "s1", T + 2, LEASE) is False  # once
    await store.mark_sent(row.id)
    assert await store.outbox_counts() == {"sent": 1}
    assert await store.claim_outbox("s2", T + 10 * LEASE, LEASE) == []


async def test_unclaimed_rows_cannot_be_started(store):
    await store.enqueue([note(1, "a")])
    rows = await store.claim_outbox("s1", T, LEASE)
    await store.mark_retry(rows[0].id, T + 5, "429")  # back in the queue, unclaimed
    assert await store.start_sending(rows[0].id, "s1", T + 6, LEASE) is False


async def test_a_row_left_sending_past_its_lease_fails_and_is_never_resent(store, raw):
    await store.enqueue([note(1, "lost"), note(1, "kept")])
    lost, kept = await store.claim_outbox("dead", T, LEASE)
    assert await store.start_sending(lost.id, "dead", T + 1, LEASE)  # … and the sender died
    # within its lease nobody touches it
    assert await store.claim_outbox("s2", T + 10, LEASE) == []
    assert await store.outbox_counts() == {"pending": 1, "sending": 1}
    # past it: the claimed-only row is free again, the one mid-send is failed, not resent
    rows = await store.claim_outbox("s2", T + 1 + LEASE + 1, LEASE)
    assert [r.id for r in rows] == [kept.id]
    assert await store.outbox_counts() == {"pending": 1, "failed": 1}
    [(error,)] = await raw(f"SELECT error FROM outbox WHERE id = {lost.id}")
    assert "unknown outcome" in error
    later = await store.claim_outbox("s3", T + 100 * LEASE, LEASE)  # s2's lease is over too
    assert [r.id for r in later] == [kept.id]
    assert await store.start_sending(lost.id, "dead", T + 100 * LEASE, LEASE) is False
    assert await store.outbox_counts() == {"pending": 1, "failed": 1}


async def test_mark_retry_frees_the_row_until_not_before(store):
    await store.enqueue([note(1, "a")])
    [row] = await store.claim_outbox("s1", T, LEASE)
    assert await store.start_sending(row.id, "s1", T, LEASE)
    await store.mark_retry(row.id, T + 5, "Too Many Requests")
    assert await store.outbox_counts() == {"pending": 1}
    assert await store.claim_outbox("s2", T + 4, LEASE) == []
    [again] = await store.claim_outbox("s2", T + 6, LEASE)  # before s1's lease would end
    assert again.id == row.id
    assert again.attempts == 1
    await store.mark_retry(row.id, T + 7, "timeout")
    [third] = await store.claim_outbox("s1", T + 8, LEASE)
    assert third.attempts == 2


async def test_mark_retry_giving_up_fails_the_row(store):
    await store.enqueue([note(1, "a"), note(1, "b")])
    first, _ = await store.claim_outbox("s1", T, LEASE)
    await store.mark_retry(first.id, T, "Forbidden", give_up=True)
    assert await store.outbox_counts() == {"failed": 1, "pending": 1}
    assert [r.text for r in await store.claim_outbox("s2", T + 10 * LEASE, LEASE)] == ["text b"]


async def test_not_before_holds_a_row_back(store):
    await store.enqueue([note(1, "a")])
    [row] = await store.claim_outbox("s", T, LEASE)
    await store.mark_retry(row.id, T + 100, "later")
    assert await store.claim_outbox("s", T + 99, LEASE) == []
    assert [r.id for r in await store.claim_outbox("s", T + 100, LEASE)] == [row.id]


async def test_postpone_chat_holds_only_that_chats_pending_rows(store):
    await store.enqueue([note(1, "a"), note(2, "b"), note(1, "c"), note(1, "d")])
    rows = await store.claim_outbox("s", T, LEASE)
    d = rows[3]
    await store.mark_retry(d.id, T + 5000, "retry later")  # held longer already
    for r in rows[:3]:
        await store.mark_retry(r.id, 0, "released")
    await store.postpone_chat(1, T + 1000)
    [b] = await store.claim_outbox("s", T + 1, LEASE)
    assert (b.chat_id, b.text) == (2, "text b")
    assert await store.start_sending(b.id, "s", T + 1, LEASE)
    await store.mark_sent(b.id)
    # held until then, and no shorter than it was held
    held = await store.claim_outbox("s", T + 1001, LEASE)
    assert [r.text for r in held] == ["text a", "text c"]
    for r in held:
        assert await store.start_sending(r.id, "s", T + 1001, LEASE)
        await store.mark_sent(r.id)
    assert [r.text for r in await store.claim_outbox("s", T + 5001, LEASE)] == ["text d"]


async def test_move_chat_moves_subscriptions_and_pending_rows(store):
    old, new = -100, -1_001_000_000_100
    await store.subscribe(old, "")
    await store.subscribe(old, "webinar")
    await store.subscribe(new, "webinar")
    await store.subscribe(7, "")
    await store.enqueue([note(old, "a"), note(old, "b"), note(7, "c")])
    await store.move_chat(old, new)
    assert await store.subscriptions_of(old) == []
    assert sorted(await store.subscriptions_of(new)) == ["", "webinar"]
    assert await store.count_subscribers() == 2
    rows = await store.claim_outbox("s", T, LEASE)
    assert [(r.chat_id, r.text) for r in rows] == [(new, "text a"), (new, "text b"), (7, "text c")]
    # the dedupe keys stay as planned: the same key is not queued again for the new id
    assert await store.enqueue([note(new, "a")]) == 0


async def test_outbox_counts_by_status(store):
    assert await store.outbox_counts() == {}
    await store.enqueue([note(1, "a"), note(2, "b"), note(3, "c"), note(4, "d")])
    a, b, c, _ = await store.claim_outbox("s", T, LEASE)
    assert await store.start_sending(a.id, "s", T, LEASE)
    await store.mark_sent(a.id)
    await store.mark_retry(b.id, T, "Forbidden", give_up=True)
    await store.deactivate_chat(4)
    assert await store.start_sending(c.id, "s", T, LEASE)
    assert await store.outbox_counts() == {"sent": 1, "failed": 1, "dropped": 1, "sending": 1}


async def test_concurrent_claims_never_share_a_row(store, open_another):
    """Senders of several workers claim at once: no row goes to two of them, and none is
    left behind while claims have room for it."""
    other = await open_another()
    await store.enqueue([note(n % 7, f"k{n}") for n in range(60)])

    async def claim(i: int) -> list[OutboxRow]:
        return await (store if i % 2 else other).claim_outbox(f"s{i}", T, LEASE, limit=5)

    batches = await asyncio.gather(*(claim(i) for i in range(20)))
    ids = [r.id for batch in batches for r in batch]
    assert len(ids) == len(set(ids)), "a row was claimed twice"
    assert len(ids) == 60
    assert await store.claim_outbox("late", T, LEASE) == []

    # and starting them: each row starts for its claimer only
    owner = {r.id: f"s{i}" for i, batch in enumerate(batches) for r in batch}
    some = sorted(owner)[:10]
    results = await asyncio.gather(
        *(s.start_sending(i, owner[i], T + 1, LEASE) for i in some for s in (store, other)),
        *(store.start_sending(i, "intruder", T + 1, LEASE) for i in some),
    )
    assert results.count(True) == 10
    assert (await store.outbox_counts()).get("sending") == 10


async def test_release_claims_gives_back_what_was_not_sent(store):
    await store.enqueue([note(1, "a"), note(1, "b"), note(2, "c"), note(3, "d")])
    a, b, c = await store.claim_outbox("s1", T, LEASE, limit=3)
    [d] = await store.claim_outbox("s2", T, LEASE)
    assert await store.start_sending(a.id, "s1", T, LEASE)  # its request is out
    assert await store.release_claims("s1") == 2  # b and c
    assert await store.release_claims("s1") == 0
    assert await store.release_claims("nobody") == 0
    # due again at once, for any sender; a is mid-send and d still s2's
    again = await store.claim_outbox("s3", T + 1, LEASE)
    assert [r.id for r in again] == [b.id, c.id]
    assert await store.start_sending(b.id, "s1", T + 1, LEASE) is False  # no longer s1's
    assert await store.start_sending(d.id, "s2", T + 1, LEASE) is True
    assert await store.outbox_counts() == {"sending": 2, "pending": 2}


async def test_a_row_held_back_stays_held_when_released(store):
    await store.enqueue([note(1, "a"), note(1, "b")])
    a, b = await store.claim_outbox("s1", T, LEASE)
    await store.mark_retry(a.id, T + 100, "429")
    await store.postpone_chat(1, T + 100)  # the chat's own back-off holds b too
    assert await store.release_claims("s1") == 1
    assert await store.claim_outbox("s2", T + 1, LEASE) == []
    assert [r.id for r in await store.claim_outbox("s2", T + 100, LEASE)] == [a.id, b.id]


async def test_a_chat_that_blocked_the_bot_mid_send_is_dropped(store):
    """403 on the message being sent: deactivate_chat drops it with the chat's others
    (blocked, not an unknown outcome)."""
    await store.enqueue([note(1, "a"), note(1, "b"), note(2, "c")])
    a, _, _ = await store.claim_outbox("s", T, LEASE)
    assert await store.start_sending(a.id, "s", T, LEASE)
    await store.deactivate_chat(1)
    assert await store.outbox_counts() == {"dropped": 2, "pending": 1}
    await store.release_claims("s")
    assert [r.chat_id for r in await store.claim_outbox("s", T + 10 * LEASE, LEASE)] == [2]
    assert await store.outbox_counts() == {"dropped": 2, "pending": 1}


async def test_the_message_that_found_the_migration_follows_the_chat(store):
    """«group migrated to supergroup» answers the message being sent: the sender moves the
    chat and retries that message, which must then go to the new id."""
    old, new = -4_001, -1_000_000_004_001
    await store.enqueue([note(old, "first"), note(old, "second")])
    first, second = await store.claim_outbox("s", T, LEASE)
    assert await store.start_sending(first.id, "s", T, LEASE)
    await store.move_chat(old, new)
    await store.mark_retry(first.id, T, f"moved to {new}")
    await store.release_claims("s")
    rows = await store.claim_outbox("s", T + 1, LEASE)
    assert [(r.id, r.chat_id) for r in rows] == [(first.id, new), (second.id, new)]
    assert rows[0].attempts == 1
