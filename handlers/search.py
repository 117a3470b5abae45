"""/search and free text: everything goes through `Answerer.answer` (crisis first); an
article or card answer is recorded for its 👍 / 👎 buttons (bot.domain.feedback)."""

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.domain.answering import Answerer
from bot.domain.feedback import Feedback
from bot.search.analysis import Message as Text
from bot.telegram.send import send_reply
from bot.telegram.views import texts
from bot.telegram.views.answers import render_answer


def make_router() -> Router:
    router = Router(name="search")
    router.message.register(search_command, Command("search"))
    router.message.register(free_text, F.chat.type == "private", F.text, ~F.text.startswith("/"))
    return router


async def search_command(
    message: Message, command: CommandObject, bot: Bot, answerer: Answerer, feedback: Feedback
) -> None:
    if not command.args or not command.args.strip():
        await message.answer(texts.EMPTY_SEARCH)
        return
    await _answer(message, command.args, bot, answerer, feedback)


async def free_text(
    message: Message, reading: Text, bot: Bot, answerer: Answerer, feedback: Feedback
) -> None:
    await _answer(message, reading, bot, answerer, feedback)


async def _answer(
    message: Message, text: str | Text, bot: Bot, answerer: Answerer, feedback: Feedback
) -> None:
    answer = await answerer.answer(text, message.chat.id)
    text = text.text if isinstance(text, Text) else text
    answer_id = await feedback.record(answer, text)
    await send_reply(bot, message.chat.id, render_answer(answer, answer_id))
