"""Service cards: /helpline, /mfc, /services, the menu buttons, and «open» buttons (whose
answers carry 👍 / 👎: recorded, without a question, by bot.domain.feedback)."""

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.domain.answering import Answerer
from bot.domain.answers import DocRef
from bot.domain.feedback import Feedback
from bot.telegram.callbacks import OpenDoc
from bot.telegram.send import send_reply
from bot.telegram.views.answers import render_answer
from bot.telegram.views.texts import BUTTON_HELPLINE, BUTTON_MFC


def make_router() -> Router:
    router = Router(name="services")
    router.message.register(helpline, Command("helpline"))
    router.message.register(helpline, F.text == BUTTON_HELPLINE)
    router.message.register(mfc, Command("mfc"))
    router.message.register(mfc, F.text == BUTTON_MFC)
    router.message.register(services, Command("services"))
    router.callback_query.register(open_doc, OpenDoc.filter())
    return router


async def helpline(message: Message, bot: Bot, answerer: Answerer) -> None:
    answer = await answerer.document(DocRef.card("helpline"))
    await send_reply(bot, message.chat.id, render_answer(answer))


async def mfc(message: Message, bot: Bot, answerer: Answerer) -> None:
    answer = await answerer.document(DocRef.card("mfc"))
    await send_reply(bot, message.chat.id, render_answer(answer))


async def services(message: Message, bot: Bot, answerer: Answerer) -> None:
    await send_reply(bot, message.chat.id, render_answer(await answerer.services()))


async def open_doc(
    query: CallbackQuery, callback_data: OpenDoc, bot: Bot, answerer: Answerer, feedback: Feedback
) -> None:
    await query.answer()
    if query.message is None:
        return
    answer = await answerer.document(DocRef(callback_data.kind, callback_data.ref))  # type: ignore[arg-type]
    answer_id = await feedback.record(answer)
    await send_reply(bot, query.message.chat.id, render_answer(answer, answer_id))
