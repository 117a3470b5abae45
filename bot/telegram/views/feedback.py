"""Rating an answer: the 👍 / 👎 row, «Что было не так?» and the thanks.

The buttons carry the answer's id only (`bot.telegram.callbacks.Rate`, ≤ 23 bytes); the
specialist button appears only when a support chat is configured (SUPPORT_CHAT_ID), and
the hand-off (handlers/handoff.py) answers it.
"""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton

from bot.domain.feedback import REASONS
from bot.telegram.callbacks import HumanRequest, Rate, RateReason
from bot.telegram.views import texts
from bot.telegram.views.common import Reply


def rating_row(answer_id: int) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(
            text=texts.BUTTON_RATE_UP, callback_data=Rate(answer_id=answer_id, up=True).pack()
        ),
        InlineKeyboardButton(
            text=texts.BUTTON_RATE_DOWN, callback_data=Rate(answer_id=answer_id, up=False).pack()
        ),
    ]


def specialist_row() -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(text=texts.BUTTON_ASK_SPECIALIST, callback_data=HumanRequest().pack())
    ]


def render_what_was_wrong(answer_id: int, specialist: bool) -> Reply:
    reasons = [
        InlineKeyboardButton(
            text=texts.REASON_BUTTONS[reason],
            callback_data=RateReason(answer_id=answer_id, reason=reason).pack(),
        )
        for reason in REASONS
    ]
    buttons = [reasons[:2], reasons[2:]]
    if specialist:
        buttons.append(specialist_row())
    return Reply(texts.WHAT_WAS_WRONG, buttons)


def render_reason_thanks(specialist: bool) -> Reply:
    if specialist:
        return Reply(texts.REASON_THANKS_SPECIALIST, [specialist_row()])
    return Reply(texts.REASON_THANKS)
