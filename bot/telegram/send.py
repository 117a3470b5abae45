"""Sending a `Reply`: split to Telegram's limit, buttons on the last part."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup, Message, ReplyKeyboardMarkup

from bot.telegram.formatting import plain_text, split_message
from bot.telegram.views.common import Reply


async def send_reply(
    bot: Bot, chat_id: int, reply: Reply, keyboard: ReplyKeyboardMarkup | None = None
) -> None:
    parts = split_message(reply.text)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None
        if last:
            markup = reply.markup or keyboard
        await bot.send_message(chat_id, part, reply_markup=markup)


async def edit_or_send(bot: Bot, shown: Message, reply: Reply) -> None:
    """Replace a list in place (pagination) when it fits one message; otherwise send anew.

    A second press on the page already shown changes nothing: no request is made (Telegram
    refuses such an edit with «message is not modified»); if the copy we hold is stale and
    Telegram refuses anyway, that refusal is harmless too."""
    chat_id = shown.chat.id
    parts = split_message(reply.text)
    if len(parts) == 1:
        if plain_text(reply.text).strip() == (shown.text or "").strip() and _same_markup(
            reply.markup, shown.reply_markup
        ):
            return
        try:
            await bot.edit_message_text(
                text=reply.text,
                chat_id=chat_id,
                message_id=shown.message_id,
                reply_markup=reply.markup,
            )
        except TelegramBadRequest as exc:
            if "message is not modified" not in exc.message:
                raise
        return
    await send_reply(bot, chat_id, reply)


def _same_markup(a: InlineKeyboardMarkup | None, b: InlineKeyboardMarkup | None) -> bool:
    """Keyboards compared as Telegram sees them (a received copy carries extra fields)."""
    if a is None or b is None:
        return a is b
    return a.model_dump(exclude_none=True) == b.model_dump(exclude_none=True)
