"""The directory of centres: admins upload it with the caption /centres, families ask where
the nearest centre is. What a person sees: the replies, their buttons, and whether the
directory changed."""

from __future__ import annotations

import io

from openpyxl import Workbook

from bot.telegram.callbacks import SaveCentres
from tests.conftest import ADMIN_ID, USER_ID
from tests.support import DATA

HEADER = "name,kind,region,city,address,phones,hours,site,lat,lon"
EKB_MFC = (
    "Семейный МФЦ «Тест-Центр»,Семейный МФЦ,Свердловская область,Екатеринбург,"
    '"ул. Тестовая, 10",+7 (343) 000-00-10,пн–пт 9:00–18:00,https://example.org/ekb,56.8389,60.6057'
)
EKB_KCSON = (
    "КЦСОН «Тест-Октябрьский»,КЦСОН,Свердловская область,Екатеринбург,"
    '"ул. Соседняя, 3",+7 (343) 000-00-11,,,56.8300,60.6300'
)
TAGIL_MFC = (
    "Семейный МФЦ «Тест-Север»,Семейный МФЦ,Свердловская область,Нижний Тагил,"
    '"пр. Проверочный, 5",+7 (3435) 00-00-12,,,57.9101,59.9813'
)
TYUMEN_KCSON = (
    "КЦСОН «Тест-Тюмень»,КЦСОН,Тюменская область,Тюмень,"
    '"ул. Примерная, 1",+7 (3452) 00-00-13,,https://example.org/tmn,57.1530,65.5343'
)
GOOD = "\n".join([HEADER, EKB_MFC, EKB_KCSON, TAGIL_MFC, TYUMEN_KCSON]) + "\n"
# Rows 3 and 5 are bad: no address; a city in the region column and half the coordinates.
TWO_BAD = "\n".join(
    [
        HEADER,
        EKB_MFC,
        "Без адреса,КЦСОН,Свердловская область,Екатеринбург,,+7 (343) 000-00-14,,,,",
        TAGIL_MFC,
        'Центр «Путаница»,опека,Екатеринбург,Екатеринбург,"ул. Ошибочная, 7",,,,56.8,',
    ]
) + "\n"


async def _texts(h, update_id) -> str:
    calls = await h.push(update_id)
    return "\n".join(c.params.get("text", "") for c in calls if c.method == "sendMessage")


async def send_file(h, data: bytes, name: str, caption: str | None = "/centres", user=ADMIN_ID):
    return await _texts(
        h, h.api.push_document(data, name, caption=caption, chat_id=user, user_id=user)
    )


def last_buttons(h, chat_id: int) -> list[dict]:
    sent = [c for c in h.api.calls_of("sendMessage") if c.params["chat_id"] == chat_id]
    markup = sent[-1].params.get("reply_markup") or {"inline_keyboard": []}
    return [b for row in markup["inline_keyboard"] for b in row]


async def press(h, data: str, user=ADMIN_ID) -> str:
    return await _texts(h, h.api.push_callback(data, chat_id=user, user_id=user))


async def directory(app) -> list[tuple[str, str, int]]:
    return await app.store.centre_counts()


def first_address_line(reply: str) -> str:
    return next(line for line in reply.split("\n") if line.startswith("📍"))


# ---- uploads ------------------------------------------------------------------------------
async def test_two_bad_rows_refuse_the_file_then_a_good_one_is_stored(harness):
    reply = await send_file(harness, TWO_BAD.encode(), "centres.csv")
    assert "Ничего не сохранено" in reply
    assert "строка 3: не заполнено: address" in reply
    assert "строка 5:" in reply and "в колонке region город" in reply
    assert "Свердловская область" in reply and "нужны обе координаты" in reply
    assert await directory(harness.app) == []
    assert [b["text"] for b in last_buttons(harness, ADMIN_ID)] == ["Сохранить 2 верные строки"]

    reply = await send_file(harness, GOOD.encode(), "centres.csv")
    assert "сохранён: 4 строки" in reply
    assert "Свердловская область — 3 (новый регион)" in reply
    counts = await harness.ask("/centres", user_id=ADMIN_ID)
    assert "Свердловская область — 3 (Семейный МФЦ — 2, КЦСОН — 1)" in counts
    assert "Тюменская область — 1 (КЦСОН — 1)" in counts
    audit = await harness.app.store.recent_audit(10)
    assert sum(action == "centres" for _, _, action, _ in audit) == 2


