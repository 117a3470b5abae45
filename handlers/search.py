"""/search and free text: everything goes through `Answerer.answer` (crisis first)."""

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.domain.answering import Answerer
from bot.telegram.send import send_reply
from bot.telegram.views import texts
from bot.telegram.views.answers import render_answer


def make_router() -> Router:
    router = Router(name="search")
    router.message.register(search_command, Command("search"))
    router.message.register(free_text, F.chat.type == "private", F.text, ~F.text.startswith("/"))
    return router


async def search_command(
    message: Message, command: CommandObject, bot: Bot, answerer: Answerer
) -> None:
    if not command.args or not command.args.strip():
        await message.answer(texts.EMPTY_SEARCH)
        return
    answer = await answerer.answer(command.args, message.chat.id)
    await send_reply(bot, message.chat.id, render_answer(answer))


async def free_text(message: Message, bot: Bot, answerer: Answerer) -> None:
    answer = await answerer.answer(message.text or "", message.chat.id)
    await send_reply(bot, message.chat.id, render_answer(answer))
