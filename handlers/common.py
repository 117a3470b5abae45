"""/start and /help: the greeting, what the bot does, the main menu."""

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message

from bot.settings import Settings
from bot.telegram.views.menu import main_keyboard
from bot.telegram.views.texts import ASK_PROMPT, BUTTON_ASK, HELP_TEXT, START_TEXT


def make_router() -> Router:
    router = Router(name="common")
    router.message.register(start, CommandStart())
    router.message.register(help_, Command("help"))
    router.message.register(ask_prompt, F.text == BUTTON_ASK)
    return router


async def start(message: Message, settings: Settings) -> None:
    keyboard = main_keyboard(specialist=settings.support_chat_id is not None)
    await message.answer(START_TEXT, reply_markup=keyboard)


async def help_(message: Message) -> None:
    await message.answer(HELP_TEXT)


async def ask_prompt(message: Message) -> None:
    await message.answer(ASK_PROMPT)
