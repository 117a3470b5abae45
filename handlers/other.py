"""Everything else a person may send: answered briefly, or ignored on purpose in groups."""

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot.telegram.views import texts


def make_router() -> Router:
    router = Router(name="other")
    router.message.register(document_from_user, F.chat.type == "private", F.document)
    router.message.register(unknown_command, F.chat.type == "private", F.text.startswith("/"))
    router.message.register(anything_else, F.chat.type == "private")
    router.edited_message.register(edited)
    router.callback_query.register(stale_button)
    return router


async def document_from_user(message: Message) -> None:
    await message.answer(texts.DOCUMENT_FROM_USER)


async def unknown_command(message: Message) -> None:
    await message.answer(texts.UNKNOWN_COMMAND)


async def anything_else(message: Message) -> None:
    await message.answer(texts.HINT)


async def edited(message: Message) -> None:
    """Edits are ignored on purpose: answering again would repeat the reply."""


async def stale_button(query: CallbackQuery) -> None:
    """A button from an old message, or forged callback data: a polite word, nothing else."""
    await query.answer(texts.STALE_BUTTON)
