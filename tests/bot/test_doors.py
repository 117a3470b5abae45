"""The same answer through every door: free text, /search, the local chat and inline mode."""

from __future__ import annotations

import io

import pytest

from bot.telegram.console import ConsoleChat, ConsoleSession
from bot.telegram.dispatcher import build_bot, build_dispatcher
from tests.fakebotapi import parse_html

QUESTIONS = ["симейный мфц", "ntktajy ljdthbz", "сколько семейных мфц работает", "погода завтра"]


@pytest.mark.parametrize("question", QUESTIONS)
async def test_free_text_and_search_command_agree(harness, question):
    free = await harness.ask(question)
    command = await harness.ask(f"/search {question}")
    assert free and free == command


@pytest.mark.parametrize("question", QUESTIONS)
async def test_local_chat_prints_the_same_reply(harness, question):
    telegram_plain, _ = parse_html(await harness.ask(question))
    out = io.StringIO()
    session = ConsoleSession(out=out)
    settings = harness.app.settings.model_copy(update={"bot_token": None})
    bot = build_bot(settings, session=session)
    await ConsoleChat(bot, build_dispatcher(harness.app), session).send(question)
    printed = out.getvalue()
    # The console shows links as «text (url)»; compare the lines without links.
    for line in telegram_plain.splitlines():
        if line.strip() and "Источник" not in line:
            assert line in printed


async def test_console_buttons_are_numbered_and_pressable(app):
    out = io.StringIO()
    session = ConsoleSession(out=out)
    bot = build_bot(app.settings.model_copy(update={"bot_token": None}), session=session)
    chat = ConsoleChat(bot, build_dispatcher(app), session)
    await chat.send("/services")
    assert "[1]" in out.getvalue()
    number = next(i for i, b in enumerate(session.buttons, 1) if b.value == "open:c:mfc")
    await chat.send(str(number))
    assert "одного окна" in out.getvalue()
