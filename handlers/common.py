"""/start and /help: the greeting, what the bot does, the main menu."""

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message

from bot.telegram.views.menu import BUTTON_ASK, HELP_TEXT, START_TEXT, main_keyboard

router = Router(name="common")


@router.message(CommandStart())
async def start(message: Message) -> None:
    await message.answer(START_TEXT, reply_markup=main_keyboard())


@router.message(Command("help"))
async def help_(message: Message) -> None:
    await message.answer(HELP_TEXT)


@router.message(F.text == BUTTON_ASK)
async def ask_prompt(message: Message) -> None:
    await message.answer(
        "Напишите вопрос своими словами — например: «что такое семейный МФЦ» "
        "или «когда ближайшая стажировка»."
    )
