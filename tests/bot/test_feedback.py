"""Rating an answer: 👍 / 👎 under article and card answers, one rating per person per
answer, «Что было не так?» after a 👎, and forged presses that change nothing."""

from __future__ import annotations

import pytest

from bot.telegram.callbacks import HumanRequest, Rate, RateReason
from bot.telegram.views import texts
from tests.conftest import ADMIN_ID, USER_ID
from tests.inprocess import start_inprocess, stop_inprocess

GROUP = -100500


def keyboard(call) -> list[list[dict]]:
    return (call.params.get("reply_markup") or {}).get("inline_keyboard", [])


def rating_buttons(call) -> dict[str, str]:
    """{'👍': data, '👎': data} of a sent answer, {} when it has none."""
    return {
        b["text"]: b["callback_data"]
        for row in keyboard(call)
        for b in row
        if b["text"] in (texts.BUTTON_RATE_UP, texts.BUTTON_RATE_DOWN)
    }


async def answer_call(h, text: str, user_id: int = USER_ID, chat_id: int | None = None, **kw):
    calls = await h.send(text, user_id=user_id, chat_id=chat_id, **kw)
    return [c for c in calls if c.method == "sendMessage"][-1]


async def press(h, data: str, user_id: int = USER_ID, chat_id: int | None = None, **kw):
    """Press a button; (the callback answer's text, the messages sent)."""
    calls = await h.push(
        h.api.push_callback(data, user_id=user_id, chat_id=chat_id or user_id, **kw)
    )
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert [c.ok for c in answers] == [True], answers  # the spinner stops, once
    sent = [c for c in calls if c.method in ("sendMessage", "editMessageText")]
    return answers[0].params.get("text", ""), sent


async def stats_line(h, title: str) -> str:
    text = await h.ask("/stats", user_id=ADMIN_ID)
    lines = [line for line in text.splitlines() if title in line and "👍" in line]
    return lines[0] if lines else ""


async def test_article_and_card_answers_carry_rating_buttons_others_do_not(harness):
    card = await answer_call(harness, "горячая линия для подростков")
    buttons = rating_buttons(card)
    assert set(buttons) == {"👍", "👎"}
    assert all(len(data.encode()) <= 64 and data.startswith("rate:") for data in buttons.values())
    assert keyboard(card)[-1][0]["text"] == "👍"  # the last row, under everything else
    article = await answer_call(harness, "стажировка в Тюмени")
    assert rating_buttons(article)
    for text in ("справка в бассейн", "привет", "меня бьют дома", "/events"):
        assert not rating_buttons(await answer_call(harness, text)), text


async def test_open_buttons_answers_carry_rating_buttons(harness):
    await harness.send("/start")
    text, sent = await press(harness, "open:c:mfc")
    assert "Семейный МФЦ" in sent[0].params["text"] and rating_buttons(sent[0])


async def test_up_then_down_by_one_person_is_one_rating_the_down(harness):
    buttons = rating_buttons(await answer_call(harness, "горячая линия для подростков"))
    thanks, _ = await press(harness, buttons["👍"])
    assert thanks == texts.RATING_THANKS
    assert "👍 1 👎 0" in await stats_line(harness, "Детский телефон доверия")
    _, sent = await press(harness, buttons["👎"])
    assert sent[0].params["text"] == texts.WHAT_WAS_WRONG
    assert "👍 0 👎 1" in await stats_line(harness, "Детский телефон доверия")
    again, sent = await press(harness, buttons["👎"])  # the same press: nothing new
    assert again == texts.RATING_KEPT and not sent
    assert "👍 0 👎 1" in await stats_line(harness, "Детский телефон доверия")


async def test_two_people_rating_one_answer_are_two_ratings(harness):
    answer = await answer_call(
        harness, "/search горячая линия для подростков", chat_id=GROUP, chat_type="group"
    )
    buttons = rating_buttons(answer)
    await press(harness, buttons["👍"], user_id=USER_ID, chat_id=GROUP, chat_type="group")
    await press(harness, buttons["👍"], user_id=USER_ID + 1, chat_id=GROUP, chat_type="group")
    assert "👍 2 👎 0" in await stats_line(harness, "Детский телефон доверия")


