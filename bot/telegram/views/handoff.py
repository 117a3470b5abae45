"""What the person and the specialists see of a hand-off."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton

from bot.domain.handoff import Opened
from bot.store.base import HandoffRow
from bot.telegram.callbacks import HandoffAction
from bot.telegram.formatting import esc
from bot.telegram.views import texts
from bot.telegram.views.common import Reply


def number(handoff: HandoffRow) -> str:
    return f"Обращение №{handoff.id}"


def _buttons(handoff: HandoffRow, share: bool) -> list[list[InlineKeyboardButton]]:
    rows = []
    if share and handoff.shared_name is None:
        data = HandoffAction(action="name", handoff_id=handoff.id).pack()
        rows.append([InlineKeyboardButton(text=texts.BUTTON_SHARE_NAME, callback_data=data)])
    close = HandoffAction(action="close", handoff_id=handoff.id).pack()
    rows.append([InlineKeyboardButton(text=texts.BUTTON_CLOSE_HANDOFF, callback_data=close)])
    return rows


def render_opened(opened: Opened) -> Reply:
    """Who will answer and when; outside the hours, when they are back and the helpline."""
    handoff, hours = opened.handoff, opened.hours
    if not opened.created:
        return Reply(texts.HANDOFF_STILL_OPEN, _buttons(handoff, share=True))
    lines = [f"<b>{esc(number(handoff))}</b>"]
    if hours is None:
        lines.append("Вам ответит специалист службы поддержки семей, как только сможет.")
    else:
        span = f"{hours.start:%H:%M}–{hours.end:%H:%M} ({esc(hours.tz.key)})"
        if opened.open_now:
            lines.append(f"Вам ответит специалист службы поддержки семей. Работаем {span}.")
        else:
            assert opened.next_opening is not None
            back = opened.next_opening.strftime("%d.%m в %H:%M")
            lines.append(
                f"Специалисты отвечают {span}; сейчас нерабочее время, ответ придёт после "
                f"{esc(back)}. Если нужна помощь прямо сейчас — <b>Детский телефон доверия "
                "8-800-2000-122</b> (круглосуточно, бесплатно), опасность — <b>112</b>."
            )
    lines += [texts.HANDOFF_PRIVACY, texts.HANDOFF_PROMPT]
    return Reply("\n\n".join(lines), _buttons(handoff, share=True))


def support_intro(handoff: HandoffRow, topics: bool) -> Reply:
    """The first message specialists see of a conversation: its number and how to answer."""
    how = texts.SUPPORT_HOW_TO_ANSWER if topics else texts.SUPPORT_HOW_TO_REPLY
    return Reply(f"🆕 <b>{esc(number(handoff))}</b>\n{how}", _buttons(handoff, share=False))


def support_header(handoff: HandoffRow) -> str:
    """Above a relayed text without topics: whose conversation it is, and the name when shared."""
    name = f" · {esc(handoff.shared_name)}" if handoff.shared_name else ""
    return f"<b>{esc(number(handoff))}</b>{name}"


def name_shared(handoff: HandoffRow) -> str:
    return f"{esc(number(handoff))}: человек показал имя — {esc(handoff.shared_name or '')}"


def closed_note(handoff: HandoffRow, by_person: bool) -> str:
    what = texts.SUPPORT_PERSON_CLOSED if by_person else texts.SUPPORT_CLOSED
    return f"{esc(number(handoff))}: {what}"
