"""Talking to a specialist, as the person and the specialists see it (in-process fake Bot API
with forum topics and copyMessage)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import USER_ID
from tests.fakebotapi import FakeBotAPI
from tests.inprocess import start_inprocess, stop_inprocess

SUPPORT = -1001234567890
SPECIALIST = 9001
HELPLINE = "8-800-2000-122"


@pytest.fixture
async def forum(fake_api: FakeBotAPI, db_path: Path):
    fake_api.add_supergroup(SUPPORT, "Специалисты", is_forum=True)
    h = await start_inprocess(fake_api, db_path, support_chat_id=SUPPORT)
    yield h
    await stop_inprocess(h)
    assert not fake_api.errors, fake_api.errors


@pytest.fixture
async def group(fake_api: FakeBotAPI, db_path: Path):
    fake_api.add_supergroup(SUPPORT, "Специалисты", is_forum=False)
    h = await start_inprocess(fake_api, db_path, support_chat_id=SUPPORT)
    yield h
    await stop_inprocess(h)
    assert not fake_api.errors, fake_api.errors


def refused_once(api: FakeBotAPI, description: str) -> None:
    """Telegram said `description` once, as the bot expects it to (it learns from it);
    the fixture's check that nothing else was refused still holds."""
    expected = [c for c in api.errors if description in repr(c)]
    assert len(expected) == 1, api.errors
    for call in expected:  # the situation was set up by the test: not the bot's mistake
        call.injected = True


def person_sees(api: FakeBotAPI) -> list[str]:
    return api.texts_in(USER_ID, from_bot=True)


def only_topic(api: FakeBotAPI) -> int:
    (topic,) = [t for t in api.topics.get(SUPPORT, {}).values() if not t.deleted]
    return topic.message_thread_id


async def specialist_says(h, text: str, **where) -> None:
    await h.push(h.api.push_message(text, chat_id=SUPPORT, user_id=SPECIALIST, **where))


async def test_a_conversation_through_a_topic(forum) -> None:
    api = forum.api
    await forum.send("/human")
    opened = person_sees(api)[-1]
    assert "Обращение №1" in opened and "специалист" in opened
    thread = only_topic(api)
    assert api.topics[SUPPORT][thread].name == "Обращение №1"
    assert "Отвечайте в этой теме" in api.texts_in(SUPPORT, thread)[0]

    before = len(person_sees(api))
    await forum.send("Здравствуйте, сын перестал ходить в школу")
    await forum.send("Что нам делать?")
    assert len(person_sees(api)) == before  # relayed, not answered by the bot
    in_topic = api.texts_in(SUPPORT, thread)
    assert in_topic[-2:] == ["Здравствуйте, сын перестал ходить в школу", "Что нам делать?"]

    await specialist_says(forum, "Здравствуйте! Давно это началось?", message_thread_id=thread)
    assert person_sees(api)[-1] == "Здравствуйте! Давно это началось?"

    await specialist_says(forum, "/close", message_thread_id=thread)
    assert "Специалист завершил разговор" in person_sees(api)[-1]
    assert api.topics[SUPPORT][thread].closed
    # The bot answers questions again.
    assert "8-800-2000-122" in await forum.ask("телефон доверия")


async def test_without_topics_a_specialist_answers_by_reply(group) -> None:
    api = group.api
    await group.send("хочу поговорить с психологом")
    assert "Обращение №1" in person_sees(api)[-1]
    await group.send("Мне одиноко дома")
    relayed = api.messages_in(SUPPORT)[-1]
    assert relayed["text"].startswith("Обращение №1") and "Мне одиноко дома" in relayed["text"]

    await specialist_says(
        group, "Я здесь, расскажите подробнее", reply_to_message_id=relayed["message_id"]
    )
    assert person_sees(api)[-1] == "Я здесь, расскажите подробнее"
    # Specialists talking among themselves stay in the group.
    before = len(person_sees(api))
    await specialist_says(group, "Коллеги, кто возьмёт обращение?")
    assert len(person_sees(api)) == before
    # The bot learnt once that the group has no topics, and asks no more.
    await group.send("/stop")
    await group.send("/human")
    refused_once(api, "the chat is not a forum")


