"""/review, the editors' queue (owners and editors): pages, link a group to an article or a
card (a button, or the article's number typed next), mark it handled. Everyone else gets
the polite refusal and nothing changes."""

from typing import cast

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, or_f
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.domain.admin import parse_article_id
from bot.domain.review import QueuePage, ReviewDesk, Source
from bot.store.base import DocRef
from bot.telegram.callbacks import ReviewAct, ReviewLink, ReviewPage
from bot.telegram.filters import IsAdmin
from bot.telegram.send import edit_or_send, send_reply
from bot.telegram.views import review as views
from bot.telegram.views import texts
from bot.telegram.views.common import Reply


class Linking(StatesGroup):
    """After «связать»: the editor may type an article's number instead of pressing."""

    article = State()


def make_router() -> Router:
    router = Router(name="review")
    buttons = or_f(ReviewPage.filter(), ReviewAct.filter(), ReviewLink.filter())
    router.message.register(refuse, Command("review"), ~IsAdmin())
    router.callback_query.register(refuse_button, buttons, ~IsAdmin())
    router.message.register(review_command, Command("review"), IsAdmin())
    router.callback_query.register(page, ReviewPage.filter(), IsAdmin())
    router.callback_query.register(act, ReviewAct.filter(), IsAdmin())
    router.callback_query.register(link, ReviewLink.filter(), IsAdmin())
    router.message.register(typed_number, Linking.article, F.text, IsAdmin())
    return router


async def refuse(message: Message) -> None:
    await message.answer(texts.admin_refusal(message.from_user.id if message.from_user else None))


async def refuse_button(query: CallbackQuery) -> None:
    await query.answer(texts.admin_refusal(query.from_user.id), show_alert=True)


async def _render(review: ReviewDesk, queue: QueuePage) -> Reply:
    shown = [doc for group in queue.groups for doc in group.shown[:2]]
    return views.render_queue(queue, await review.titles(shown))


async def review_command(message: Message, bot: Bot, review: ReviewDesk) -> None:
    assert message.from_user is not None  # the filter saw to it
    queue = await review.open(message.from_user.id)
    await send_reply(bot, message.chat.id, await _render(review, queue))


async def page(
    query: CallbackQuery, callback_data: ReviewPage, bot: Bot, review: ReviewDesk
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        queue = await review.queue(callback_data.offset)
        await edit_or_send(bot, query.message, await _render(review, queue))


async def act(
    query: CallbackQuery, callback_data: ReviewAct, bot: Bot, review: ReviewDesk, state: FSMContext
) -> None:
    source = cast(Source, callback_data.source)  # the callback's pattern allows only these
    if callback_data.act == "h":
        group = await review.mark_handled(query.from_user.id, source, callback_data.row)
        await query.answer(texts.REVIEW_HANDLED if group else texts.REVIEW_GONE, show_alert=True)
        if group and isinstance(query.message, Message):
            await edit_or_send(bot, query.message, await _render(review, await review.queue()))
        return
    choice = await review.choices(source, callback_data.row)
    if choice is None or not choice.group.linkable:
        await query.answer(texts.REVIEW_GONE if choice is None else texts.REVIEW_NO_WORDS)
        return
    await query.answer()
    await state.set_state(Linking.article)
    await state.set_data({"source": source, "row": callback_data.row})
    if query.message is not None:
        await send_reply(bot, query.message.chat.id, views.render_choices(choice))


async def link(
    query: CallbackQuery, callback_data: ReviewLink, bot: Bot, review: ReviewDesk, state: FSMContext
) -> None:
    doc = DocRef(callback_data.kind, callback_data.ref)  # type: ignore[arg-type]
    source = cast(Source, callback_data.source)
    outcome = await review.link(query.from_user.id, source, callback_data.row, doc)
    reply = views.render_link(outcome)
    if outcome.status != "linked":
        await query.answer(reply.text, show_alert=True)
        return
    await query.answer()
    await state.clear()
    if query.message is not None:
        await send_reply(bot, query.message.chat.id, reply)


async def typed_number(message: Message, bot: Bot, review: ReviewDesk, state: FSMContext) -> None:
    """An article's number after «связать»; anything else leaves linking and is answered as
    usual (a question, a command)."""
    article_id = parse_article_id(message.text)
    data = await state.get_data()
    if article_id is None or data.get("source") not in ("q", "a"):
        await state.clear()
        raise SkipHandler
    assert message.from_user is not None  # the filter saw to it
    source = cast(Source, data["source"])
    outcome = await review.link(
        message.from_user.id, source, int(data["row"]), DocRef.article(article_id)
    )
    if outcome.status != "no_doc":
        await state.clear()
    await send_reply(bot, message.chat.id, views.render_link(outcome))
