"""Through the real dispatcher: every command answers what it should and passes Telegram's
checks; the menu, /help, unknown commands, command registration, the apology."""

from __future__ import annotations

import pytest

from bot.telegram.dispatcher import register_commands
from tests.conftest import ADMIN_ID, USER_ID
from tests.fakebotapi import parse_html

# What a person sees first in the reply to each command (plain text, the bot's HTML parsed
# as Telegram does). TODAY is 10 October 2024: the Tyumen training sessions are upcoming.
COMMANDS = {
    "/start": ["Здравствуйте!", "8-800-2000-122"],
    "/help": ["Что я умею", "/helpline — Детский телефон доверия", "/events —"],
    "/helpline": ["Детский телефон доверия", "8-800-2000-122"],
    "/mfc": ["Семейный МФЦ", "«одного окна»"],
    "/services": ["Службы помощи семьям и детям", "Детский телефон доверия — 8-800-2000-122"],
    "/events": ["Ближайшие мероприятия", "16–18 октября 2024", "Тюмень"],
    "/search мфц": ["Семейный МФЦ", "«одного окна»"],
    "/subscribe": ["Готово", "/unsubscribe"],
    "/unsubscribe": ["нет подписок"],  # nobody subscribed in a fresh chat
    "/events Тюмень": ["по запросу «тюмень»", "16–18 октября 2024"],
}


@pytest.mark.parametrize("command", COMMANDS)
async def test_each_command_answers(harness, command):
    text, _ = parse_html(await harness.ask(command))
    for fragment in COMMANDS[command]:
        assert fragment in text, f"{command}: {fragment!r} not in {text[:300]!r}"


# What each button of the main menu leads to.
MENU = {
    "Телефон доверия": "8-800-2000-122",
    "Семейный МФЦ": "«одного окна»",
    "Мероприятия": "Ближайшие мероприятия",
    "Задать вопрос": "Напишите вопрос своими словами",
}


async def test_start_shows_menu_keyboard(harness):
    calls = await harness.send("/start")
    markup = next(c for c in calls if c.method == "sendMessage").params["reply_markup"]
    labels = [b["text"] for row in markup["keyboard"] for b in row]
    assert labels == ["Телефон доверия", "Семейный МФЦ", "Мероприятия", "Задать вопрос"]
    for label in labels:  # every menu button leads somewhere useful
        reply, _ = parse_html(await harness.ask(label))
        assert MENU[label] in reply and "Не нашёл" not in reply, (label, reply[:300])


async def test_help_lists_every_command(harness):
    text = await harness.ask("/help")
    for command in (
        "/start",
        "/helpline",
        "/mfc",
        "/services",
        "/events",
        "/subscribe",
        "/unsubscribe",
        "/search",
    ):
        assert command in text


async def test_free_text_helpline_gets_the_number(harness):
    assert "8-800-2000-122" in await harness.ask("телефон доверия")


async def test_helpline_card_has_source_and_date(harness):
    text = await harness.ask("/helpline")
    assert "8-800-2000-122" in text and "бесплатн" in text.lower() and "анонимн" in text.lower()
    assert "По данным на" in text and "Источник" in text


async def test_search_without_text_explains(harness):
    assert "/search" in await harness.ask("/search")


async def test_unknown_command_and_sticker(harness):
    assert "/help" in await harness.ask("/nosuchcommand")
    update = harness.api.push_sticker(chat_id=USER_ID, user_id=USER_ID)
    calls = await harness.push(update)
    (hint,) = [c.params["text"] for c in calls if c.method == "sendMessage"]
    assert "только текст" in hint and "/help" in hint


async def test_commands_registered_in_russian_and_admin_scope(harness, fake_api):
    await register_commands(harness.bot, harness.app.settings)
    calls = fake_api.calls_of("setMyCommands")
    default = [
        c for c in calls if not c.params.get("scope") or c.params["scope"].get("type") == "default"
    ]
    assert default and all(
        any("а" <= ch <= "я" for ch in cmd["description"].lower())
        for cmd in default[0].params["commands"]
    )
    names = {cmd["command"] for cmd in default[0].params["commands"]}
    assert "add" not in names
    admin = [c for c in calls if c.params.get("scope", {}).get("type") == "chat"]
    assert admin and admin[0].params["scope"]["chat_id"] == ADMIN_ID
    assert {"add", "articles", "delete", "stats"} <= {
        c["command"] for c in admin[0].params["commands"]
    }


async def test_error_handler_apologises(harness, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(harness.app.answerer, "answer", broken)
    assert "Извините" in await harness.ask("что такое семейный мфц")
