"""The person's region (/region, /forget) and what it changes: a typed city, a button, a
shared location (only the region name is kept), questions never swallowed while /region
waits for a place, /events with the region first, `/subscribe регион` hearing of events in
the region's cities."""

from __future__ import annotations

import pytest

from bot.telegram.callbacks import RegionPick, RegionSubscribe
from bot.telegram.outbox import OutboxSender
from tests.conftest import ADMIN_ID, USER_ID
from tests.fakebotapi import parse_html
from tests.inprocess import start_inprocess, stop_inprocess
from tests.support import FIXTURES

HELPLINE = "8-800-2000-122"
YEKATERINBURG = (56.8389, 60.6057)  # the city centre, as a phone would share it


def texts_of(calls) -> list[str]:
    """What the person reads, message by message (HTML parsed as Telegram does)."""
    return [parse_html(c.params["text"])[0] for c in calls if c.method == "sendMessage"]


async def region_of(h, chat: int = USER_ID) -> str | None:
    return await h.app.store.chat_region(chat)


async def test_region_offers_buttons_and_the_location_button(harness):
    calls = await harness.send("/region")
    prompt, hint = [c for c in calls if c.method == "sendMessage"]
    assert "Где вы живёте?" in prompt.params["text"]
    buttons = [b for row in prompt.params["reply_markup"]["inline_keyboard"] for b in row]
    names = [b["text"] for b in buttons]
    assert names[:6] == [
        "Москва",
        "Санкт-Петербург",
        "Московская область",
        "Свердловская область",
        "Тюменская область",
        "Кировская область",
    ]
    keyboard = hint.params["reply_markup"]["keyboard"]
    assert keyboard[0][0] == {"text": "📍 Отправить геопозицию", "request_location": True}
    assert ["Телефон доверия", "Семейный МФЦ"] in [[b["text"] for b in r] for r in keyboard]
    assert "напишите город" in hint.params["text"]


async def test_typing_a_city_after_region_sets_it(harness):
    await harness.send("/region")
    (reply,) = texts_of(await harness.send("в Тюмени"))
    assert reply.startswith("Запомнил ваш регион: Тюменская область.")
    assert "/forget" in reply
    assert await region_of(harness) == "Тюменская область"
    # Changeable: a region typed as a region, in another case.
    await harness.send("/region")
    (reply,) = texts_of(await harness.send("свердловская область"))
    assert "Свердловская область" in reply
    assert await region_of(harness) == "Свердловская область"
    # An answer in a sentence, as people answer «где вы живёте?».
    await harness.send("/region")
    (reply,) = texts_of(await harness.send("мы живём в Казани"))
    assert "Запомнил ваш регион: Республика Татарстан." in reply


async def test_a_region_button_sets_it(harness):
    await harness.send("/region")
    update = harness.api.push_callback(RegionPick(code=43).pack(), chat_id=USER_ID, user_id=USER_ID)
    (reply,) = texts_of(await harness.push(update))
    assert "Запомнил ваш регион: Кировская область." in reply
    assert await region_of(harness) == "Кировская область"


async def test_region_with_a_city_argument_works_in_one_step(harness):
    (reply,) = texts_of(await harness.send("/region Мончегорск"))
    assert "Мурманская область" in reply
    (reply,) = texts_of(await harness.send("/region Атлантида"))
    assert "Не нашёл такого города или региона: «Атлантида»" in reply and HELPLINE in reply
    assert await region_of(harness) == "Мурманская область"  # left as it was


async def test_sharing_a_location_sets_the_nearest_region_and_keeps_no_coordinates(harness):
    await harness.send("/region")
    update = harness.api.push_location(*YEKATERINBURG, chat_id=USER_ID, user_id=USER_ID)
    replies = texts_of(await harness.push(update))
    assert replies[0].startswith(
        "По геопозиции ближе всего Екатеринбург, ваш регион — Свердловская область."
    )
    assert "Координаты я не сохранил" in replies[0]
    assert len(replies) == 2  # then the directory's nearest centres (or an honest «нет»)
    assert await region_of(harness) == "Свердловская область"
    db = harness.app.store._db  # what is kept, as the database holds it
    async with db.execute("SELECT * FROM chat_regions WHERE chat_id=?", (USER_ID,)) as cur:
        row = await cur.fetchone()
    assert [row[0], row[1]] == [USER_ID, "Свердловская область"] and len(row) == 3
    # Shared without /region first (the button stays in the menu): updated all the same.
    update = harness.api.push_location(57.1530, 65.5343, chat_id=USER_ID, user_id=USER_ID)
    assert "Тюменская область" in texts_of(await harness.push(update))[0]


async def test_a_location_far_from_russia_changes_nothing(harness):
    await harness.send("/region Тюмень")
    update = harness.api.push_location(-33.87, 151.21, chat_id=USER_ID, user_id=USER_ID)
    (reply,) = texts_of(await harness.push(update))
    assert "Не получилось определить регион" in reply and "Напишите ваш город" in reply
    assert await region_of(harness) == "Тюменская область"


async def test_a_question_after_region_is_answered_not_swallowed(harness):
    await harness.send("/region")
    answer, note = texts_of(await harness.send("что такое семейный мфц"))
    assert "«одного окна»" in answer
    assert "Регион не менял" in note and "/region" in note
    assert await region_of(harness) is None
    # The question ended the wait: the next text is a question again, not a place.
    assert "Запомнил" not in "\n".join(texts_of(await harness.send("Тюмень")))
    assert await region_of(harness) is None


