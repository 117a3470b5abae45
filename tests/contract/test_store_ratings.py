"""Answers as given, and one rating per rater per answer."""

from __future__ import annotations

import asyncio

from bot.store.base import AnswerRow, DocRef, RatingCount

A1 = DocRef.article(1)
MFC = DocRef.card("mfc")


async def test_record_and_get_answer(store):
    first = await store.record_answer(A1, "где мфц", 1000.5)
    second = await store.record_answer(MFC, "", 1001.0)
    assert first != second
    assert await store.get_answer(first) == AnswerRow(first, A1, "где мфц", 1000.5)
    assert await store.get_answer(second) == AnswerRow(second, MFC, "", 1001.0)
    assert await store.get_answer(999_999) is None
    long = await store.record_answer(A1, "в" * 700, 1002.0)
    assert (await store.get_answer(long)).question == "в" * 500


async def test_rate_twice_changes_the_rating(store):
    answer = await store.record_answer(A1, "вопрос", 1000.0)
    assert await store.rate_answer(answer, "r1", 1, 1001.0) == (True, None)
    assert await store.rate_answer(answer, "r1", 1, 1002.0) == (True, 1)  # nothing new
    assert await store.rating_counts(0.0) == [RatingCount(A1, 1, 0)]
    assert await store.rate_answer(answer, "r1", -1, 1003.0) == (True, 1)
    assert await store.rating_counts(0.0) == [RatingCount(A1, 0, 1)]  # changed, not added
    assert await store.rate_answer(answer, "r2", -1, 1004.0) == (True, None)
    assert await store.rating_counts(0.0) == [RatingCount(A1, 0, 2)]
    assert await store.rate_answer(999_999, "r1", 1, 1005.0) == (False, None)


async def test_concurrent_presses_keep_one_rating(store):
    answer = await store.record_answer(A1, "вопрос", 1000.0)
    results = await asyncio.gather(
        *(store.rate_answer(answer, "r1", 1 if n % 2 else -1, 1001.0 + n) for n in range(8))
    )
    assert all(exists for exists, _ in results)
    [count] = await store.rating_counts(0.0)
    assert count.up + count.down == 1


async def test_a_reason_only_for_the_raters_own_thumbs_down(store):
    answer = await store.record_answer(A1, "вопрос", 1000.0)
    await store.rate_answer(answer, "r1", -1, 1001.0)
    await store.rate_answer(answer, "r2", 1, 1001.0)
    assert await store.set_rating_reason(answer, "r1", "old") is True
    assert await store.set_rating_reason(answer, "r2", "old") is False  # a 👍
    assert await store.set_rating_reason(answer, "r3", "old") is False  # never rated
    [row] = [r for r in await store.review_rows(10) if r.source == "a"]
    assert row.reason == "old"
    await store.rate_answer(answer, "r1", 1, 1002.0)  # changed to 👍: the reason goes
    await store.rate_answer(answer, "r1", -1, 1003.0)
    [row] = [r for r in await store.review_rows(10) if r.source == "a"]
    assert row.reason is None


async def test_rating_counts_most_disliked_first_since(store):
    a1 = await store.record_answer(A1, "", 1000.0)
    mfc = await store.record_answer(MFC, "", 1000.0)
    a2 = await store.record_answer(DocRef.article(2), "", 1000.0)
    await store.rate_answer(a1, "x", 1, 1100.0)
    await store.rate_answer(a1, "y", 1, 1100.0)
    await store.rate_answer(a1, "z", -1, 1100.0)
    await store.rate_answer(mfc, "x", -1, 1100.0)
    await store.rate_answer(mfc, "y", -1, 1100.0)
    await store.rate_answer(a2, "x", 1, 900.0)  # rated before `since`
    assert await store.rating_counts(1000.0) == [
        RatingCount(MFC, 0, 2),
        RatingCount(A1, 2, 1),
    ]
    assert await store.rating_counts(1000.0, limit=1) == [RatingCount(MFC, 0, 2)]
    counts = await store.rating_counts(0.0)
    assert counts[-1] == RatingCount(DocRef.article(2), 1, 0)
    assert all(type(c.up) is int and type(c.down) is int for c in counts)


async def test_purge_answers_takes_their_ratings(store):
    old = await store.record_answer(A1, "старый", 1000.0)
    new = await store.record_answer(MFC, "новый", 2000.0)
    await store.rate_answer(old, "r", -1, 2100.0)
    await store.rate_answer(new, "r", -1, 2100.0)
    assert await store.purge_answers(1500.0) == 1
    assert await store.get_answer(old) is None
    assert await store.get_answer(new) is not None
    assert await store.rating_counts(0.0) == [RatingCount(MFC, 0, 1)]
    assert await store.rate_answer(old, "r", 1, 2200.0) == (False, None)
    assert await store.purge_answers(1500.0) == 0


async def test_the_button_of_a_purged_answer_never_rates_a_later_one(store):
    old = await store.record_answer(A1, "старый", 1000.0)
    assert await store.purge_answers(1500.0) == 1
    new = await store.record_answer(MFC, "новый", 2000.0)
    assert new != old
    assert await store.rate_answer(old, "r", -1, 2100.0) == (False, None)
    assert await store.rating_counts(0.0) == []


async def test_rating_count_ties_are_in_document_order(store):
    for doc in [DocRef.card("mfc"), DocRef.article(9), DocRef.article(10), DocRef.card("Line")]:
        answer = await store.record_answer(doc, "", 1000.0)
        await store.rate_answer(answer, "r", -1, 1000.0)
    assert [str(c.doc) for c in await store.rating_counts(0.0)] == [
        "a:10",
        "a:9",
        "c:Line",
        "c:mfc",
    ]
