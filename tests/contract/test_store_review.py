"""The editors' queue: questions that found nothing and 👎 answers (never who), the marks
of what was handled, and wordings an editor linked to a document."""

from __future__ import annotations

import datetime as dt

from bot.store.base import DocRef, HandledMark, ReviewRow
from tests.contract.builders import article


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def near_now(when: dt.datetime) -> bool:
    return when.tzinfo is not None and abs((utcnow() - when).total_seconds()) < 120


async def test_review_rows_are_misses_then_thumbs_down_newest_first(store):
    await store.log_query("первый промах", "search", False)
    await store.log_query("нашлось", "search", True)
    await store.log_query("второй промах", "centres", False)
    a1 = await store.record_answer(DocRef.article(1), "плохой ответ", 1_700_000_000.0)
    mfc = await store.record_answer(DocRef.card("mfc"), "", 1_700_000_100.0)
    liked = await store.record_answer(DocRef.article(2), "хороший", 1_700_000_200.0)
    await store.rate_answer(a1, "r1", -1, 1_700_000_500.0)
    await store.set_rating_reason(a1, "r1", "wrong")
    await store.rate_answer(mfc, "r1", -1, 1_700_000_600.0)
    await store.rate_answer(liked, "r1", 1, 1_700_000_700.0)

    rows = await store.review_rows(10)
    assert [(r.source, r.text) for r in rows] == [
        ("q", "второй промах"),
        ("q", "первый промах"),
        ("a", ""),
        ("a", "плохой ответ"),
    ]
    q_new, q_old, a_mfc, a_one = rows
    assert q_new.id > q_old.id
    assert all(type(r) is ReviewRow for r in rows)
    assert near_now(q_new.at) and q_new.doc is None and q_new.reason is None
    assert (a_one.id, a_one.doc, a_one.reason, a_one.rated_at) == (
        a1,
        DocRef.article(1),
        "wrong",
        1_700_000_500.0,
    )
    assert a_one.at == dt.datetime.fromtimestamp(1_700_000_500.0, dt.UTC)  # when rated
    assert (a_mfc.id, a_mfc.doc, a_mfc.reason) == (mfc, DocRef.card("mfc"), None)
    # the queue compares the times of both kinds
    assert max(r.at for r in rows) == q_new.at

    limited = await store.review_rows(1)
    assert [(r.source, r.text) for r in limited] == [("q", "второй промах"), ("a", "")]


async def test_review_row_names_one_occurrence(store):
    await store.log_query("промах", "search", False)
    await store.log_query("нашлось", "search", True)
    q_id = (await store.review_rows(10))[0].id
    row = await store.review_row("q", q_id)
    assert (row.source, row.id, row.text) == ("q", q_id, "промах")
    assert near_now(row.at)
    assert await store.review_row("q", q_id + 1) is None  # found something: not in the queue
    assert await store.review_row("q", 999_999) is None

    answer = await store.record_answer(DocRef.card("mfc"), "вопрос", 1_700_000_000.0)
    row = await store.review_row("a", answer)
    assert row == ReviewRow(
        "a",
        answer,
        dt.datetime.fromtimestamp(1_700_000_000.0, dt.UTC),
        "вопрос",
        DocRef.card("mfc"),
    )
    assert await store.review_row("a", 999_999) is None
    assert await store.review_row("x", q_id) is None


async def test_mark_handled_keeps_the_newest_query_id_and_time(store):
    assert await store.handled_marks() == {}
    await store.mark_handled(["мфц адрес"], 1000.0)  # an empty log: up to id 0
    assert await store.handled_marks() == {"мфц адрес": HandledMark(0, 1000.0)}
    await store.log_query("промах", "search", False)
    await store.log_query("нашлось", "search", True)
    last = max(r.id for r in await store.review_rows(10)) + 1  # the found row is newer
    await store.mark_handled(["мфц адрес", "опека"], 2000.5)
    assert await store.handled_marks() == {
        "мфц адрес": HandledMark(last, 2000.5),
        "опека": HandledMark(last, 2000.5),
    }
    await store.mark_handled([], 3000.0)
    assert len(await store.handled_marks()) == 2


async def test_learned_phrases_skip_deleted_documents(store):
    kept = await store.add_article(article(1), [])
    doomed = await store.add_article(article(2), [])
    await store.replace_cards([("mfc", "МФЦ", {}, "", "")], [("мфц", "", "c:mfc")])
    assert await store.learned_phrases() == {}
    await store.learn_phrases(["мфц адрес", "адрес центр"], DocRef.card("mfc"), "Адрес МФЦ?")
    await store.learn_phrases(["школа"], DocRef.article(kept), "школа")
    await store.learn_phrases(["удалить"], DocRef.article(doomed), "удалить")
    await store.learn_phrases(["нет карточки"], DocRef.card("gone"), "нет")
    await store.learn_phrases(["нет статьи"], DocRef.article(999_999), "нет")
    assert await store.learned_phrases() == {
        "мфц адрес": DocRef.card("mfc"),
        "адрес центр": DocRef.card("mfc"),
        "школа": DocRef.article(kept),
        "удалить": DocRef.article(doomed),
    }
    assert await store.delete_article(doomed)
    await store.replace_cards([], [])
    assert await store.learned_phrases() == {"школа": DocRef.article(kept)}
    # linking a wording again moves it
    await store.learn_phrases(["школа"], DocRef.card("mfc"), "школа")
    await store.replace_cards([("mfc", "МФЦ", {}, "", "")], [("мфц", "", "c:mfc")])
    assert await store.learned_phrases() == {
        "мфц адрес": DocRef.card("mfc"),
        "адрес центр": DocRef.card("mfc"),
        "школа": DocRef.card("mfc"),
    }


async def test_a_deleted_articles_wordings_never_lead_to_a_later_article(store):
    await store.add_article(article(1), [])
    doomed = await store.add_article(article(2), [])
    await store.learn_phrases(["удалить"], DocRef.article(doomed), "удалить")
    assert await store.delete_article(doomed)
    later = await store.add_article(article(3), [])
    assert later != doomed
    assert await store.learned_phrases() == {}