async def test_down_asks_what_was_wrong_and_keeps_the_reason(harness):
    buttons = rating_buttons(await answer_call(harness, "консультация психолога для подростка"))
    _, sent = await press(harness, buttons["👎"])
    prompt = sent[0]
    labels = [b["text"] for row in keyboard(prompt) for b in row]
    assert labels == ["Не то", "Устарело", "Непонятно", "Другое"]  # no support chat here
    assert all(len(b["callback_data"].encode()) <= 64 for row in keyboard(prompt) for b in row)
    unclear = next(b for row in keyboard(prompt) for b in row if b["text"] == "Непонятно")
    _, sent = await press(harness, unclear["callback_data"])
    assert sent[0].method == "editMessageText" and "Спасибо" in sent[0].params["text"]
    queue = await harness.ask("/review", user_id=ADMIN_ID)
    assert "консультация психолога для подростка" in queue and "непонятно: 1" in queue


async def test_with_a_support_chat_the_specialist_is_offered(fake_api, db_path):
    h = await start_inprocess(fake_api, db_path, support_chat_id=-1001234567890)
    try:
        buttons = rating_buttons(await answer_call(h, "горячая линия для подростков"))
        _, sent = await press(h, buttons["👎"])
        datas = [b["callback_data"] for row in keyboard(sent[0]) for b in row]
        assert HumanRequest().pack() in datas
        assert texts.BUTTON_ASK_SPECIALIST in [b["text"] for row in keyboard(sent[0]) for b in row]
    finally:
        await stop_inprocess(h)
    assert not fake_api.errors


@pytest.mark.parametrize(
    "data",
    [
        Rate(answer_id=999_999, up=False).pack(),  # no such answer
        Rate(answer_id=2**53, up=True).pack(),
        "rate:" + "9" * 40 + ":1",  # too large for any id
        "rate:-1:0",
        "rate:1:maybe",
        RateReason(answer_id=999_999, reason="wrong").pack(),
        "why:1:evil",
        "why:" + "1" * 30 + ":old",
    ],
)
async def test_forged_rating_presses_get_a_polite_answer_and_change_nothing(harness, data):
    buttons = rating_buttons(await answer_call(harness, "горячая линия для подростков"))
    assert buttons
    before = await stats_line(harness, "Детский телефон доверия")
    told, sent = await press(harness, data)
    assert told in (texts.RATING_GONE, texts.STALE_BUTTON)
    assert not sent
    assert await stats_line(harness, "Детский телефон доверия") == before == ""


async def test_a_reason_without_ones_own_down_changes_nothing(harness):
    buttons = rating_buttons(await answer_call(harness, "горячая линия для подростков"))
    answer_id = Rate.unpack(buttons["👎"]).answer_id
    await press(harness, buttons["👍"])
    told, sent = await press(harness, RateReason(answer_id=answer_id, reason="old").pack())
    assert told == texts.RATING_GONE and not sent
    assert await harness.ask("/review", user_id=ADMIN_ID) == texts.REVIEW_EMPTY


async def test_the_rated_wording_is_kept_as_the_query_log_keeps_it(harness):
    for asked in (
        "Меня зовут Мария Иванова. Где консультация психолога для подростка?",
        "Мой телефон +7 912 345-67-89. Консультация психолога для подростка?",
    ):
        await press(harness, rating_buttons(await answer_call(harness, asked))["👎"])
    queue = await harness.ask("/review", user_id=ADMIN_ID)
    assert "консультация психолога для подростка" in queue and "👎: 2" in queue
    assert "[имя]" in queue and "[телефон]" in queue
    assert "Мария" not in queue and "Иванова" not in queue and "912" not in queue


async def test_an_answer_led_by_the_helpline_is_not_rated(harness):
    """A message that reads as distress is never stored: its answer gets no rating row."""
    answer = await answer_call(harness, "мне страшно, я беременна, мне 14, где семейный мфц")
    assert "8-800-2000-122" in answer.params["text"] and not rating_buttons(answer)


async def test_answers_are_pruned_with_the_query_log(fake_api, db_path):
    h = await start_inprocess(fake_api, db_path, query_log_days=0)
    try:
        buttons = rating_buttons(await answer_call(h, "горячая линия для подростков"))
        await h.app.periodic_once()
        told, _ = await press(h, buttons["👍"])
        assert told == texts.RATING_GONE
    finally:
        await stop_inprocess(h)
    assert not fake_api.errors
