"""The local chat (python -m bot chat): what the person at the terminal sees and presses.

The /start menu — a reply keyboard under the input field in Telegram — is one numbered
«Меню:» line, and a number sends the button's text, as Telegram does; a location button
says it cannot work here. Admin commands refused at the terminal say how to become an admin.
"""

from __future__ import annotations

import io

from bot.telegram.console import ConsoleChat, ConsoleSession, run_chat
from bot.telegram.dispatcher import build_bot, build_dispatcher
from bot.telegram.views import texts
from bot.telegram.views.regions import location_keyboard


def console(app, admin: bool = False) -> tuple[ConsoleChat, ConsoleSession, io.StringIO]:
    out = io.StringIO()
    session = ConsoleSession(out=out)
    bot = build_bot(app.settings.model_copy(update={"bot_token": None}), session=session)
    return ConsoleChat(bot, build_dispatcher(app), session, admin=admin), session, out


async def test_start_menu_is_a_numbered_line_and_a_number_presses_it(app):
    chat, _, out = console(app)
    await chat.send("/start")
    menu = "Меню: [1] Телефон доверия · [2] Семейный МФЦ · [3] Мероприятия · [4] Задать вопрос"
    assert menu in out.getvalue()
    before = len(out.getvalue())
    await chat.send("1")  # «Телефон доверия», sent as a message
    assert "8-800-2000-122" in out.getvalue()[before:]
    assert "Детский телефон доверия" in out.getvalue()[before:]


async def test_a_location_button_says_it_needs_telegram(app):
    chat, session, out = console(app)
    session._print("Где вы?", location_keyboard(specialist=False), None)
    assert f"[1] {texts.BUTTON_SEND_LOCATION}" in out.getvalue()
    await chat.send("1")
    assert "в локальном чате её нет" in out.getvalue()
    assert "[5] Задать вопрос" in out.getvalue()  # the menu under it is numbered on


async def test_first_lines_and_a_refusal_say_how_to_become_an_admin(app):
    out = io.StringIO()
    session = ConsoleSession(out=out)
    bot = build_bot(app.settings.model_copy(update={"bot_token": None}), session=session)
    feed = iter(["/stats", ""])
    await run_chat(bot, build_dispatcher(app), session, read=lambda _: next(feed))
    printed = out.getvalue()
    head = printed.split("Здравствуйте")[0]
    assert "make chat ARGS=--admin" in head and "ADMIN_IDS=1" in head
    after = printed.split(texts.ADMIN_REFUSAL, 1)[1]
    assert "make chat ARGS=--admin" in after


async def test_an_admin_at_the_terminal_gets_no_hint(app):
    chat, _, out = console(app, admin=True)
    await chat.send("/editors")  # refused all the same (not in ADMIN_IDS of this app)
    assert "ARGS=--admin" not in out.getvalue()
