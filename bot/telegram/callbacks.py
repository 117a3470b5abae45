"""Callback data of inline buttons. Ids go in, never titles: Telegram allows 64 bytes."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

# Ids and offsets from a button are bounded: forged data with a huge number must not reach
# SQLite («Python int too large to convert to SQLite INTEGER»). Such data does not match
# the button's filter and gets the polite «кнопка устарела» (handlers/other.py).
MAX_ID = 2**53


class OpenDoc(CallbackData, prefix="open"):
    """Show an article ('a', id) or a service card ('c', card id)."""

    kind: str = Field(pattern=r"^[ac]$")
    ref: str = Field(pattern=r"^[a-z0-9_]{1,40}$")


class EventsPage(CallbackData, prefix="ev"):
    offset: int = Field(0, ge=0, le=10_000)
    topic: str = ""  # cut to TOPIC_MAX characters so the data stays under 64 bytes
    past: bool = False


class EventIcs(CallbackData, prefix="ics"):
    event_id: int = Field(ge=0, le=MAX_ID)


class ArticlesPage(CallbackData, prefix="arts"):
    offset: int = Field(0, ge=0, le=10_000_000)


class DeleteArticle(CallbackData, prefix="del"):
    article_id: int = Field(ge=0, le=MAX_ID)
    confirm: bool = False


TOPIC_MAX = 20


class HandoffAction(CallbackData, prefix="ho"):
    """A button of a conversation with a specialist: «close» (the person or a specialist)
    or «name» (the person shares their name with the specialists)."""

    action: str = Field(pattern=r"^(close|name)$")
    handoff_id: int = Field(ge=0, le=MAX_ID)
