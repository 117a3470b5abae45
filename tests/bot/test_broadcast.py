"""Announcements (/broadcast): a preview with the number of recipients, nothing sent before
«Отправить»; a region's subscribers reached exactly once through the outbox, with a 429 in
the middle; the progress message and the final count; «Отмена» sends nothing; only admins;
every bad request answered with nothing stored; audited."""

from __future__ import annotations

import pytest

from bot.telegram.callbacks import BroadcastAct
from bot.telegram.outbox import OutboxSender
from tests.conftest import ADMIN_ID, USER_ID
from tests.fakebotapi import parse_html
from tests.inprocess import start_inprocess, stop_inprocess

TYUMEN_TOLD = 2001  # told Tyumen (/region) and subscribed: a recipient
TOBOLSK_SUB = 2002  # subscribed to «Тобольск», a town of the region: a recipient
TYUMEN_ONLY = 2003  # told Tyumen, never subscribed: never gets announcements
EKB_SUB = 2004  # subscribed, another region
BLOCKED = 2005  # told Tyumen, subscribed, then blocked the bot
ANNOUNCEMENT = "Завтра в 10:00 — семинар для приёмных родителей. Вход свободный & бесплатный."


@pytest.fixture
async def h(fake_api, db_path):
    harness = await start_inprocess(fake_api, db_path)
    yield harness
    await stop_inprocess(harness)
    assert not fake_api.errors, fake_api.errors


async def people(h) -> None:
    for chat, commands in {
        TYUMEN_TOLD: ["/region Тюмень", "/subscribe"],
        TOBOLSK_SUB: ["/subscribe Тобольск"],
        TYUMEN_ONLY: ["/region Тюмень"],
        EKB_SUB: ["/region Екатеринбург", "/subscribe регион"],
        BLOCKED: ["/region в Тюмени", "/subscribe вебинар"],
    }.items():
        for command in commands:
            await h.ask(command, user_id=chat)


def plain(call) -> str:
    return parse_html(call.params["text"])[0]


def delivered_to(api, chat: int) -> list[str]:
    return [
        plain(c)
        for c in api.calls_of("sendMessage")
        if c.ok and c.params["chat_id"] == chat and "Объявление" in c.params["text"]
    ]


async def admin_says(h, text: str) -> list[str]:
    calls = await h.send(text, user_id=ADMIN_ID)
    return [plain(c) for c in calls if c.method == "sendMessage"]


async def press(h, act: str, broadcast_id: int, user_id: int = ADMIN_ID) -> list:
    data = BroadcastAct(act=act, broadcast_id=broadcast_id).pack()
    return await h.push(h.api.push_callback(data, chat_id=user_id, user_id=user_id))


