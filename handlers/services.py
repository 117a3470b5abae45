"""Service cards: /helpline, /mfc, /services, the menu buttons, and «open» buttons."""

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.domain.answering import Answerer
from bot.telegram.callbacks import OpenDoc
from bot.telegram.send import send_reply
from bot.telegram.views.cards import render_services
from bot.telegram.views.menu import BUTTON_HELPLINE, BUTTON_MFC

router = Router(name="services")


@router.message(Command("helpline"))
@router.message(F.text == BUTTON_HELPLINE)
async def helpline(message: Message, answerer: Answerer) -> None:
    await send_reply(message.bot, message.chat.id, await answerer.render_doc("c:helpline"))


@router.message(Command("mfc"))
@router.message(F.text == BUTTON_MFC)
async def mfc(message: Message, answerer: Answerer) -> None:
    await send_reply(message.bot, message.chat.id, await answerer.render_doc("c:mfc"))


@router.message(Command("services"))
async def services(message: Message, answerer: Answerer) -> None:
    await send_reply(
        message.bot, message.chat.id, render_services(await answerer.store.get_cards())
    )


@router.callback_query(OpenDoc.filter())
async def open_doc(query: CallbackQuery, callback_data: OpenDoc, answerer: Answerer) -> None:
    await query.answer()
    if query.message is None:
        return
    doc = f"{callback_data.kind}:{callback_data.ref}"
    await send_reply(query.bot, query.message.chat.id, await answerer.render_doc(doc))
