"""/events with filters and pages (the person's region first, when they told it), calendar
files, /subscribe (also `/subscribe регион`) and /unsubscribe."""

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.domain.events import EventsService
from bot.domain.subscriptions import Subscriptions
from bot.telegram.callbacks import EventIcs, EventsPage
from bot.telegram.send import edit_or_send, send_reply
from bot.telegram.views.answers import render_answer
from bot.telegram.views.events import subscribed_text, unsubscribed_text
from bot.telegram.views.texts import BUTTON_EVENTS, CALENDAR_CAPTION, EVENT_GONE


def make_router() -> Router:
    router = Router(name="events")
    router.message.register(events, Command("events"))
    router.message.register(events, F.text == BUTTON_EVENTS)
    router.callback_query.register(events_page, EventsPage.filter())
    router.callback_query.register(event_calendar, EventIcs.filter())
    router.message.register(subscribe, Command("subscribe"))
    router.message.register(unsubscribe, Command("unsubscribe"))
    return router


async def events(
    message: Message, bot: Bot, events: EventsService, command: CommandObject | None = None
) -> None:
    topic = command.args if command and command.args else ""
    answer = await events.page(topic, chat_id=message.chat.id)
    await send_reply(bot, message.chat.id, render_answer(answer))


async def events_page(
    query: CallbackQuery, callback_data: EventsPage, bot: Bot, events: EventsService
) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    answer = await events.page(
        callback_data.topic, callback_data.offset, callback_data.past, query.message.chat.id
    )
    await edit_or_send(bot, query.message, render_answer(answer))


async def event_calendar(
    query: CallbackQuery, callback_data: EventIcs, bot: Bot, events: EventsService
) -> None:
    found = await events.calendar_file(callback_data.event_id)
    if found is None or query.message is None:
        await query.answer(EVENT_GONE, show_alert=True)
        return
    await query.answer()
    name, data = found
    await bot.send_document(
        query.message.chat.id, BufferedInputFile(data, filename=name), caption=CALENDAR_CAPTION
    )


async def subscribe(message: Message, command: CommandObject, subscriptions: Subscriptions) -> None:
    result = await subscriptions.subscribe(message.chat.id, command.args or "")
    await message.answer(subscribed_text(result))


async def unsubscribe(message: Message, subscriptions: Subscriptions) -> None:
    await message.answer(unsubscribed_text(await subscriptions.unsubscribe(message.chat.id)))
