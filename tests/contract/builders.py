"""Small rows for the contract tests: articles, events, outgoing messages, centres."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.store.base import CentreRow, NewArticle, Outgoing, index_terms

T = TypeVar("T")

D = dt.date(2024, 10, 10)  # «today» of the event tests


@dataclass(frozen=True, slots=True)
class Ev:
    """An event as the articles pipeline hands it over (satisfies EventFacts)."""

    kind: str
    title: str
    start: dt.date
    end: dt.date
    time: dt.time | None
    place: str | None
    sentence: str
    status: str


def event(
    start: dt.date,
    end: dt.date | None = None,
    *,
    title: str = "Вебинар",
    kind: str = "webinar",
    time: dt.time | None = None,
    place: str | None = None,
    sentence: str = "Вебинар пройдёт онлайн.",
    status: str = "announce",
) -> Ev:
    return Ev(kind, title, start, end or start, time, place, sentence, status)


def article(
    key: str | int,
    *,
    title: str | None = None,
    body: str | None = None,
    index_title: str = "статья",
    index_body: str = "текст",
    published: dt.date | None = None,
    source_url: str | None = None,
    places: Iterable[str] = (),
    summary: str = "",
    origin: str = "test",
    source_name: str | None = None,
) -> NewArticle:
    return NewArticle(
        title=title if title is not None else f"Статья {key}",
        published=published,
        source_url=source_url,
        places=list(places),
        summary=summary,
        body=body if body is not None else f"Текст статьи {key}.",
        content_hash=f"hash-{key}",
        origin=origin,
        fmt="txt",
        index_title=index_title,
        index_body=index_body,
        source_name=source_name,
    )


def expected_vocabulary(docs: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Each term with the number of documents (title, body index text) holding it."""
    counts: Counter[str] = Counter()
    for title, body in docs:
        counts.update(index_terms(title, body))
    return dict(counts)


def note(chat_id: int, key: str, text: str = "", **kwargs: Any) -> Outgoing:
    return Outgoing(chat_id=chat_id, dedupe_key=key, text=text or f"text {key}", **kwargs)


def centre(name: str, region: str, **kwargs: Any) -> CentreRow:
    values: dict[str, Any] = {
        "kind": "КЦСОН",
        "city": "Тюмень",
        "address": "ул. Ленина, 1",
    }
    values.update(kwargs)
    return CentreRow(name=name, region=region, **values)


async def eventually(read: Callable[[], Awaitable[T]], expected: T, timeout: float = 2.0) -> T:
    """`read()` until it gives `expected` or `timeout` seconds pass; the last value read.
    (PostgreSQL pushes some changes to other store objects by LISTEN/NOTIFY: not at once.)"""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await read()
        if value == expected or loop.time() >= deadline:
            return value
        await asyncio.sleep(0.02)


async def until(
    read: Callable[[], Awaitable[T]], done: Callable[[T], bool], timeout: float = 2.0
) -> T:
    """`read()` until `done(value)` or `timeout` seconds pass; the last value read."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await read()
        if done(value) or loop.time() >= deadline:
            return value
        await asyncio.sleep(0.02)
