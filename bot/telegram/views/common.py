"""What every view shares: the `Reply` a handler sends, buttons, and the short texts.

The domain returns data (`bot.domain.answers`); the views in this package turn it into
HTML (every inserted string escaped) and buttons. Keeping the wording here means every
door (free text, /search, chat, ask, inline) says the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.articles.dates import format_date_range
from bot.store.base import DocRef
from bot.telegram.callbacks import EventsPage, OpenDoc
from bot.telegram.formatting import esc
from bot.telegram.views.texts import NOT_FOUND

HELPLINE = DocRef.card("helpline")


@dataclass
class Reply:
    """What to send, and what it answered: `subject` (the answer's DocRef) is what the next
    «а когда?» is about; `kind` says what sort of answer this is (crisis, smalltalk,
    events, card, article, event, not_found) for the log and the eval."""

    text: str
    buttons: list[list[InlineKeyboardButton]] = field(default_factory=list)
    subject: DocRef | None = None
    kind: str = ""

    @property
    def markup(self) -> InlineKeyboardMarkup | None:
        return InlineKeyboardMarkup(inline_keyboard=self.buttons) if self.buttons else None


def human_date(day: dt.date) -> str:
    return format_date_range(day)


def short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def url_button(text: str, url: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=short(text, 60), url=url)


def open_button(text: str, doc: DocRef) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=short(text, 60), callback_data=OpenDoc(kind=doc.kind, ref=doc.key).pack()
    )


def page_nav(
    offset: int,
    size: int,
    has_more: bool,
    page: Callable[[int], str],
    back: str = "← Назад",
    more: str = "Дальше →",
) -> list[InlineKeyboardButton]:
    """The row of a paged list: back when not on the first page, on when more follow.
    `page(offset)` packs the callback data of the page starting at `offset`."""
    nav = []
    if offset > 0:
        nav.append(InlineKeyboardButton(text=back, callback_data=page(max(0, offset - size))))
    if has_more:
        nav.append(InlineKeyboardButton(text=more, callback_data=page(offset + size)))
    return nav


def menu_buttons() -> list[list[InlineKeyboardButton]]:
    """The main topics as inline buttons: they work in every client and in the local chat."""
    return [
        [open_button("Детский телефон доверия", HELPLINE)],
        [
            open_button("Семейный МФЦ", DocRef.card("mfc")),
            open_button("Выплаты семьям", DocRef.card("payments")),
        ],
        [InlineKeyboardButton(text="Мероприятия", callback_data=EventsPage(offset=0).pack())],
    ]


def render_not_found() -> Reply:
    return Reply(NOT_FOUND, menu_buttons(), kind="not_found")


def render_smalltalk(text: str) -> Reply:
    return Reply(esc(text), menu_buttons(), kind="smalltalk")
