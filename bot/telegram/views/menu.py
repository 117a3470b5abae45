"""The main menu: the reply keyboard under the input field, and its inline twin."""

from aiogram.types import ReplyKeyboardMarkup
from aiogram.utils.keyboard import ReplyKeyboardBuilder

from bot.telegram.views.texts import BUTTON_ASK, BUTTON_EVENTS, BUTTON_HELPLINE, BUTTON_MFC


def main_keyboard() -> ReplyKeyboardMarkup:
    builder = ReplyKeyboardBuilder()
    for text in (BUTTON_HELPLINE, BUTTON_MFC, BUTTON_EVENTS, BUTTON_ASK):
        builder.button(text=text)
    builder.adjust(2)
    return builder.as_markup(resize_keyboard=True, input_field_placeholder="Ваш вопрос…")
