"""/events with filters and pages, calendar files, /subscribe and /unsubscribe."""

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.app import App
from bot.domain.subscriptions import subscribe_reply, unsubscribe_reply
from bot.telegram.callbacks import EventIcs, EventsPage
from bot.telegram.send import edit_or_send, send_reply
from bot.telegram.views.menu import BUTTON_EVENTS

router = Router(name="events")


@router.message(Command("events"))
@router.message(F.text == BUTTON_EVENTS)
async def events(message: Message, app: App, command: CommandObject | None = None) -> None:
    topic = command.args if command and command.args else ""
    await send_reply(message.bot, message.chat.id, await app.events_reply(topic))


@router.callback_query(EventsPage.filter())
async def events_page(query: CallbackQuery, callback_data: EventsPage, app: App) -> None:
    await query.answer()
    if query.message is None:
        return
    reply = await app.events_reply(callback_data.topic, callback_data.offset, callback_data.past)
    await edit_or_send(query.bot, query.message, reply)


@router.callback_query(EventIcs.filter())
async def event_calendar(query: CallbackQuery, callback_data: EventIcs, app: App) -> None:
    found = await app.event_calendar(callback_data.event_id)
    if found is None or query.message is None:
        await query.answer("Это мероприятие больше не в базе.", show_alert=True)
        return
    await query.answer()
    name, data = found
    await query.bot.send_document(
        query.message.chat.id,
        BufferedInputFile(data, filename=name),
        caption="Файл для календаря: откройте его, чтобы добавить событие.",
    )


@router.message(Command("subscribe"))
async def subscribe(message: Message, command: CommandObject, app: App) -> None:
    await message.answer(await subscribe_reply(app.store, message.chat.id, command.args or ""))


@router.message(Command("unsubscribe"))
async def unsubscribe(message: Message, app: App) -> None:
    await message.answer(await unsubscribe_reply(app.store, message.chat.id))