async def test_broadcast_to_a_region_reaches_exactly_its_subscribers_once(h):
    await people(h)
    shown, preview = await admin_says(h, f"/broadcast регион=Тюменская область\n{ANNOUNCEMENT}")
    assert shown.startswith("📢 Объявление\n\n" + ANNOUNCEMENT)  # as recipients will see it
    assert "Отписаться: /unsubscribe" in shown
    assert "Предпросмотр рассылки №1" in preview
    assert "Кому: подписчики в регионе Тюменская область." in preview
    assert "Получателей сейчас: 3." in preview
    buttons = h.api.calls_of("sendMessage")[-1].params["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in buttons] == ["✅ Отправить (3)", "Отмена"]
    assert not any(delivered_to(h.api, chat) for chat in range(2001, 2006))  # nothing yet

    await h.app.start_background(OutboxSender(h.app.store, h.bot))
    h.api.block_chat(BLOCKED)
    h.api.fail_next("sendMessage", 429, retry_after=1, chat_id=TOBOLSK_SUB)
    calls = await press(h, "send", 1)  # returns when the final count is shown

    assert delivered_to(h.api, TYUMEN_TOLD) == [shown]
    assert delivered_to(h.api, TOBOLSK_SUB) == [shown]  # after its 429
    tries = [c for c in h.api.calls_of("sendMessage") if c.params["chat_id"] == TOBOLSK_SUB]
    assert [c.error_code for c in tries[-2:]] == [429, None]
    for chat in (TYUMEN_ONLY, EKB_SUB, BLOCKED):
        assert delivered_to(h.api, chat) == []
    # The preview became the progress message, then the final count.
    edits = [plain(c) for c in calls if c.method == "editMessageText" and c.ok]
    assert edits[0].startswith("Рассылка №1: отправляю…")
    assert edits[-1] == (
        "Рассылка №1 завершена.\n"
        "Доставлено: 2 из 3\n"
        "Заблокировали бота или удалили чат: 1\n"
        "Не доставлено из-за ошибок: 0"
    )
    assert await h.app.store.subscriptions_of(BLOCKED) == []  # the outbox dropped it

    # Once only: a second press, and the store's own guard, queue nothing.
    calls = await press(h, "send", 1)
    alert = next(c for c in calls if c.method == "answerCallbackQuery")
    assert alert.params["text"] == "Эта рассылка уже отправлена или отменена."
    started = await h.app.broadcasts.send(ADMIN_ID, 1, "again")
    assert started.status == "not_draft"
    assert delivered_to(h.api, TYUMEN_TOLD) == [shown]

    audit = [(action, detail) for _, _, action, detail in await h.app.store.recent_audit(10)]
    assert ("broadcast_send", "№1: 3") in audit
    assert ("broadcast_draft", "№1 регион=Тюменская область: 3") in audit
    assert any(a == "broadcast_done" and "доставлено 2" in d for a, d in audit)
    usage = "\n".join(await admin_says(h, "/broadcast"))
    assert "№1 (" in usage and "отправлена: доставлено 2 из 3, заблокировали 1" in usage


async def test_broadcast_to_everyone_and_to_a_topic(h):
    await people(h)
    preview = (await admin_says(h, "/broadcast Всем подписчикам: новости недели."))[-1]
    assert "Кому: все подписчики." in preview and "Получателей сейчас: 4." in preview
    preview = (await admin_says(h, "/broadcast тема=вебинары\nВебинар перенесён."))[-1]
    assert "с подпиской на тему «вебинары»" in preview and "Получателей сейчас: 1." in preview
    preview = (await admin_says(h, "/broadcast регион=Тюмень; тема=вебинар\nТекст."))[-1]
    assert "Получателей сейчас: 1." in preview


async def test_cancel_sends_nothing(h):
    await people(h)
    await h.app.start_background(OutboxSender(h.app.store, h.bot))
    await admin_says(h, f"/broadcast регион=Тюмень\n{ANNOUNCEMENT}")
    calls = await press(h, "cancel", 1)
    (edit,) = [c for c in calls if c.method == "editMessageText"]
    assert plain(edit) == "Рассылка №1 отменена: никому не отправлена."
    calls = await press(h, "send", 1)  # an old «Отправить» of the same preview
    alert = next(c for c in calls if c.method == "answerCallbackQuery")
    assert alert.params["text"] == "Эта рассылка уже отправлена или отменена."
    assert not any(delivered_to(h.api, chat) for chat in range(2001, 2006))
    assert (await h.app.store.get_broadcast(1)).status == "cancelled"
    assert await h.app.store.broadcast_outcome(1) == {}


async def test_a_non_admin_cannot_broadcast(h):
    await people(h)
    assert await admin_says(h, "/broadcast") != []  # (the admin can)
    calls = await h.send("/broadcast Всем привет", user_id=USER_ID)
    (reply,) = [plain(c) for c in calls if c.method == "sendMessage"]
    assert reply.startswith("Эта команда только для администраторов бота.")
    assert f"ваш id: {USER_ID}" in reply  # what the owner needs to add them (/editors add)
    await admin_says(h, "/broadcast Настоящее объявление")
    calls = await press(h, "send", 1, user_id=USER_ID)  # a forged or forwarded button
    alert = next(c for c in calls if c.method == "answerCallbackQuery")
    assert alert.params["text"].startswith("Эта команда только для администраторов бота.")
    assert (await h.app.store.get_broadcast(1)).status == "draft"
    assert await h.app.store.broadcast_outcome(1) == {}


BAD = {
    "/broadcast регион=Атлантида\nТекст": "Не нашёл такого города или региона: «Атлантида»",
    "/broadcast регион=Тюмень": "Напишите текст объявления после /broadcast",
    "/broadcast город=Тюмень\nТекст": "Не понял параметр «город=Тюмень»",
    "/broadcast тема=в\nТекст": "Не понял тему «в»",
    "/broadcast тема=олимпиада\nТекст": "Получателей нет (подписчики с подпиской на тему",
    "/broadcast " + "я" * 3801: "Слишком длинное объявление: больше 3800 знаков",
}


@pytest.mark.parametrize("request_text", list(BAD))
async def test_bad_requests_are_explained_and_store_nothing(h, request_text):
    await people(h)
    (reply,) = await admin_says(h, request_text)
    assert BAD[request_text] in reply, reply
    assert await h.app.store.recent_broadcasts() == []


async def test_usage_explains_who_receives(h):
    text = "\n".join(await admin_says(h, "/broadcast"))
    assert "регион=Тюменская область" in text and "тема" in text
    assert "Кто не подписывался, объявлений не получает." in text


async def test_a_restart_does_not_send_twice(fake_api, db_path):
    h = await start_inprocess(fake_api, db_path)
    await people(h)
    await h.app.start_background(OutboxSender(h.app.store, h.bot))
    await admin_says(h, f"/broadcast регион=Тюмень\n{ANNOUNCEMENT}")
    await press(h, "send", 1)
    await stop_inprocess(h)
    h2 = await start_inprocess(fake_api, db_path)
    try:
        sender = OutboxSender(h2.app.store, h2.bot)
        assert await sender.drain() == 0
        assert (await h2.app.broadcasts.send(ADMIN_ID, 1, "again")).status == "not_draft"
        assert len(delivered_to(fake_api, TYUMEN_TOLD)) == 1
    finally:
        await stop_inprocess(h2)


async def test_without_a_running_sender_the_broadcast_waits_in_the_outbox(h):
    """The local chat runs no outbox sender: «Отправить» queues, says so, and the running
    bot sends it later — once."""
    await people(h)
    await admin_says(h, f"/broadcast регион=Тюмень\n{ANNOUNCEMENT}")
    calls = await press(h, "send", 1)
    (edit,) = [plain(c) for c in calls if c.method == "editMessageText"]
    assert edit.startswith("Рассылка №1 в очереди: 3 сообщ.") and "/broadcast" in edit
    assert not delivered_to(h.api, TYUMEN_TOLD)
    assert await OutboxSender(h.app.store, h.bot).drain() == 3
    assert await OutboxSender(h.app.store, h.bot).drain() == 0
    assert len(delivered_to(h.api, TYUMEN_TOLD)) == 1
