"""Rendering of replies: HTML text (every inserted string escaped) and buttons.

The core returns `Reply` objects; handlers only send them. Keeping the wording here
means every door (free text, /search, chat, ask, inline) says the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.articles.dates import format_date_range
from bot.callbacks import OpenDoc
from bot.telegram_text import esc, esc_attr


@dataclass
class Reply:
    text: str
    buttons: list[list[InlineKeyboardButton]] = field(default_factory=list)
    document: tuple[str, bytes] | None = None  # (file name, content) sent after the text

    @property
    def markup(self) -> InlineKeyboardMarkup | None:
        return InlineKeyboardMarkup(inline_keyboard=self.buttons) if self.buttons else None


def human_date(day: dt.date) -> str:
    return format_date_range(day)


def short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def phone_line(card: dict) -> str:
    """The number as people write it, and in +7 form, which Telegram makes tappable."""
    line = f"☎️ <b>{esc(card['phone'])}</b>"
    if card.get("dial"):
        line += f" (позвонить: {esc(card['dial'])})"
    return line


def url_button(text: str, url: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=short(text, 60), url=url)


def open_button(text: str, doc: str) -> InlineKeyboardButton:
    kind, ref = doc.split(":", 1)
    return InlineKeyboardButton(
        text=short(text, 60), callback_data=OpenDoc(kind=kind, ref=ref).pack()
    )


def render_card(card: dict, focus: list[str] | None = None) -> Reply:
    """The whole card, or — when `focus` holds the facts that answer the question — those
    facts first and a button for the rest."""
    lines = [f"<b>{esc(card['title'])}</b>"]
    if card.get("phone"):
        lines.append(phone_line(card))
    if focus:
        lines += [f"• {esc(fact)}" for fact in focus]
        lines.append(esc(card["summary"]))
    else:
        lines.append(esc(card["summary"]))
        lines += [f"• {esc(fact)}" for fact in card.get("facts", [])]
    lines.append(
        f"<i>По данным на {esc(human_date(dt.date.fromisoformat(card['as_of'])))}. "
        f"Источник: {esc(card['source'])}</i>"
    )
    buttons = [[url_button(link["text"], link["url"])] for link in card.get("links", [])]
    if focus:
        buttons.insert(0, [open_button("Всё о службе", f"c:{card['id']}")])
    return Reply("\n".join(lines), buttons)


def render_article(
    title: str,
    published: dt.date | None,
    sentences: list[str],
    source_url: str | None,
    article_id: int,
    source_name: str | None = None,
) -> Reply:
    lines = [f"<b>{esc(title)}</b>"]
    lines.append(
        f"📅 {esc(human_date(published))}" if published else "📅 дата публикации не указана"
    )
    lines.append(esc(" ".join(sentences)))
    if source_url:
        label = esc(short(source_name, 80)) if source_name else "Источник"
        lines.append(f'🔗 <a href="{esc_attr(source_url)}">{label}</a>')
    elif source_name:
        lines.append(f"Источник: {esc(short(source_name, 200))}")
    else:
        lines.append(f"Источник не указан (статья №{article_id} из базы бота).")
    return Reply("\n".join(lines))


def more_buttons(hits: list[tuple[str, str]]) -> list[list[InlineKeyboardButton]]:
    """One button per further match: (doc, title)."""
    return [[open_button(f"Ещё: {title}", doc)] for doc, title in hits]


def render_not_found() -> Reply:
    return Reply(
        "Не нашёл ответа на этот вопрос в своих материалах.\n"
        "Попробуйте спросить иначе или выберите тему:\n"
        "/helpline — Детский телефон доверия\n"
        "/mfc — Семейный МФЦ\n"
        "/events — мероприятия для специалистов\n"
        "/services — все службы",
        [
            [open_button("Детский телефон доверия", "c:helpline")],
            [open_button("Семейный МФЦ", "c:mfc")],
        ],
    )