async def test_neither_a_place_nor_a_question_gets_not_found_and_may_type_again(harness):
    await harness.send("/region")
    (reply,) = texts_of(await harness.send("абырвалг"))
    assert "Не нашёл такого города или региона: «абырвалг»" in reply
    assert HELPLINE in reply and "/help" in reply
    assert await region_of(harness) is None
    (reply,) = texts_of(await harness.send("Екатеринбург"))
    assert "Запомнил ваш регион: Свердловская область." in reply


async def test_a_crisis_after_region_gets_the_crisis_reply_first(harness):
    await harness.send("/region")
    replies = texts_of(await harness.send("меня бьют дома"))
    assert "112" in replies[0].split("\n\n")[0]
    assert not any("Регион" in r for r in replies)
    assert await region_of(harness) is None


async def test_cancel_after_region_leaves_it(harness):
    await harness.send("/region Тюмень")
    await harness.send("/region")
    (reply,) = texts_of(await harness.send("Отмена"))
    assert reply == "Хорошо, регион не меняю."
    assert await region_of(harness) == "Тюменская область"


async def test_forget_deletes_the_region_and_says_what(harness):
    (reply,) = texts_of(await harness.send("/forget"))
    assert "не сохранён — удалять нечего" in reply
    await harness.send("/region Тюмень")
    await harness.send("/subscribe регион")
    (reply,) = texts_of(await harness.send("/forget"))
    assert reply.startswith("Удалил ваш регион (Тюменская область).")
    assert "Подписка на мероприятия этого региона осталась" in reply and "/unsubscribe" in reply
    assert await region_of(harness) is None
    assert "удалять нечего" in texts_of(await harness.send("/forget"))[0]


# ---------------------------------------------------------------- events and subscriptions
async def test_events_list_the_region_first_with_headings(harness):
    # 10 October 2024: Tyumen's training sessions come first by date, then the Murmansk forum.
    plain = texts_of(await harness.send("/events"))[0]
    assert plain.index("16–18 октября 2024") < plain.index("Профи-2025")
    assert "В вашем регионе" not in plain
    await harness.send("/region Мончегорск")  # a town of Мурманская область
    plain = texts_of(await harness.send("/events"))[0]
    order = [
        "Ближайшие мероприятия (на 10.10.2024):",
        "В вашем регионе (Мурманская область):",
        "Профи-2025",
        "В других регионах:",
        "16–18 октября 2024",
        "23–25 октября 2024",
    ]
    positions = [plain.index(fragment) for fragment in order]
    assert positions == sorted(positions), plain
    # The date questions too; a place named in the filter wins over the region.
    plain = texts_of(await harness.send("когда ближайшие мероприятия"))[0]
    assert plain.index("В вашем регионе (Мурманская область):") < plain.index("Тюмени")
    plain = texts_of(await harness.send("/events Тюмень"))[0]
    assert "В вашем регионе" not in plain and "16–18 октября 2024" in plain


async def test_events_say_when_the_region_has_none(harness):
    await harness.send("/region Екатеринбург")
    plain = texts_of(await harness.send("/events"))[0]
    assert "В вашем регионе (Свердловская область) ближайших мероприятий пока нет." in plain
    assert plain.index("В других регионах:") < plain.index("16–18 октября 2024")


async def test_subscribe_to_the_region(harness):
    (reply,) = texts_of(await harness.send("/subscribe регион"))
    assert "Сначала укажите ваш регион: /region" in reply
    assert await harness.app.store.subscriptions_of(USER_ID) == []
    calls = await harness.send("/region Тюмень")
    button = calls[0].params["reply_markup"]["inline_keyboard"][0][0]
    assert button == {"text": "🔔 Подписаться на мой регион", "callback_data": "regsub"}
    update = harness.api.push_callback(RegionSubscribe().pack(), chat_id=USER_ID, user_id=USER_ID)
    (reply,) = texts_of(await harness.push(update))
    assert "Готово" in reply and "в вашем регионе (Тюменская область)" in reply
    (reply,) = texts_of(await harness.send("/subscribe мой регион"))
    assert "Вы уже подписаны" in reply
    # Subscribed: choosing the region again offers no button.
    calls = await harness.send("/region Тобольск")
    assert "reply_markup" not in calls[0].params


async def test_a_region_subscription_hears_of_events_in_its_cities(fake_api, db_path):
    h = await start_inprocess(fake_api, db_path)
    try:
        await h.app.start_background(OutboxSender(h.app.store, h.bot))
        await h.ask("/region Казань", user_id=5101)  # Республика Татарстан
        await h.ask("/subscribe регион", user_id=5101)
        await h.ask("/region Тюмень", user_id=5102)
        await h.ask("/subscribe регион", user_id=5102)
        data = (FIXTURES / "forum_kazan.docx").read_bytes()
        update = h.api.push_document(data, "forum_kazan.docx", chat_id=ADMIN_ID, user_id=ADMIN_ID)
        await h.push(update)
        events = await h.app.store.events_of_article((await h.app.store.list_articles(0, 1))[0].id)
        assert any(e.place == "Казань" for e in events)  # stored under the city
        call = await fake_api.wait_for(
            "sendMessage",
            lambda c: c.params["chat_id"] == 5101 and "Новое мероприятие" in c.params["text"],
            timeout=10,
        )
        assert "Казань" in call.params["text"]
        assert not [
            c
            for c in fake_api.calls_of("sendMessage")
            if c.params["chat_id"] == 5102 and "Новое мероприятие" in c.params["text"]
        ]
    finally:
        await stop_inprocess(h)


@pytest.mark.parametrize("command", ["/region", "/forget"])
async def test_region_commands_in_help(harness, command):
    assert command in await harness.ask("/help")
