"""Talking to a specialist: /human, the menu button or the words; relaying both ways; /stop
and /close. Crisis messages still get the crisis reply first, and the specialists see 🆘."""

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.domain.answering import Answerer
from bot.domain.handoff import HandoffDesk, asks_for_person
from bot.search.analysis import Message as Text
from bot.store.base import HandoffRow
from bot.telegram.callbacks import HandoffAction, HumanRequest
from bot.telegram.filters import InConversation, InSupportChat
from bot.telegram.send import send_reply
from bot.telegram.support import SupportRelay
from bot.telegram.views import handoff as views
from bot.telegram.views import texts
from bot.telegram.views.answers import render_answer
from bot.telegram.views.menu import main_keyboard


def make_router() -> Router:
    router = Router(name="handoff")
    private = F.chat.type == "private"
    router.message.register(ask_for_person, Command("human"), private)
    router.message.register(ask_for_person, F.text == texts.BUTTON_SPECIALIST, private)
    router.message.register(stop, Command("stop"), private)
    router.message.register(from_person, InConversation(), ~F.text.startswith("/"))
    router.message.register(ask_in_words, private, F.text, ~F.text.startswith("/"), _asks)
    router.message.register(close_from_support, Command("close"), InSupportChat())
    router.message.register(from_specialist, InSupportChat(), ~F.text.startswith("/"))
    router.callback_query.register(button, HandoffAction.filter())
    router.callback_query.register(from_rating, HumanRequest.filter())
    return router


def _asks(message: Message, reading: Text) -> bool:
    return asks_for_person(reading)


async def _open(
    message: Message, bot: Bot, handoffs: HandoffDesk, relay: SupportRelay | None
) -> None:
    if relay is None:
        await message.answer(texts.NO_SPECIALISTS, reply_markup=main_keyboard())
        return
    opened = await handoffs.open(message.chat.id)
    if opened.created:
        await relay.start(bot, opened.handoff)
    await send_reply(bot, message.chat.id, views.render_opened(opened))


async def ask_for_person(
    message: Message, bot: Bot, handoffs: HandoffDesk, relay: SupportRelay | None
) -> None:
    await _open(message, bot, handoffs, relay)


async def ask_in_words(
    message: Message,
    bot: Bot,
    answerer: Answerer,
    handoffs: HandoffDesk,
    relay: SupportRelay | None,
) -> None:
    """«хочу поговорить с психологом»: a crisis in the same words is answered first."""
    crisis = await answerer.crisis_reply(message.text or "")
    if crisis is not None:
        await send_reply(bot, message.chat.id, render_answer(crisis))
    await _open(message, bot, handoffs, relay)


async def from_rating(
    query: CallbackQuery, bot: Bot, handoffs: HandoffDesk, relay: SupportRelay | None
) -> None:
    """«Спросить специалиста» under «Что было не так?»: the answer did not help."""
    await query.answer()
    if isinstance(query.message, Message) and query.message.chat.type == "private":
        await _open(query.message, bot, handoffs, relay)


async def stop(
    message: Message, bot: Bot, handoffs: HandoffDesk, relay: SupportRelay | None
) -> None:
    handoff = await handoffs.current(message.chat.id) if handoffs.enabled else None
    if handoff is None or relay is None:
        await message.answer(texts.HANDOFF_NONE_OPEN if relay else texts.NO_SPECIALISTS)
        return
    await _close(bot, handoffs, relay, handoff, by_person=True)


async def from_person(
    message: Message,
    bot: Bot,
    handoff: HandoffRow,
    answerer: Answerer,
    handoffs: HandoffDesk,
    relay: SupportRelay | None,
) -> None:
    """While a conversation is open the bot does not answer: it relays. A crisis message
    gets the crisis reply first, and is marked 🆘 for the specialists."""
    if relay is None:
        return
    crisis = await answerer.crisis_reply(message.text or message.caption or "")
    if crisis is not None:
        await send_reply(bot, message.chat.id, render_answer(crisis))
    await relay.to_specialists(bot, message, handoff, crisis=crisis is not None)


async def from_specialist(
    message: Message, bot: Bot, handoffs: HandoffDesk, relay: SupportRelay | None
) -> None:
    if relay is None or message.from_user is None or message.from_user.is_bot:
        return
    handoff = await relay.find(message)
    if handoff is None:
        return  # specialists talking among themselves
    if handoff.status != "open":
        await relay.note(bot, handoff, texts.SUPPORT_ALREADY_CLOSED)
        return
    await relay.to_person(bot, message, handoff)


async def close_from_support(
    message: Message, bot: Bot, handoffs: HandoffDesk, relay: SupportRelay | None
) -> None:
    handoff = await relay.find(message) if relay else None
    if handoff is None or relay is None:
        await message.reply(texts.SUPPORT_UNKNOWN)
        return
    await _close(bot, handoffs, relay, handoff, by_person=False)


async def _close(
    bot: Bot, handoffs: HandoffDesk, relay: SupportRelay, handoff: HandoffRow, by_person: bool
) -> None:
    if not await handoffs.close(handoff):
        if not by_person:
            await relay.note(bot, handoff, texts.SUPPORT_ALREADY_CLOSED)
        return
    told = texts.HANDOFF_CLOSED_BY_PERSON if by_person else texts.HANDOFF_CLOSED_BY_SPECIALIST
    await bot.send_message(handoff.chat_id, told, reply_markup=main_keyboard(specialist=True))
    await relay.note(bot, handoff, views.closed_note(handoff, by_person))
    await relay.close_topic(bot, handoff)


async def button(
    query: CallbackQuery,
    callback_data: HandoffAction,
    bot: Bot,
    handoffs: HandoffDesk,
    relay: SupportRelay | None,
) -> None:
    """«Завершить» (the person, or a specialist in the support chat) and «Показать имя»
    (the person only). Anyone else's press changes nothing."""
    handoff = await handoffs.get(callback_data.handoff_id)
    chat = getattr(query.message, "chat", None)
    person = handoff is not None and query.from_user.id == handoff.chat_id
    specialist = relay is not None and chat is not None and chat.id == relay.chat_id
    if handoff is None or relay is None or not (person or specialist):
        await query.answer(texts.STALE_BUTTON)
        return
    if callback_data.action == "name":
        if not person:
            await query.answer(texts.STALE_BUTTON)
            return
        name = query.from_user.full_name + (
            f" (@{query.from_user.username})" if query.from_user.username else ""
        )
        await handoffs.share_name(handoff, name)
        await query.answer(texts.HANDOFF_NAME_SHARED)
        shared = await handoffs.get(handoff.id) or handoff
        await relay.note(bot, shared, views.name_shared(shared))
        return
    await query.answer()
    if handoff.status != "open":
        return
    await _close(bot, handoffs, relay, handoff, by_person=person and not specialist)
