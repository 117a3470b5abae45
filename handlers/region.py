"""The person's region: /region (buttons, a typed city, a shared location), /forget, and
«Подписаться на мой регион».

After /region in a private chat the next text is read as a place for PROMPT_TTL seconds —
Telegram on a computer or in a browser cannot share a location, so typing must always work.
It never swallows a question: a text that is no place is answered as any question would be
(crisis first), and only when that finds nothing too does the person get «не нашёл такой
город или регион» (and may type again). This router sits after the hand-off (an open
conversation with a specialist is relayed, not read as a place) and before the search.
"""

import time

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.domain.answering import Answerer
from bot.domain.answers import CrisisAnswer, NotFound
from bot.domain.centres import CentreDirectory
from bot.domain.feedback import Feedback
from bot.domain.regions import RegionChoice, Regions
from bot.domain.subscriptions import Subscriptions
from bot.settings import Settings
from bot.telegram.callbacks import RegionPick, RegionSubscribe
from bot.telegram.send import send_reply
from bot.telegram.views import regions as views
from bot.telegram.views import texts
from bot.telegram.views.answers import render_answer
from bot.telegram.views.events import subscribed_text
from bot.text.normalize import normalize

PROMPT_TTL = 10 * 60  # seconds after /region during which a text is read as a place
CANCEL_WORDS = {"отмена", "отменить", "не надо", "назад", "стоп"}


class RegionTyping(StatesGroup):
    """After /region (private chats): the next text may be a city or region."""

    place = State()


def make_router() -> Router:
    router = Router(name="region")
    private = F.chat.type == "private"
    router.message.register(region_command, Command("region"))
    router.message.register(forget, Command("forget"))
    router.callback_query.register(picked, RegionPick.filter())
    router.callback_query.register(subscribe_region, RegionSubscribe.filter())
    router.message.register(located, private, F.location)
    router.message.register(typed, RegionTyping.place, private, F.text, ~F.text.startswith("/"))
    return router


async def _chosen(bot: Bot, chat_id: int, choice: RegionChoice, state: FSMContext) -> None:
    await state.clear()
    await send_reply(bot, chat_id, views.render_chosen(choice))


async def region_command(
    message: Message,
    command: CommandObject,
    bot: Bot,
    regions: Regions,
    settings: Settings,
    state: FSMContext,
) -> None:
    """`/region Тюмень` sets it at once (also in groups); `/region` offers the choice."""
    chat_id = message.chat.id
    if command.args and command.args.strip():
        choice = await regions.choose_text(chat_id, command.args)
        if choice is None:
            await send_reply(bot, chat_id, views.render_not_a_place(command.args))
        else:
            await _chosen(bot, chat_id, choice, state)
        return
    prompt = views.render_prompt(await regions.current(chat_id), regions.book.popular)
    await send_reply(bot, chat_id, prompt)
    if message.chat.type == "private":
        await state.set_state(RegionTyping.place)
        await state.set_data({"since": time.time()})
        keyboard = views.location_keyboard(settings.support_chat_id is not None)
        await message.answer(texts.REGION_LOCATION_HINT, reply_markup=keyboard)


async def picked(
    query: CallbackQuery, callback_data: RegionPick, bot: Bot, regions: Regions, state: FSMContext
) -> None:
    if query.message is None:
        await query.answer()
        return
    choice = await regions.choose_code(query.message.chat.id, callback_data.code)
    if choice is None:
        await query.answer(texts.REGION_STALE_BUTTON, show_alert=True)
        return
    await query.answer()
    await _chosen(bot, query.message.chat.id, choice, state)


async def typed(
    message: Message,
    bot: Bot,
    regions: Regions,
    answerer: Answerer,
    feedback: Feedback,
    state: FSMContext,
) -> None:
    """A text while /region waits: a place sets the region; anything else is a question."""
    text = message.text or ""
    chat_id = message.chat.id
    if time.time() - float((await state.get_data()).get("since", 0)) > PROMPT_TTL:
        await state.clear()
        raise SkipHandler  # long after /region: an ordinary message, for the search
    if normalize(text.strip(" .!")) in CANCEL_WORDS:
        await state.clear()
        await message.answer(texts.REGION_CANCELLED)
        return
    choice = await regions.choose_text(chat_id, text)
    if choice is not None:
        await _chosen(bot, chat_id, choice, state)
        return
    answer = await answerer.answer(text, chat_id)
    if isinstance(answer, NotFound):  # neither a place nor a question: try again
        await send_reply(bot, chat_id, views.render_not_a_place(text, asked=True))
        return
    await state.clear()
    await send_reply(bot, chat_id, render_answer(answer, await feedback.record(answer, text)))
    if not isinstance(answer, CrisisAnswer):
        await send_reply(bot, chat_id, views.render_unchanged(text))


async def located(
    message: Message,
    bot: Bot,
    regions: Regions,
    centres: CentreDirectory | None,
    state: FSMContext,
) -> None:
    """A shared location: the region of the nearest centre is kept (the point is not), and
    the directory's centres nearest to it follow."""
    assert message.location is not None  # the filter saw to it
    lat, lon = message.location.latitude, message.location.longitude
    choice = await regions.choose_location(message.chat.id, lat, lon)
    if choice is None:
        await message.answer(texts.REGION_TOO_FAR)
        return
    await _chosen(bot, message.chat.id, choice, state)
    if centres is not None:
        nearest = await centres.centres_near(lat, lon, region=choice.region)
        await send_reply(bot, message.chat.id, render_answer(nearest))


async def forget(message: Message, bot: Bot, regions: Regions, state: FSMContext) -> None:
    await state.clear()
    await send_reply(
        bot, message.chat.id, views.render_forgotten(await regions.forget(message.chat.id))
    )


async def subscribe_region(query: CallbackQuery, bot: Bot, subscriptions: Subscriptions) -> None:
    """«Подписаться на мой регион»: the region kept now (it may have changed since)."""
    await query.answer()
    if query.message is not None:
        result = await subscriptions.subscribe_region(query.message.chat.id)
        await bot.send_message(query.message.chat.id, subscribed_text(result))