async def test_cp1251_semicolon_csv_with_decimal_commas(harness):
    text = (
        "name;kind;region;city;address;phones;hours;site;lat;lon\n"
        "Семейный МФЦ «Тест-Тюмень»;Семейный МФЦ;Тюменской области;г. Тюмень;"
        "ул. Республики, 1;8 (3452) 00-00-20;ежедневно;;57,1530;65,5343\n"
    )
    reply = await send_file(harness, text.encode("cp1251"), "тюмень.csv")
    assert "сохранён: 1 строка" in reply
    answer = await harness.ask("адрес семейного мфц в Тюмени")
    assert "ул. Республики, 1" in answer and "8 (3452) 00-00-20" in answer
    assert "pt=65.534300,57.153000" in answer


async def test_xlsx_directory(harness):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(
        ["Семейный МФЦ «Тест-Xlsx»", "Семейный МФЦ", "Свердловская область", "Екатеринбург",
         "ул. Табличная, 2", 83430000030, None, "https://example.org/x", 56.84, 60.61]
    )
    sheet.append([])  # an empty row in the middle is skipped, numbering goes on
    sheet.append(["Без региона", "опека", None, "Екатеринбург", "ул. Пустая, 1"])
    buffer = io.BytesIO()
    book.save(buffer)
    reply = await send_file(harness, buffer.getvalue(), "centres.xlsx")
    assert "строка 4: не заполнено: region" in reply
    assert await directory(harness.app) == []
    await press(harness, last_buttons(harness, ADMIN_ID)[0]["callback_data"])
    assert await directory(harness.app) == [("Свердловская область", "Семейный МФЦ", 1)]
    assert "83430000030" in await harness.ask("где семейный мфц в екатеринбурге")


async def test_confirm_saves_only_the_good_rows_once(harness):
    await send_file(harness, TWO_BAD.encode(), "centres.csv")
    button = last_buttons(harness, ADMIN_ID)[0]
    assert SaveCentres.unpack(button["callback_data"]).upload_id >= 1
    reply = await press(harness, button["callback_data"])
    assert "Сохранил верные строки: 2" in reply
    assert await directory(harness.app) == [("Свердловская область", "Семейный МФЦ", 2)]
    again = await press(harness, button["callback_data"])
    assert "больше не ждёт подтверждения" in again
    assert await directory(harness.app) == [("Свердловская область", "Семейный МФЦ", 2)]


async def test_an_old_confirmation_does_not_undo_a_newer_upload(harness):
    await send_file(harness, TWO_BAD.encode(), "old.csv")
    old_button = last_buttons(harness, ADMIN_ID)[0]["callback_data"]
    await send_file(harness, GOOD.encode(), "new.csv")
    before = await directory(harness.app)
    assert "уже обновили" in await press(harness, old_button)
    assert await directory(harness.app) == before


async def test_reupload_replaces_that_region_and_keeps_the_others(harness):
    await send_file(harness, GOOD.encode(), "centres.csv")
    moved = EKB_MFC.replace("ул. Тестовая, 10", "ул. Новая, 99")
    reply = await send_file(harness, f"{HEADER}\n{moved}\n".encode(), "ekb.csv")
    assert "Свердловская область — 1 (было 3)" in reply
    assert await directory(harness.app) == [
        ("Свердловская область", "Семейный МФЦ", 1),
        ("Тюменская область", "КЦСОН", 1),
    ]
    answer = await harness.ask("где ближайший семейный мфц в Екатеринбурге")
    assert "ул. Новая, 99" in answer and "ул. Тестовая" not in answer


async def test_file_level_refusals_store_nothing(harness):
    sample = (DATA / "centres.sample.csv").read_bytes()
    commented = b"# sample\n" + sample
    assert "Первая строка должна быть заголовком" in await send_file(
        harness, commented, "c.csv"
    )
    assert ".xlsx" in await send_file(harness, b"old excel", "c.xls")
    assert "повреждён" in await send_file(harness, b"not a zip at all", "c.xlsx")
    assert await directory(harness.app) == []


async def test_the_sample_file_is_valid_and_never_loaded_by_itself(harness):
    assert await directory(harness.app) == []
    sample = (DATA / "centres.sample.csv").read_text(encoding="utf-8")
    assert all(line.startswith("Пример:") for line in sample.splitlines()[1:])
    reply = await send_file(harness, sample.encode(), "centres.sample.csv")
    assert "сохранён: 4 строки" in reply


async def test_non_admin_is_refused_and_nothing_is_stored(harness):
    reply = await send_file(harness, GOOD.encode(), "centres.csv", user=USER_ID)
    assert "только для администраторов" in reply
    assert "только для администраторов" in await harness.ask("/centres")
    assert await directory(harness.app) == []
    await send_file(harness, TWO_BAD.encode(), "centres.csv")
    data = last_buttons(harness, ADMIN_ID)[0]["callback_data"]
    await harness.push(harness.api.push_callback(data, chat_id=USER_ID, user_id=USER_ID))
    assert "только для администраторов" in harness.api.calls_of("answerCallbackQuery")[-1].params[
        "text"
    ]
    assert await directory(harness.app) == []


