"""An article as a message: title, date, the sentences that answer, and its source."""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from urllib.parse import urlsplit

from aiogram.types import InlineKeyboardButton

from bot.store.base import DocRef
from bot.telegram.formatting import esc, esc_attr
from bot.telegram.views.common import Reply, human_date, open_button, short


def site_name(url: str) -> str:
    """The site a link leads to, as people name it: «gov-murman.ru»."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or url


class ArticleLike(Protocol):
    """Read-only members: a frozen dataclass (the store's ArticleRow) satisfies it."""

    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def published(self) -> dt.date | None: ...
    @property
    def source_url(self) -> str | None: ...
    @property
    def source_name(self) -> str | None: ...


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
    return Reply("\n".join(lines), kind="article")


def more_buttons(hits: list[tuple[DocRef, str]]) -> list[list[InlineKeyboardButton]]:
    """One button per further match: (doc, title)."""
    return [[open_button(f"Ещё: {title}", doc)] for doc, title in hits]
