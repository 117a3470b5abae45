"""The main menu: the reply keyboard under the input field, and its inline twin."""

from aiogram.types import ReplyKeyboardMarkup
from aiogram.utils.keyboard import ReplyKeyboardBuilder

from bot.telegram.views.texts import (
    BUTTON_ASK,
    BUTTON_EVENTS,
    BUTTON_HELPLINE,
    BUTTON_MFC,
    BUTTON_SPECIALIST,
)


def main_keyboard(specialist: bool = False) -> ReplyKeyboardMarkup:
    """The menu; «Написать специалисту» only when a support chat is configured."""
    builder = ReplyKeyboardBuilder()
    for text in (BUTTON_HELPLINE, BUTTON_MFC, BUTTON_EVENTS, BUTTON_ASK):
        builder.button(text=text)
    if specialist:
        builder.button(text=BUTTON_SPECIALIST)
    builder.adjust(2)
    return builder.as_markup(resize_keyboard=True, input_field_placeholder="Ваш вопрос…")