async def test_a_table_without_the_caption_gets_a_hint_and_articles_still_upload(harness):
    articles = await harness.app.store.count("articles")
    reply = await send_file(harness, GOOD.encode(), "centres.csv", caption=None)
    assert "/centres" in reply and ".docx" in reply
    assert await directory(harness.app) == []
    assert await harness.app.store.count("articles") == articles
    article = "Семинар для приёмных семей\nСеминар пройдёт в Омске 15 марта 2027 года.".encode()
    assert "Сохранил статью" in await send_file(harness, article, "seminar.txt", caption=None)


async def test_centres_without_a_file_on_an_empty_directory_says_how(harness):
    reply = await harness.ask("/centres", user_id=ADMIN_ID)
    assert "пуст" in reply and HEADER in reply


# ---- questions ----------------------------------------------------------------------------
async def test_nearest_family_mfc_in_a_city_gets_its_address_first(harness):
    await send_file(harness, GOOD.encode(), "centres.csv")
    reply = await harness.ask("где ближайший семейный мфц в Екатеринбурге")
    assert "ул. Тестовая, 10" in first_address_line(reply)
    assert "+7 (343) 000-00-10" in reply and "пн–пт 9:00–18:00" in reply
    assert "https://yandex.ru/maps/?pt=60.605700,56.838900&amp;z=16&amp;l=map" in reply
    assert "Нижний Тагил" not in reply and "КЦСОН" not in reply  # another city, another kind
    kcson = await harness.ask("адрес кцсон в Тюмени")
    assert "ул. Примерная, 1" in first_address_line(kcson)


async def test_the_persons_region_answers_a_question_without_a_place(harness):
    await send_file(harness, GOOD.encode(), "centres.csv")
    await harness.app.store.set_chat_region(USER_ID, "Свердловская область")
    reply = await harness.ask("где ближайший семейный мфц")
    assert "Ваш регион: Свердловская область" in reply
    assert "ул. Тестовая, 10" in reply and "пр. Проверочный, 5" in reply
    assert "КЦСОН" not in reply
    anything = await harness.ask("куда обратиться в нашем районе")
    assert "ул. Соседняя, 3" in anything and "ул. Примерная" not in anything


async def test_a_region_without_centres_gets_the_honest_routing(harness):
    await send_file(harness, GOOD.encode(), "centres.csv")
    reply = await harness.ask("где ближайший семейный мфц в Тюмени")
    assert "нет адресов" in reply and "Тюменская область" in reply
    assert "КЦСОН — 1" in reply  # what the directory does hold there
    assert "социальной защиты" in reply and "Госуслуги" in reply
    assert "ул." not in reply  # never an address it does not have
    buttons = last_buttons(harness, USER_ID)
    assert {"text": "Семейный МФЦ", "callback_data": "open:c:mfc"} in buttons
    assert any(b.get("url") == "https://www.gosuslugi.ru" for b in buttons)


async def test_no_region_known_suggests_region(harness):
    reply = await harness.ask("где ближайший семейный мфц")
    assert "/region" in reply and "Госуслуги" in reply and "ул." not in reply


async def test_centres_near_orders_by_distance(app):
    from bot.domain.centre_table import read_centres_table

    table = read_centres_table(GOOD.encode(), "centres.csv")
    await app.store.save_centres(ADMIN_ID, "centres.csv", table.rows, 0.0)
    near_tagil = await app.centres.centres_near(57.90, 59.97)
    assert [c.city for c in near_tagil.centres] == [
        "Нижний Тагил",
        "Екатеринбург",
        "Екатеринбург",
        "Тюмень",
    ]
    assert near_tagil.distances == sorted(near_tagil.distances)
    assert near_tagil.distances[0] < 2
    mfc_in_ekb = await app.centres.centres_near(56.84, 60.60, kind="семейный мфц")
    assert [c.name for c in mfc_in_ekb.centres] == [
        "Семейный МФЦ «Тест-Центр»",
        "Семейный МФЦ «Тест-Север»",
    ]


async def test_questions_that_are_not_about_an_address_go_on_as_before(app):
    from tests.support import reply_to

    for text in (
        "что такое семейный мфц",
        "где еще откроется семейный мфц в белгородской области",
        "где проходил форум фонда в великом новгороде",
        "куда обратиться за пособием",
    ):
        assert (await reply_to(app, text)).kind != "centres", text
