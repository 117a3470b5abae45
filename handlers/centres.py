"""/centres, the directory of centres (owners and editors): a .csv or .xlsx sent with the
caption /centres is read and stored (or its bad rows listed, with «Сохранить N верных
строк»); /centres alone shows the counts by region. This router comes before the admin one,
whose document handler takes every other file as an article; a table sent without the
caption gets a hint instead of «формат не поддерживается». Anyone else gets the polite
refusal and nothing is stored.
"""

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.domain.centre_table import is_table_name
from bot.domain.centres import CentreDirectory
from bot.settings import Settings
from bot.telegram import uploads
from bot.telegram.callbacks import SaveCentres
from bot.telegram.filters import IsAdmin
from bot.telegram.send import send_reply
from bot.telegram.views import centres as views
from bot.telegram.views import texts


def make_router() -> Router:
    router = Router(name="centres")
    router.message.register(refuse, Command("centres"), ~IsAdmin())
    router.callback_query.register(refuse_button, SaveCentres.filter(), ~IsAdmin())
    router.message.register(upload, Command("centres"), F.document, IsAdmin())
    router.message.register(overview, Command("centres"), IsAdmin())
    router.callback_query.register(confirm, SaveCentres.filter(), IsAdmin())
    router.message.register(caption_hint, F.document.file_name.func(is_table_name), IsAdmin())
    return router


async def refuse(message: Message) -> None:
    await message.answer(texts.admin_refusal(message.from_user.id if message.from_user else None))


async def refuse_button(query: CallbackQuery) -> None:
    await query.answer(texts.admin_refusal(query.from_user.id), show_alert=True)


async def upload(message: Message, bot: Bot, centres: CentreDirectory, settings: Settings) -> None:
    doc = message.document
    assert doc is not None and message.from_user is not None  # the filters saw to both
    name = doc.file_name or "file"
    limit = uploads.upload_limit(settings.max_upload_mb * 1024 * 1024)
    problem = uploads.check_table_upload(limit, name, doc.file_size)
    if problem is None:
        try:
            data = await uploads.download(bot, doc.file_id, limit)
        except uploads.UploadTooLarge as exc:
            problem = str(exc)
    if problem is not None:
        await centres.refused(message.from_user.id, name, problem)
        await message.answer(problem)
        return
    outcome = await centres.upload(message.from_user.id, data, name)
    await send_reply(bot, message.chat.id, views.render_upload(outcome))


async def overview(message: Message, bot: Bot, centres: CentreDirectory) -> None:
    assert message.from_user is not None
    counts = await centres.overview(message.from_user.id)
    await send_reply(bot, message.chat.id, views.render_overview(counts))


async def confirm(
    query: CallbackQuery, callback_data: SaveCentres, bot: Bot, centres: CentreDirectory
) -> None:
    outcome = await centres.confirm(query.from_user.id, callback_data.upload_id)
    await query.answer()
    if query.message is not None:
        await send_reply(bot, query.message.chat.id, views.render_confirm(outcome))


async def caption_hint(message: Message) -> None:
    await message.answer(texts.CENTRES_CAPTION_HINT)
