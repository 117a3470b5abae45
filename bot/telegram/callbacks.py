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


# ---- ratings and the editors' queue (ids only: the data must fit 64 bytes) --------------
class Rate(CallbackData, prefix="rate"):
    """👍 (up) or 👎 on an answer recorded as `answer_id`. At most 23 bytes."""

    answer_id: int = Field(ge=1, le=MAX_ID)
    up: bool


class RateReason(CallbackData, prefix="why"):
    """Why a 👎: not it, outdated, unclear, other. At most 28 bytes."""

    answer_id: int = Field(ge=1, le=MAX_ID)
    reason: str = Field(pattern=r"^(wrong|old|unclear|other)$")


class HumanRequest(CallbackData, prefix="human"):
    """«Спросить специалиста» (the hand-off, handlers/handoff.py): shown under «Что было не
    так?» when SUPPORT_CHAT_ID is set. No fields: «human», 5 bytes."""


class ReviewPage(CallbackData, prefix="rvp"):
    offset: int = Field(0, ge=0, le=10_000)


class ReviewAct(CallbackData, prefix="rva"):
    """On a queue group named by one occurrence (source 'q' a query-log row, 'a' an answer):
    'l' pick a document to link it to, 'h' mark it handled. At most 24 bytes."""

    act: str = Field(pattern=r"^[lh]$")
    source: str = Field(pattern=r"^[qa]$")
    row: int = Field(ge=1, le=MAX_ID)


class ReviewLink(CallbackData, prefix="rvl"):
    """Link a queue group (as in ReviewAct) to an article ('a', id) or a card ('c', card id
    of up to REF_MAX characters). At most 49 bytes."""

    source: str = Field(pattern=r"^[qa]$")
    row: int = Field(ge=1, le=MAX_ID)
    kind: str = Field(pattern=r"^[ac]$")
    ref: str = Field(pattern=r"^[a-z0-9_]{1,24}$")


REF_MAX = 24


# ---- the person's region and announcements (issue #15) ----------------------------------
class RegionPick(CallbackData, prefix="reg"):
    """A region button of /region: the region's number in data/regions.toml (a name would
    not fit 64 bytes). At most 6 bytes."""

    code: int = Field(ge=1, le=99)


class RegionSubscribe(CallbackData, prefix="regsub"):
    """«Подписаться на мой регион»: the region is read from the store, not carried. No
    fields: «regsub», 6 bytes."""


class BroadcastAct(CallbackData, prefix="bc"):
    """«Отправить» (send) or «Отмена» (cancel) under a broadcast preview. At most 26 bytes."""

    act: str = Field(pattern=r"^(send|cancel)$")
    broadcast_id: int = Field(ge=1, le=MAX_ID)


# ---- the directory of centres (/centres, issue #15) --------------------------------------
class SaveCentres(CallbackData, prefix="ctr"):
    """«Сохранить N верных строк» under a /centres file with bad rows: the pending upload's
    id only (its rows wait in the store). At most 20 bytes."""

    upload_id: int = Field(ge=1, le=MAX_ID)
