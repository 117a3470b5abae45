"""The safety net and answers that fit the question, as a person sees them in Telegram.

Everything here goes through the real dispatcher and the fake Bot API (updates handled as
concurrent tasks). Phrasings are people's, not the eval set's: the eval measures, these
pin down what a user would notice if it broke.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.app import App
from bot.text.layout import en_to_ru
from tests.conftest import USER_ID
from tests.fakebotapi import parse_html
from tests.inprocess import start_inprocess, stop_inprocess
from tests.support import reply_to

RU_LAYOUT = "йцукенгшщзхъфывапролджэячсмитьбюё"
EN_LAYOUT = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"


def typed_in_wrong_layout(text: str) -> str:
    """What a Russian phrase looks like typed with the English layout on."""
    table = str.maketrans(RU_LAYOUT, EN_LAYOUT)
    out = text.lower().translate(table)
    assert en_to_ru(out) == text.lower()
    return out


def first_lines(text: str, n: int = 2) -> str:
    plain, _ = parse_html(text)
    return "\n".join(plain.strip().split("\n\n")[:n])


@pytest.mark.parametrize(
    "message",
    [
        typed_in_wrong_layout("меня бьют дома"),
        typed_in_wrong_layout("не хочу жить"),
        "ne hochu zhit",
        "menya bjut doma",
        "I want to die",
        "my dad hits me",
        "я порезала руки",
        "помогите",
        "😢😢😢",
        "одноклассники снимают меня на видео и выкладывают",
    ],
)
async def test_distress_in_any_writing_gets_112_and_the_helpline_first(harness, message):
    reply = await harness.ask(message)
    top = first_lines(reply)
    assert "112" in top and "8-800-2000-122" in top, reply
    assert "Не нашёл" not in reply


async def test_a_parent_is_answered_as_an_adult(harness):
    reply, _ = parse_html(await harness.ask("дочь режет руки, что делать"))
    assert "звоните 112" in reply and "звони 112" not in reply
    child, _ = parse_html(await harness.ask("я режу руки"))
    assert "звони 112" in child


@pytest.mark.parametrize(
    "message",
    [
        "бьют рекорды по посещаемости семейных мфц",
        "убийственно скучно на этом форуме",
        "вебинар по профилактике суицидального поведения подростков",
        "порезала лук и палец, чем обработать",
    ],
)
async def test_look_alikes_are_not_a_crisis(harness, message):
    reply, _ = parse_html(await harness.ask(message))
    assert "угрожает опасность прямо сейчас" not in reply


async def test_every_not_found_carries_the_helpline(harness):
    reply, _ = parse_html(await harness.ask("как установить windows 11"))
    assert "Не нашёл" in reply and "8-800-2000-122" in reply and "112" in reply


async def test_distress_without_a_category_leads_with_the_helpline(harness):
    reply, _ = parse_html(await harness.ask("мне страшно, где найти семейный мфц"))
    assert reply.lstrip().startswith("Если вам тяжело или страшно — Детский телефон доверия")
    assert "Семейный МФЦ" in reply  # and the question is still answered


@pytest.mark.parametrize("message", ["привет", "Спасибо!", "меню", "что ты умеешь?", "пока"])
async def test_small_talk_gets_a_friendly_reply_with_the_menu(harness, message):
    calls = await harness.send(message)
    sent = [c for c in calls if c.method == "sendMessage"]
    assert len(sent) == 1
    assert "Не нашёл" not in sent[0].params["text"]
    buttons = [b["text"] for row in sent[0].params["reply_markup"]["inline_keyboard"] for b in row]
    assert "Детский телефон доверия" in buttons and "Мероприятия" in buttons


@pytest.mark.parametrize(
    ("message", "title"),
    [
        ("тилифон давериа", "Детский телефон доверия"),
        ("тел доверия", "Детский телефон доверия"),
        ("семейный мфс", "Семейный МФЦ"),
    ],
)
async def test_misspelt_service_names_reach_their_cards(harness, message, title):
    reply, _ = parse_html(await harness.ask(message))
    assert reply.startswith(title), reply


async def test_payments_get_a_routing_card_never_an_amount(harness):
    reply, _ = parse_html(await harness.ask("мы многодетная семья, какие выплаты положены"))
    assert reply.startswith("Выплаты и пособия семьям")
    assert "8-800-100-00-01" in reply and "Госуслуги" in reply
    assert "руб" not in reply


async def test_sources_name_the_site_never_an_internal_id(harness):
    reply = await harness.ask("профи-2025 мончегорск")
    plain, _ = parse_html(reply)
    assert "gov-murman.ru" in plain
    assert "из базы бота" not in plain and "№" not in plain


async def test_follow_ups_are_about_the_last_subject(harness):
    await harness.ask("что было в Тюмени")
    when, _ = parse_html(await harness.ask("а когда?"))
    assert "октябр" in when and "Тюмен" in when
    await harness.ask("семейный мфц")
    count, _ = parse_html(await harness.ask("а сколько их?"))
    assert "144" in count
    # a full new question replaces the subject
    fresh, _ = parse_html(await harness.ask("детский телефон доверия"))
    assert fresh.startswith("Детский телефон доверия")


async def test_follow_up_context_is_per_chat(harness):
    await harness.ask("семейный мфц", user_id=USER_ID)
    other, _ = parse_html(await harness.ask("а сколько их?", user_id=USER_ID + 1))
    assert "144" not in other


async def test_follow_up_context_survives_a_restart_and_expires(fake_api, db_path: Path):
    h = await start_inprocess(fake_api, db_path)
    try:
        await h.ask("семейный мфц")
    finally:
        await stop_inprocess(h)
    h = await start_inprocess(fake_api, db_path)
    try:
        count, _ = parse_html(await h.ask("а сколько их?"))
        assert "144" in count
        # 16 minutes later the subject is gone
        real = h.app.answerer.clock
        h.app.answerer.clock = lambda: real() + 16 * 60
        later, _ = parse_html(await h.ask("а сколько их?"))
        assert "144" not in later
    finally:
        await stop_inprocess(h)


# ---- events in everyday words, with upcoming events stored -------------------------------

ANNOUNCEMENT = """В Мончегорске пройдёт стажировочная площадка для специалистов опеки
27.11.2026
Источник: https://socium51.ru/news/2026/11/27/monchegorsk

