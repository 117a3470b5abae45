"""👍 / 👎 under an answer, and «Что было не так?» after a 👎. Not an admin action: anyone
who got the answer may rate it, once (a second press replaces the first)."""

from typing import cast

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message

from bot.domain.feedback import Feedback, Reason
from bot.settings import Settings
from bot.telegram.callbacks import Rate, RateReason
from bot.telegram.send import edit_or_send, send_reply
from bot.telegram.views import feedback as views
from bot.telegram.views import texts


def make_router() -> Router:
    router = Router(name="feedback")
    router.callback_query.register(rate, Rate.filter())
    router.callback_query.register(reason, RateReason.filter())
    return router


def _specialist(settings: Settings) -> bool:
    """The specialist is offered only when there are specialists (SUPPORT_CHAT_ID)."""
    return settings.support_chat_id is not None


async def rate(
    query: CallbackQuery, callback_data: Rate, bot: Bot, feedback: Feedback, settings: Settings
) -> None:
    answer_id = callback_data.answer_id
    rated = await feedback.rate(query.from_user.id, answer_id, callback_data.up)
    if not rated.known:
        await query.answer(texts.RATING_GONE)
        return
    if callback_data.up or not rated.changed:
        await query.answer(texts.RATING_THANKS if rated.changed else texts.RATING_KEPT)
        return
    await query.answer()
    if query.message is not None:
        reply = views.render_what_was_wrong(answer_id, _specialist(settings))
        await send_reply(bot, query.message.chat.id, reply)


async def reason(
    query: CallbackQuery,
    callback_data: RateReason,
    bot: Bot,
    feedback: Feedback,
    settings: Settings,
) -> None:
    why = cast(Reason, callback_data.reason)  # the callback's pattern allows only these
    if not await feedback.explain(query.from_user.id, callback_data.answer_id, why):
        await query.answer(texts.RATING_GONE)
        return
    await query.answer()
    thanks = views.render_reason_thanks(_specialist(settings))
    if isinstance(query.message, Message):
        await edit_or_send(bot, query.message, thanks)
