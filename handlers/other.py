"""Everything else a person may send: answered briefly, or ignored on purpose in groups."""

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

router = Router(name="other")

HINT = (
    "Я понимаю только текст. Напишите вопрос словами или выберите раздел: "
    "/helpline, /mfc, /events, /help."
)


@router.message(F.chat.type == "private", F.document)
async def document_from_user(message: Message) -> None:
    await message.answer("Загружать статьи могут только администраторы бота. " + HINT)


@router.message(F.chat.type == "private", F.text.startswith("/"))
async def unknown_command(message: Message) -> None:
    await message.answer("Такой команды нет. Список команд: /help")


@router.message(F.chat.type == "private")
async def anything_else(message: Message) -> None:
    await message.answer(HINT)


@router.edited_message()
async def edited(message: Message) -> None:
    """Edits are ignored on purpose: answering again would repeat the reply."""


@router.callback_query()
async def stale_button(query: CallbackQuery) -> None:
    """A button from an old message, or forged callback data: a polite word, nothing else."""
    await query.answer("Эта кнопка устарела. Напишите вопрос или откройте /help.")
