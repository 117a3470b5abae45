"""Admin commands and buttons. Anyone else gets a polite refusal and nothing changes."""

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, or_f
from aiogram.types import CallbackQuery, Message

from bot.domain.admin import AdminDesk, parse_article_id
from bot.telegram import uploads
from bot.telegram.callbacks import ArticlesPage, DeleteArticle
from bot.telegram.filters import IsAdmin
from bot.telegram.send import edit_or_send, send_reply
from bot.telegram.views import admin as views
from bot.telegram.views import texts

ADMIN_ONLY = ("add", "articles", "article", "delete", "stats")


def make_router() -> Router:
    router = Router(name="admin")
    router.message.register(refuse, Command(*ADMIN_ONLY), ~IsAdmin())
    router.callback_query.register(
        refuse_button, or_f(DeleteArticle.filter(), ArticlesPage.filter()), ~IsAdmin()
    )
    router.message.register(add_file, F.document, IsAdmin())
    router.message.register(add_text, Command("add"), IsAdmin())
    router.message.register(articles, Command("articles"), IsAdmin())
    router.callback_query.register(articles_page, ArticlesPage.filter(), IsAdmin())
    router.message.register(article, Command("article"), IsAdmin())
    router.message.register(delete, Command("delete"), IsAdmin())
    router.callback_query.register(delete_button, DeleteArticle.filter(), IsAdmin())
    router.message.register(stats, Command("stats"), IsAdmin())
    return router


async def refuse(message: Message) -> None:
    await message.answer(texts.admin_refusal(message.from_user.id if message.from_user else None))


async def refuse_button(query: CallbackQuery) -> None:
    await query.answer(texts.admin_refusal(query.from_user.id), show_alert=True)


async def add_file(message: Message, bot: Bot, admin_desk: AdminDesk) -> None:
    doc = message.document
    assert doc is not None and message.from_user is not None  # the filters saw to both
    limit = uploads.upload_limit(admin_desk.library.upload_limit)
    problem = uploads.check_upload(limit, doc.file_name or "", doc.file_size)
    if problem:
        await message.answer(problem)
        return
    try:
        data = await uploads.download(bot, doc.file_id, limit)
    except uploads.UploadTooLarge as exc:
        await message.answer(str(exc))
        return
    outcome = await admin_desk.upload(message.from_user.id, data, doc.file_name or "file")
    await send_reply(bot, message.chat.id, views.render_outcome(outcome))


async def add_text(
    message: Message, command: CommandObject, bot: Bot, admin_desk: AdminDesk
) -> None:
    assert message.from_user is not None
    text = command.args or ""
    if not text.strip():
        await message.answer(texts.EMPTY_ADD)
        return
    outcome = await admin_desk.upload(message.from_user.id, text.encode("utf-8"), "message.txt")
    await send_reply(bot, message.chat.id, views.render_outcome(outcome))


async def articles(message: Message, bot: Bot, admin_desk: AdminDesk) -> None:
    page = await admin_desk.article_page()
    await send_reply(bot, message.chat.id, views.render_article_page(page))


async def articles_page(
    query: CallbackQuery, callback_data: ArticlesPage, bot: Bot, admin_desk: AdminDesk
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        page = await admin_desk.article_page(callback_data.offset)
        await edit_or_send(bot, query.message, views.render_article_page(page))


async def article(
    message: Message, command: CommandObject, bot: Bot, admin_desk: AdminDesk
) -> None:
    article_id = parse_article_id(command.args)
    if article_id is None:
        await message.answer(texts.ASK_ARTICLE_TO_SHOW)
        return
    view = await admin_desk.article_view(article_id)
    await send_reply(bot, message.chat.id, views.render_article_view(article_id, view))


async def delete(message: Message, command: CommandObject, bot: Bot, admin_desk: AdminDesk) -> None:
    article_id = parse_article_id(command.args)
    if article_id is None:
        await message.answer(texts.ASK_ARTICLE_ID)
        return
    article = await admin_desk.article(article_id)
    await send_reply(bot, message.chat.id, views.render_confirm_delete(article_id, article))


async def delete_button(
    query: CallbackQuery, callback_data: DeleteArticle, bot: Bot, admin_desk: AdminDesk
) -> None:
    article_id = callback_data.article_id
    if not callback_data.confirm:
        await query.answer()
        if query.message:
            article = await admin_desk.article(article_id)
            reply = views.render_confirm_delete(article_id, article)
            await send_reply(bot, query.message.chat.id, reply)
        return
    deleted = await admin_desk.delete(query.from_user.id, article_id)
    await query.answer(views.deleted_text(article_id, deleted), show_alert=True)


async def stats(message: Message, bot: Bot, admin_desk: AdminDesk) -> None:
    assert message.from_user is not None
    report = await admin_desk.stats(message.from_user.id)
    await send_reply(bot, message.chat.id, views.render_stats(report))