С 16 по 18 марта 2027 года в Мончегорске пройдёт межрегиональная стажировочная площадка
для специалистов органов опеки. Организатор — АНО «Кольский центр семейных практик».
Количество мест ограничено — 40 участников.
Далее в маршрутном графике — Краснодарский край и Московская область.
"""


@pytest.fixture
async def events_harness(fake_api, db_path: Path):
    h = await start_inprocess(fake_api, db_path, bot_today="2026-11-30")
    outcome = await h.app.library.add(ANNOUNCEMENT.encode(), "monchegorsk.txt", "test")
    assert outcome.stored
    yield h
    await stop_inprocess(h)


@pytest.mark.parametrize(
    "message",
    [
        "список мероприятий",
        "календарь мероприятий",
        "куда поехать на стажировку",
        "будут ли ещё стажировочные площадки",
        "мероприятия в марте",
        "что будет в 2027 году",
        "мероприятия в мурманской области",
    ],
)
async def test_events_in_everyday_words(events_harness, message):
    reply, _ = parse_html(await events_harness.ask(message))
    assert "Мончегорск" in reply and "16–18 марта 2027" in reply, reply


async def test_a_city_finds_events_stored_under_its_region(events_harness):
    await events_harness.app.library.add(
        "Форум «Крепкая семья» пройдёт 22 апреля 2027 года в Оренбургской области.\n"
        "Источник: https://orenburg.example/forum\n".encode(),
        "forum.txt",
        "test",
    )
    by_city, _ = parse_html(await events_harness.ask("/events Оренбург"))
    assert "22 апреля 2027" in by_city
    by_region, _ = parse_html(await events_harness.ask("/events Мурманская область"))
    assert "Мончегорск" in by_region


async def test_next_stops_without_dates_are_shown_as_to_be_announced(events_harness):
    reply, _ = parse_html(await events_harness.ask("куда дальше поедет стажировочная площадка"))
    assert "даты уточняются" in reply and "Краснодарский край" in reply


async def test_a_month_filter_leaves_other_months_out(events_harness):
    reply, _ = parse_html(await events_harness.ask("мероприятия в январе"))
    assert "Мончегорск" not in reply


async def test_follow_up_about_a_listed_event(events_harness):
    await events_harness.ask("стажировка в мончегорске")
    seats, _ = parse_html(await events_harness.ask("а сколько мест?"))
    assert "40" in seats


async def test_many_people_asking_at_once_each_get_their_own_answer(events_harness):
    """Concurrent chats, each with its own follow-up context, none lost or crossed."""
    h = events_harness
    first = [
        h.api.push_message("семейный мфц", chat_id=5000 + i, user_id=5000 + i) for i in range(20)
    ]
    await asyncio.gather(*(h.wait_handled(u) for u in first))
    second = [
        h.api.push_message("а сколько их?", chat_id=5000 + i, user_id=5000 + i) for i in range(20)
    ]
    await asyncio.gather(*(h.wait_handled(u) for u in second))
    for i in range(20):
        texts = [
            c.params["text"]
            for c in h.api.calls_of("sendMessage")
            if c.params.get("chat_id") == 5000 + i
        ]
        assert len(texts) == 2 and "144" in texts[1], (i, texts)


async def test_two_chats_get_the_same_answer_to_the_same_text(app: App):
    """Context is per chat: a first message is answered the same way in any chat."""
    a = await reply_to(app, "тилифон давериа", chat_id=1, log_query=True)
    b = await reply_to(app, "тилифон давериа", chat_id=2, log_query=True)
    assert a.text == b.text and str(a.subject) == str(b.subject) == "c:helpline"


async def test_pressing_the_same_page_twice_is_not_an_error(events_harness):
    """Found by the soak: a second press on the page already shown made Telegram refuse the
    edit («message is not modified») and the person got an apology."""
    h = events_harness
    await h.ask("список мероприятий")
    for _ in range(2):
        update = h.api.push_callback("ev:0::0", chat_id=USER_ID, user_id=USER_ID)
        calls = await h.push(update)
        assert any(c.method == "answerCallbackQuery" for c in calls)
        assert not any("Извините" in (c.params.get("text") or "") for c in calls)
    # and no edit Telegram would refuse was even attempted
    assert not [c for c in h.api.calls if c.method == "editMessageText" and not c.ok]


async def test_expired_follow_up_subjects_are_deleted_from_the_store(app: App):
    """No chat id stays in the store longer than the follow-up window."""
    await reply_to(app, "семейный мфц", chat_id=77, log_query=True)
    assert await app.store.load_context(77, 0) == "c:mfc"
    real = app.answerer.clock
    app.answerer.clock = lambda: real() + 16 * 60
    await app.periodic_once()
    assert await app.store.load_context(77, 0) is None
