"""The local chat: the real dispatcher and handlers, with no token and no network.

`ConsoleSession` is an aiogram session that, instead of calling Telegram, prints what
the bot sends (HTML rendered as plain text, inline buttons as a numbered list, a reply
keyboard — the menu under the input field — as one numbered «Меню:» line) and returns the
objects Telegram would. `ConsoleChat` builds updates from what the person types; a
number presses the button with that number: an inline button as a callback, a menu button by
sending its text, as Telegram does. The numbers belong to the last keyboard printed.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
import sys
from collections.abc import AsyncGenerator, Callable
from typing import Any, NamedTuple, TextIO

from aiogram import Bot, Dispatcher
from aiogram.client.default import Default
from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    GetMe,
    SendDocument,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import (
    CallbackQuery,
    Chat,
    File,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    User,
)

from bot.telegram.formatting import plain_text
from bot.telegram.views import texts

CONSOLE_USER_ID = 1
CONSOLE_CHAT_ID = 1

BOT_USER = User(id=42, is_bot=True, first_name="Семья и дети", username="family_support_bot")


def html_to_plain(markup: str) -> str:
    markup = re.sub(
        r'<a href="([^"]*)">([^<]*)</a>', lambda m: f"{m[2]} ({html.unescape(m[1])})", markup
    )
    return plain_text(markup)


class ConsoleButton(NamedTuple):
    """A button a number can press. kind: «callback» (value: callback_data), «url», «text»
    (a menu button: value is the text it sends), «location» or «other» (Telegram-only)."""

    kind: str
    value: str | None
    message: Message | None  # the message an inline button is under


class ConsoleSession(BaseSession):
    """Prints what the bot sends; remembers the last buttons so a number can press them."""

    def __init__(self, out: TextIO | None = None) -> None:
        super().__init__()
        self.out = out or sys.stdout
        self.buttons: list[ConsoleButton] = []
        self._ids = itertools.count(1)
        self.sent: list[str] = []
        self.sent_files: list[tuple[str, bytes]] = []

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    def _value(self, bot: Bot, value: Any) -> Any:
        return bot.default[value.name] if isinstance(value, Default) else value

    async def make_request(
        self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None
    ) -> Any:
        if isinstance(method, SendMessage | EditMessageText):
            text = method.text
            assert text is not None  # optional in editMessageText; the bot always sends one
            if self._value(bot, getattr(method, "parse_mode", None)) == "HTML":
                text = html_to_plain(text)
            message = self._message(method, text)
            self._print(text, getattr(method, "reply_markup", None), message)
            return message
        if isinstance(method, SendDocument):
            doc = method.document
            filename = getattr(doc, "filename", "file")
            data = getattr(doc, "data", b"")
            self._print(f"[файл {filename}, {len(data)} байт]", method.reply_markup, None)
            self.sent_files.append((filename, data))
            return self._message(method, None)
        if isinstance(method, AnswerCallbackQuery):
            if method.text:
                self._print(f"({method.text})", None, None)
            return True
        if isinstance(method, GetMe):
            return BOT_USER
        if isinstance(method, GetFile):
            return File(
                file_id=method.file_id, file_unique_id=method.file_id, file_path=method.file_id
            )
        if isinstance(method, EditMessageReplyMarkup):
            return True
        return True  # setMyCommands, sendChatAction, deleteMessage, answerInlineQuery…

    def _message(self, method: Any, text: str | None) -> Message:
        return Message(
            message_id=next(self._ids),
            date=dt.datetime.now(dt.UTC),
            chat=Chat(
                id=int(getattr(method, "chat_id", CONSOLE_CHAT_ID) or CONSOLE_CHAT_ID),
                type="private",
            ),
            from_user=BOT_USER,
            text=text,
        )

    def _print(self, text: str, markup: Any, message: Message | None) -> None:
        self.sent.append(text)
        print(text, file=self.out)
        if isinstance(markup, InlineKeyboardMarkup):
            self.buttons = []
            for row in markup.inline_keyboard:
                for button in row:
                    if button.callback_data:
                        kind, value = "callback", button.callback_data
                    elif button.url:
                        kind, value = "url", button.url
                    else:  # switch_inline_query, web_app, pay…
                        kind, value = "other", None
                    self.buttons.append(ConsoleButton(kind, value, message))
                    number = len(self.buttons)
                    target = f" → {button.url}" if button.url else ""
                    print(f"  [{number}] {button.text}{target}", file=self.out)
        elif isinstance(markup, ReplyKeyboardMarkup):
            self.buttons = []
            labels = []
            for keys in markup.keyboard:
                for key in keys:
                    if key.request_location:
                        kind = "location"
                    elif key.request_contact or key.request_poll or key.web_app:
                        kind = "other"
                    else:
                        kind = "text"
                    self.buttons.append(ConsoleButton(kind, key.text, None))
                    labels.append(f"[{len(self.buttons)}] {key.text}")
            print(f"  {texts.CONSOLE_MENU} " + " · ".join(labels), file=self.out)
        elif isinstance(markup, ReplyKeyboardRemove):
            self.buttons = [b for b in self.buttons if b.message is not None]
        print(file=self.out)


class ConsoleChat:
    """Feeds typed lines into the dispatcher as a private chat with one user."""

    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        session: ConsoleSession,
        user_id: int = CONSOLE_USER_ID,
        admin: bool = False,
    ) -> None:
        self.bot = bot
        self.dp = dispatcher
        self.session = session
        self.admin = admin
        self.user = User(id=user_id, is_bot=False, first_name="Вы", language_code="ru")
        self.chat = Chat(id=user_id, type="private")
        self._update_ids = itertools.count(1)

    async def send(self, text: str) -> None:
        """What the person typed: a button's number presses it; anything else is a message."""
        text = text.strip()
        seen = len(self.session.sent)
        if text.isdigit() and self.session.buttons and 1 <= int(text) <= len(self.session.buttons):
            await self.press(int(text))
        else:
            await self._message(text)
        self._hint_after_refusal(self.session.sent[seen:])

    def _hint_after_refusal(self, replies: list[str]) -> None:
        """The refusal of an admin command tells a Telegram user whom to ask; at the terminal
        the person is the owner, so tell them how to start as an admin instead."""
        if not self.admin and any(texts.ADMIN_REFUSAL in reply for reply in replies):
            print(texts.CONSOLE_ADMIN_HINT.format(user_id=self.user.id), file=self.session.out)
            print(file=self.session.out)

    async def _message(self, text: str) -> None:
        entities = None
        if text.startswith("/"):
            command = text.split()[0]
            entities = [
                MessageEntity(
                    type="bot_command", offset=0, length=len(command.encode("utf-16-le")) // 2
                )
            ]
        message = Message(
            message_id=next(self._update_ids) * 1000,
            date=dt.datetime.now(dt.UTC),
            chat=self.chat,
            from_user=self.user,
            text=text,
            entities=entities,
        )
        await self.dp.feed_update(
            self.bot, Update(update_id=next(self._update_ids), message=message)
        )

    async def press(self, number: int) -> None:
        kind, data, message = self.session.buttons[number - 1]
        if kind == "text" and data:  # a menu button sends its text, as in Telegram
            await self._message(data)
            return
        if kind == "location":
            print(texts.CONSOLE_NO_LOCATION.format(text=data), file=self.session.out)
            return
        if kind == "url":
            print(texts.CONSOLE_LINK.format(url=data), file=self.session.out)
            return
        if kind != "callback" or data is None:
            print(texts.CONSOLE_UNAVAILABLE.format(text=data or ""), file=self.session.out)
            return
        query = CallbackQuery(
            id=str(next(self._update_ids)),
            from_user=self.user,
            chat_instance="console",
            data=data,
            message=message
            or Message(message_id=1, date=dt.datetime.now(dt.UTC), chat=self.chat, text="…"),
        )
        await self.dp.feed_update(
            self.bot, Update(update_id=next(self._update_ids), callback_query=query)
        )


async def run_chat(
    bot: Bot,
    dp: Dispatcher,
    session: ConsoleSession,
    read: Callable[[str], str] = input,
    admin: bool = False,
) -> None:
    chat = ConsoleChat(bot, dp, session, admin=admin)
    role = texts.CONSOLE_AS_ADMIN if admin else texts.CONSOLE_AS_USER
    print(texts.CONSOLE_GREETING, file=session.out)
    print(role.format(user_id=chat.user.id), file=session.out)
    print(file=session.out)
    await chat.send("/start")
    while True:
        try:
            line = read("> ")
        except (EOFError, KeyboardInterrupt):
            break
        if not line.strip():
            break
        await chat.send(line)