async def test_the_specialists_never_see_who_wrote_unless_shared(forum) -> None:
    api = forum.api
    await forum.send("/human")
    await forum.send("мне нужна помощь с документами")
    thread = only_topic(api)
    seen = " ".join(api.texts_in(SUPPORT, thread))
    assert "Тест" not in seen and str(USER_ID) not in seen  # the fake's first name, the id
    assert await forum.ask("телефон доверия") == ""  # relayed, not answered
    stats = await forum.app.store.query_stats(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert stats["total"] == 0  # nothing of the conversation in the query log


async def test_a_crisis_message_during_a_conversation(forum) -> None:
    api = forum.api
    await forum.send("/human")
    thread = only_topic(api)
    await forum.send("я не хочу жить")
    reply = person_sees(api)[-1]
    assert "112" in reply and HELPLINE in reply
    topic = api.texts_in(SUPPORT, thread)
    assert topic[-2].startswith("🆘") and topic[-1] == "я не хочу жить"


async def test_a_deleted_topic_is_replaced(forum) -> None:
    api = forum.api
    await forum.send("/human")
    old = only_topic(api)
    api.delete_topic(SUPPORT, old)
    await forum.send("вы меня слышите?")
    new = only_topic(api)
    assert new != old and api.texts_in(SUPPORT, new)[-1] == "вы меня слышите?"
    await specialist_says(forum, "Да, слышу", message_thread_id=new)
    assert person_sees(api)[-1] == "Да, слышу"
    refused_once(api, "message thread not found")


async def test_two_requests_at_once_open_one_conversation_and_one_topic(forum) -> None:
    api = forum.api
    first = api.push_message("/human", chat_id=USER_ID, user_id=USER_ID)
    second = api.push_message("позовите оператора", chat_id=USER_ID, user_id=USER_ID)
    await asyncio.gather(forum.push(first), forum.push(second))
    assert len(api.topics[SUPPORT]) == 1
    assert sum("Обращение №1" in t for t in person_sees(api)) == 1


async def test_media_is_relayed_and_the_person_can_stop(forum) -> None:
    api = forum.api
    await forum.send("/human")
    thread = only_topic(api)
    await forum.push(api.push_photo(chat_id=USER_ID, user_id=USER_ID, caption="справка"))
    await forum.push(api.push_voice(chat_id=USER_ID, user_id=USER_ID))
    kinds = [m for m in api.messages_in(SUPPORT, thread) if "photo" in m or "voice" in m]
    assert len(kinds) == 2
    await forum.send("/stop")
    assert "завершён" in person_sees(api)[-1]
    assert "Человек завершил разговор" in api.texts_in(SUPPORT, thread)[-1]
    assert "Семейный МФЦ" in await forum.ask("семейный мфц")


async def test_outside_the_hours_the_person_is_told_when_and_given_the_helpline(
    fake_api: FakeBotAPI, db_path: Path
) -> None:
    fake_api.add_supergroup(SUPPORT, "Специалисты", is_forum=True)
    h = await start_inprocess(
        fake_api, db_path, support_chat_id=SUPPORT, support_hours="9-18 Europe/Moscow"
    )
    try:
        night = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)  # 02:30 in Moscow
        h.app.handoffs.clock = night.timestamp
        await h.send("/human")
        told = person_sees(fake_api)[-1]
        assert "нерабочее время" in told and "01.12 в 09:00" in told and HELPLINE in told
    finally:
        await stop_inprocess(h)


async def test_without_a_support_chat_a_request_gets_the_helpline(harness) -> None:
    reply = await harness.ask("хочу поговорить с живым человеком")
    assert HELPLINE in reply and "круглосуточно" in reply
    assert "Написать специалисту" not in str(harness.api.calls_of("sendMessage")[-1].params)


async def test_topic_creation_limited_by_telegram_waits_and_loses_nothing(forum) -> None:
    api = forum.api
    # More 429s than the session retries by itself: the conversation waits, then opens.
    api.fail_next("createForumTopic", 429, retry_after=1, times=4)
    await forum.send("/human")
    thread = only_topic(api)
    assert "Обращение №1" in person_sees(api)[-1]
    await forum.send("спасибо, что дождались")
    assert api.texts_in(SUPPORT, thread)[-1] == "спасибо, что дождались"


async def test_a_thumbs_down_leads_to_a_specialist(forum) -> None:
    from bot.telegram.callbacks import HumanRequest
    from bot.telegram.views import texts

    api = forum.api
    calls = await forum.send("горячая линия для подростков")
    answer = [c for c in calls if c.method == "sendMessage"][-1]
    buttons = answer.params["reply_markup"]["inline_keyboard"]
    down = next(b["callback_data"] for row in buttons for b in row if b["text"] == "👎")
    asked = await forum.push(api.push_callback(down, chat_id=USER_ID, user_id=USER_ID))
    offered = [
        b
        for c in asked
        if "reply_markup" in c.params
        for row in c.params["reply_markup"]["inline_keyboard"]
        for b in row
    ]
    assert any(b["text"] == texts.BUTTON_ASK_SPECIALIST for b in offered)
    await forum.push(api.push_callback(HumanRequest().pack(), chat_id=USER_ID, user_id=USER_ID))
    assert "Обращение №1" in person_sees(api)[-1]
    assert api.topics[SUPPORT][only_topic(api)].name == "Обращение №1"


async def test_stats_count_conversations_and_the_wait_for_a_first_answer(forum) -> None:
    from tests.conftest import ADMIN_ID

    api = forum.api
    clock = [1_800_000_000.0]
    forum.app.handoffs.clock = lambda: clock[0]
    await forum.send("/human")
    thread = only_topic(api)
    await forum.send("есть кто-нибудь?")
    clock[0] += 6 * 60  # a specialist answers six minutes later
    await specialist_says(forum, "Да, здравствуйте", message_thread_id=thread)
    stats = await forum.ask("/stats", user_id=ADMIN_ID)
    assert "Разговоров со специалистами за 7 дней: 1" in stats
    assert "С ответом специалиста: 1" in stats
    assert "Ждали первого ответа (медиана): 6 мин" in stats


async def test_a_topic_closed_in_the_client_or_a_blocked_bot_is_handled_quietly(forum) -> None:
    api = forum.api
    await forum.send("/human")
    thread = only_topic(api)
    await forum.push(api.close_topic(SUPPORT, thread, user_id=SPECIALIST))
    await forum.push(api.reopen_topic(SUPPORT, thread, user_id=SPECIALIST))
    assert not any("topic" in t.lower() for t in person_sees(api))  # nothing copied to them
    api.block_chat(USER_ID)
    await specialist_says(forum, "Вы здесь?", message_thread_id=thread)
    assert "заблокировал" in api.texts_in(SUPPORT, thread)[-1]
