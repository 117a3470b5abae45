"""The editors' queue: what found nothing and what got 👎, grouped by wording; linking a
group teaches the search at once (any inflection, any process); handled groups leave the
queue until asked again; no one's id is ever shown; every editor action is audited."""

from __future__ import annotations

from bot.app import App
from bot.store.base import DocRef
from bot.telegram.formatting import plain_text
from bot.telegram.views import texts
from tests.bot.test_feedback import answer_call, keyboard, press, rating_buttons
from tests.conftest import ADMIN_ID, USER_ID, make_settings
from tests.eval.review_grouping import DEV, HOLDOUT, measure
from tests.support import reply_to

HELPLINE_NUMBER = "8-800-2000-122"


async def queue(h, user_id: int = ADMIN_ID):
    """The /review message as sent (its call) and as read (plain text)."""
    calls = await h.send("/review", user_id=user_id)
    sent = [c for c in calls if c.method == "sendMessage"][-1]
    return sent, plain_text(sent.params["text"])


def button(call, label: str) -> str:
    return next(b["callback_data"] for row in keyboard(call) for b in row if b["text"] == label)


async def test_a_down_appears_in_review_and_linking_it_to_the_helpline_teaches_search(harness):
    wording = "консультация психолога для подростка"
    assert "Семейный МФЦ" in await harness.ask(wording)  # the wrong answer, before
    answer = [c for c in harness.api.calls_of("sendMessage") if c.ok][-1]
    await press(harness, rating_buttons(answer)["👎"])
    sent, text = await queue(harness)
    assert f"1. «{wording}» — 1" in text and "👎: 1" in text
    assert "показан ответ: «Семейный МФЦ»" in text
    _, picker = await press(harness, button(sent, "1: связать"), user_id=ADMIN_ID)
    assert all(len(b["callback_data"].encode()) <= 64 for row in keyboard(picker[0]) for b in row)
    told, done = await press(
        harness, button(picker[0], "Карточка: Детский телефон доверия"), user_id=ADMIN_ID
    )
    assert "Детский телефон доверия" in done[0].params["text"]
    for asked in (wording, "Консультации психолога для подростков", "КОНСУЛЬТАЦИЯ ПСИХОЛОГА ДЛЯ ПОДРОСТКА"):
        reply = await harness.ask(asked)
        assert reply.startswith("<b>Детский телефон доверия</b>") and HELPLINE_NUMBER in reply
    assert "Семейный МФЦ" in await harness.ask("консультация психолога для родителей")  # no wider
    _, text = await queue(harness)
    assert text == texts.REVIEW_EMPTY  # linked: off the queue
    audit = await harness.app.store.recent_audit(5)
    assert any(a[2] == "review_link" and wording in a[3] and "c:helpline" in a[3] for a in audit)


async def test_questions_that_found_nothing_group_by_wording_most_frequent_first(harness):
    for text in [
        "справка в бассейн",
        "Справку в бассейн?",
        "справка в бассейн",
        "справки в бассейн",
        "куда жаловаться на школу",
        "матиринский капитал как получить",
        "как получить материнский капитал за третьего",
    ]:
        await harness.ask(text)
    _, text = await queue(harness)
    assert "1. «справка в бассейн» — 4" in text and "не нашлось: 4" in text
    variants = next(line for line in text.splitlines() if line.startswith("ещё так:"))
    assert "«Справку в бассейн?»" in variants and "«справки в бассейн»" in variants
    assert "2. «куда жаловаться на школу» — 1" in text
    assert "капитал" not in text  # those found an answer (the payments card)


async def test_linking_by_typing_the_article_number(harness):
    for _ in range(2):
        await harness.ask("справка в бассейн")
    sent, _ = await queue(harness)
    _, picker = await press(harness, button(sent, "1: связать"), user_id=ADMIN_ID)
    assert "номер статьи" in picker[0].params["text"]
    assert texts.REVIEW_NO_DOC in await harness.ask("#999", user_id=ADMIN_ID)
    done = await harness.ask("3", user_id=ADMIN_ID)
    title = (await harness.app.store.get_article(3)).title
    assert title[:60] in done
    assert title in await harness.ask("Справки в бассейн")
    # linking is over: an editor's next message is a question again
    assert "8-800-2000-122" in await harness.ask("горячая линия для подростков", user_id=ADMIN_ID)


