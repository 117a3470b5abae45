"""Admin commands and buttons. Anyone else gets a polite refusal and nothing changes."""

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, or_f
from aiogram.types import CallbackQuery, Message

from bot.app import App
from bot.telegram.callbacks import ArticlesPage, DeleteArticle
from bot.telegram.send import edit_or_send, send_reply
from bot.telegram.views import admin
from handlers.filters import IsAdmin

router = Router(name="admin")
ADMIN_ONLY = ("add", "articles", "delete", "stats")
REFUSAL = "Эта команда только для администраторов бота."


@router.message(Command(*ADMIN_ONLY), ~IsAdmin())
async def refuse(message: Message) -> None:
    await message.answer(REFUSAL)


@router.callback_query(or_f(DeleteArticle.filter(), ArticlesPage.filter()), ~IsAdmin())
async def refuse_button(query: CallbackQuery) -> None:
    await query.answer(REFUSAL, show_alert=True)


@router.message(F.document, IsAdmin())
async def add_file(message: Message, app: App) -> None:
    doc = message.document
    problem = admin.check_upload(app, doc.file_name or "", doc.file_size)
    if problem:
        await message.answer(problem)
        return
    try:
        data = await admin.download(message.bot, doc.file_id, admin.upload_limit(app))
    except admin.UploadTooLarge as exc:
        await message.answer(str(exc))
        return
    reply = await admin.add_document(app, message.from_user.id, data, doc.file_name or "file")
    await send_reply(message.bot, message.chat.id, reply)


@router.message(Command("add"), IsAdmin())
async def add_text(message: Message, command: CommandObject, app: App) -> None:
    reply = await admin.add_text(app, message.from_user.id, command.args or "")
    await send_reply(message.bot, message.chat.id, reply)


@router.message(Command("articles"), IsAdmin())
async def articles(message: Message, app: App) -> None:
    await send_reply(message.bot, message.chat.id, await admin.list_articles(app))


@router.callback_query(ArticlesPage.filter(), IsAdmin())
async def articles_page(query: CallbackQuery, callback_data: ArticlesPage, app: App) -> None:
    await query.answer()
    if query.message:
        reply = await admin.list_articles(app, callback_data.offset)
        await edit_or_send(query.bot, query.message, reply)


@router.message(Command("delete"), IsAdmin())
async def delete(message: Message, command: CommandObject, app: App) -> None:
    article_id = admin.parse_article_id(command.args)
    if article_id is None:
        await message.answer(
            "Укажите номер статьи: <code>/delete 12</code> (номера — в /articles)."
        )
        return
    await send_reply(message.bot, message.chat.id, await admin.confirm_delete(app, article_id))


@router.callback_query(DeleteArticle.filter(), IsAdmin())
async def delete_button(query: CallbackQuery, callback_data: DeleteArticle, app: App) -> None:
    if not callback_data.confirm:
        await query.answer()
        if query.message:
            reply = await admin.confirm_delete(app, callback_data.article_id)
            await send_reply(query.bot, query.message.chat.id, reply)
        return
    text = await admin.delete_article(app, query.from_user.id, callback_data.article_id)
    await query.answer(text, show_alert=True)


@router.message(Command("stats"), IsAdmin())
async def stats(message: Message, app: App) -> None:
    await send_reply(message.bot, message.chat.id, await admin.stats(app, message.from_user.id))
