"""Callback data of inline buttons. Ids go in, never titles: Telegram allows 64 bytes."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class OpenDoc(CallbackData, prefix="open"):
    """Show an article ('a', id) or a service card ('c', card id)."""

    kind: str
    ref: str


class EventsPage(CallbackData, prefix="ev"):
    offset: int
    topic: str = ""  # cut to TOPIC_MAX characters so the data stays under 64 bytes
    past: bool = False


class EventIcs(CallbackData, prefix="ics"):
    event_id: int


class ArticlesPage(CallbackData, prefix="arts"):
    offset: int


class DeleteArticle(CallbackData, prefix="del"):
    article_id: int
    confirm: bool = False


TOPIC_MAX = 20
