"""Sending a `Reply`: split to Telegram's limit, buttons on the last part, files after."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.replies import Reply
from bot.telegram_text import split_message


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
    if reply.document:
        name, data = reply.document
        await bot.send_document(chat_id, BufferedInputFile(data, filename=name))


async def edit_or_send(bot: Bot, chat_id: int, message_id: int | None, reply: Reply) -> None:
    """Replace a list in place (pagination) when it fits one message; otherwise send anew."""
    parts = split_message(reply.text)
    if message_id is not None and len(parts) == 1 and not reply.document:
        try:
            await bot.edit_message_text(
                text=reply.text, chat_id=chat_id, message_id=message_id, reply_markup=reply.markup
            )
        except TelegramBadRequest as exc:
            # A second press on the same page: Telegram refuses an edit that changes nothing.
            # The person already sees that page; nothing to do.
            if "message is not modified" not in exc.message:
                raise
        return
    await send_reply(bot, chat_id, reply)
