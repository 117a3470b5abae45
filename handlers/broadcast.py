"""/broadcast (owners and editors): an announcement to subscribers, optionally of a region
or a topic — previewed with the number of recipients, sent only after «Отправить», followed
to the final count. Everyone else gets the polite refusal and nothing changes."""

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot.domain.broadcasts import BroadcastDesk, Problem
from bot.telegram.broadcasting import follow
from bot.telegram.callbacks import BroadcastAct
from bot.telegram.filters import IsAdmin
from bot.telegram.send import send_reply
from bot.telegram.views import broadcast as views
from bot.telegram.views import texts


def make_router() -> Router:
    router = Router(name="broadcast")
    router.message.register(refuse, Command("broadcast"), ~IsAdmin())
    router.callback_query.register(refuse_button, BroadcastAct.filter(), ~IsAdmin())
    router.message.register(broadcast, Command("broadcast"), IsAdmin())
    router.callback_query.register(act, BroadcastAct.filter(), IsAdmin())
    return router


async def refuse(message: Message) -> None:
    await message.answer(texts.admin_refusal(message.from_user.id if message.from_user else None))


async def refuse_button(query: CallbackQuery) -> None:
    await query.answer(texts.admin_refusal(query.from_user.id), show_alert=True)


async def broadcast(
    message: Message, command: CommandObject, bot: Bot, broadcasts: BroadcastDesk
) -> None:
    """Without text: how to, and the latest broadcasts. With text: the announcement as
    recipients will see it, then the preview with the buttons."""
    assert message.from_user is not None  # the filter saw to it
    chat_id = message.chat.id
    if not command.args or not command.args.strip():
        await send_reply(bot, chat_id, views.render_usage(await broadcasts.recent()))
        return
    draft = await broadcasts.draft(message.from_user.id, command.args)
    if isinstance(draft, Problem):
        await send_reply(bot, chat_id, views.render_problem(draft))
        return
    await bot.send_message(chat_id, views.announcement(draft.text))
    await send_reply(bot, chat_id, views.render_preview(draft))


async def act(
    query: CallbackQuery, callback_data: BroadcastAct, bot: Bot, broadcasts: BroadcastDesk
) -> None:
    """«Отправить»: queue it once and follow it in the preview message; «Отмена»: drop it."""
    broadcast_id, admin_id = callback_data.broadcast_id, query.from_user.id
    row = await broadcasts.get(broadcast_id)
    if row is None:
        await query.answer(texts.BROADCAST_GONE, show_alert=True)
        return
    if callback_data.act == "cancel":
        if not await broadcasts.cancel(admin_id, broadcast_id):
            await query.answer(texts.BROADCAST_NOT_DRAFT, show_alert=True)
            return
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_text(views.cancelled_text(broadcast_id))
        return
    started = await broadcasts.send(admin_id, broadcast_id, views.announcement(row.text))
    if started.status != "started":
        await query.answer(texts.BROADCAST_NOT_DRAFT, show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        chat_id, message_id = query.message.chat.id, query.message.message_id
        await follow(bot, broadcasts, broadcast_id, admin_id, chat_id, message_id)