async def test_a_question_after_the_link_prompt_is_answered_as_usual(harness):
    await harness.ask("справка в бассейн")
    sent, _ = await queue(harness)
    await press(harness, button(sent, "1: связать"), user_id=ADMIN_ID)
    assert HELPLINE_NUMBER in await harness.ask("горячая линия для подростков", user_id=ADMIN_ID)
    assert "справка в бассейн" in (await queue(harness))[1]  # not linked


async def test_handled_leaves_the_queue_and_comes_back_when_asked_again(harness):
    await harness.ask("справка в бассейн")
    await harness.ask("куда жаловаться на школу")
    sent, text = await queue(harness)
    first = "справка в бассейн" if "1. «справка в бассейн»" in text else "куда жаловаться на школу"
    told, edited = await press(harness, button(sent, "1: готово"), user_id=ADMIN_ID)
    assert told == texts.REVIEW_HANDLED
    _, text = await queue(harness)
    assert first not in text and "групп 1" in text
    await harness.ask(first.upper())
    _, text = await queue(harness)
    assert f"«{first.upper()}» — 1" in text  # only the new occurrence counts
    audit = await harness.app.store.recent_audit(10)
    assert any(a[2] == "review_handled" and first in a[3] for a in audit)


async def test_review_and_stats_never_show_who_asked_or_rated(harness):
    people = [918273645, 564738291]
    for person in people:
        answer = await answer_call(harness, "консультация психолога для подростка", user_id=person)
        await press(harness, rating_buttons(answer)["👎"], user_id=person)
        await harness.ask("справка в бассейн", user_id=person)
    _, review = await queue(harness)
    stats = plain_text(await harness.ask("/stats", user_id=ADMIN_ID))
    assert "👎: 2" in review and "👍 0 👎 2" in stats and "не нашлось: 2" in review
    for person in people:
        assert str(person) not in review and str(person) not in stats


async def test_stats_show_the_weekly_share_of_not_found(harness):
    await harness.ask("справка в бассейн")
    await harness.ask("горячая линия для подростков")
    stats = plain_text(await harness.ask("/stats", user_id=ADMIN_ID))
    assert "Не нашлось ответа, по неделям (последние 8):" in stats
    assert "50 % (1 из 2)" in stats


async def test_non_admins_are_refused_the_queue_and_its_buttons(harness):
    await harness.ask("справка в бассейн")
    sent, _ = await queue(harness)
    assert await harness.ask("/review") == texts.admin_refusal(USER_ID)
    told, _ = await press(harness, button(sent, "1: готово"), user_id=USER_ID)
    assert told == texts.admin_refusal(USER_ID)
    told, _ = await press(harness, "rvl:q:1:c:helpline", user_id=USER_ID)
    assert told == texts.admin_refusal(USER_ID)
    assert "справка в бассейн" in (await queue(harness))[1]
    assert await harness.app.store.learned_phrases() == {}


async def test_forged_queue_buttons_get_a_polite_answer(harness):
    for data in ("rva:h:q:999999", "rva:l:a:999999", "rvl:q:999999:c:helpline", "rva:x:q:1",
                 "rvl:q:1:c:" + "x" * 30, "rvp:" + "9" * 30):
        told, sent = await press(harness, data, user_id=ADMIN_ID)
        assert told in (texts.REVIEW_GONE, texts.STALE_BUTTON) and not sent, data
    assert await harness.app.store.learned_phrases() == {}


async def test_a_link_is_seen_by_another_process_on_the_same_database(harness, db_path):
    other = await App.create(make_settings(db_path))
    try:
        before = await reply_to(other, "справка в бассейн")
        assert before.kind == "not_found"
        await harness.ask("справка в бассейн")
        row = (await harness.app.store.review_rows(10))[0]
        outcome = await harness.app.review.link(ADMIN_ID, "q", row.id, DocRef.card("helpline"))
        assert outcome.status == "linked"
        after = await reply_to(other, "Справку в бассейн")
        assert after.subject == DocRef.card("helpline")
    finally:
        await other.close()


async def test_grouping_keeps_look_alike_topics_apart(app):
    """The measured choice (bot/search/phrases.py): no wrong merge on either labelled set."""
    analyzer = app.search.analyzer
    for groups, recall in ((DEV, 0.85), (HOLDOUT, 0.75)):
        chosen = measure(groups, analyzer.vocab.stopwords, analyzer.idf)["idf-weighted overlap >= 0.65"]
        assert chosen[0] == 1.0 and chosen[1] >= recall, chosen
