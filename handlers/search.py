"""/search and free text: everything goes through `Answerer.answer` (crisis first)."""

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.domain.answering import Answerer
from bot.telegram.send import send_reply

router = Router(name="search")

EMPTY_SEARCH = "Напишите после /search, что найти, например: <code>/search семейный мфц</code>"


@router.message(Command("search"))
async def search_command(message: Message, command: CommandObject, answerer: Answerer) -> None:
    if not command.args or not command.args.strip():
        await message.answer(EMPTY_SEARCH)
        return
    await send_reply(
        message.bot, message.chat.id, await answerer.answer(command.args, message.chat.id)
    )


@router.message(F.chat.type == "private", F.text, ~F.text.startswith("/"))
async def free_text(message: Message, answerer: Answerer) -> None:
    await send_reply(
        message.bot, message.chat.id, await answerer.answer(message.text, message.chat.id)
    )
