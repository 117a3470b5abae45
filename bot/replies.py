"""Rendering of replies: HTML text (every inserted string escaped) and buttons.

The core returns `Reply` objects; handlers only send them. Keeping the wording here
means every door (free text, /search, chat, ask, inline) says the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.articles.dates import format_date_range
from bot.callbacks import EventsPage, OpenDoc
from bot.telegram_text import esc, esc_attr


@dataclass
class Reply:
    """What to send, and what it was about: `subject` ('a:12', 'c:mfc', 'e:5') lets the
    next «а когда?» be answered about it; `kind` says what sort of answer this is
    (crisis, smalltalk, events, card, article, event, not_found) for the log and the eval."""

    text: str
    buttons: list[list[InlineKeyboardButton]] = field(default_factory=list)
    document: tuple[str, bytes] | None = None  # (file name, content) sent after the text
    subject: str | None = None
    kind: str = ""

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
    return Reply("\n".join(lines), buttons, subject=f"c:{card['id']}", kind="card")


def site_name(url: str) -> str:
    """The site a link leads to, as people name it: «gov-murman.ru»."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or url


class ArticleLike(Protocol):
    id: int
    title: str
    published: dt.date | None
    source_url: str | None
    source_name: str | None


def render_article(article: ArticleLike, sentences: list[str]) -> Reply:
    """Title, date, the sentences that answer, and where it comes from — the site's name
    or the publisher, never an internal id."""
    lines = [f"<b>{esc(article.title)}</b>"]
    lines.append(
        f"📅 {esc(human_date(article.published))}"
        if article.published
        else "📅 дата публикации не указана"
    )
    lines.append(esc(" ".join(sentences)))
    if article.source_url:
        label = short(article.source_name, 80) if article.source_name else ""
        site = site_name(article.source_url)
        shown = f"{label} ({site})" if label and site not in label else (label or site)
        lines.append(f'🔗 Источник: <a href="{esc_attr(article.source_url)}">{esc(shown)}</a>')
    elif article.source_name:
        lines.append(f"Источник: {esc(short(article.source_name, 200))}")
    else:
        lines.append("Источник в тексте не указан.")
    return Reply("\n".join(lines), subject=f"a:{article.id}", kind="article")


def more_buttons(hits: list[tuple[str, str]]) -> list[list[InlineKeyboardButton]]:
    """One button per further match: (doc, title)."""
    return [[open_button(f"Ещё: {title}", doc)] for doc, title in hits]


def menu_buttons() -> list[list[InlineKeyboardButton]]:
    """The main topics as inline buttons: they work in every client and in the local chat."""
    return [
        [open_button("Детский телефон доверия", "c:helpline")],
        [open_button("Семейный МФЦ", "c:mfc"), open_button("Выплаты семьям", "c:payments")],
        [InlineKeyboardButton(text="Мероприятия", callback_data=EventsPage(offset=0).pack())],
    ]


def render_not_found() -> Reply:
    return Reply(
        "Не нашёл ответа на этот вопрос в своих материалах.\n"
        "Если вам или ребёнку нужна помощь — <b>Детский телефон доверия 8-800-2000-122</b> "
        "(бесплатно, анонимно); опасность прямо сейчас — <b>112</b>.\n\n"
        "Попробуйте спросить иначе или выберите тему:\n"
        "/helpline — Детский телефон доверия\n"
        "/mfc — Семейный МФЦ\n"
        "/events — мероприятия для специалистов\n"
        "/services — все службы",
        menu_buttons(),
        kind="not_found",
    )


def render_smalltalk(text: str) -> Reply:
    return Reply(esc(text), menu_buttons(), kind="smalltalk")
