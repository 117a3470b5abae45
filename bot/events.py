"""Upcoming events for specialists: listing, filtering by place or kind, calendar files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.store import Store
from bot.store.sqlite import EventRow
from bot.text.morph import lemma
from bot.text.normalize import words

PAGE_SIZE = 5
_FILTER_NOISE = {"в", "во", "на", "по", "и", "г", "город", "область", "край"}


def clean_topic(topic: str, limit: int = 60) -> str:
    """A filter as words only (no emoji, markup or punctuation), cut to a sane length."""
    return " ".join(words(topic))[:limit].strip()


def topic_lemmas(topic: str) -> set[str]:
    return {lemma(w) for w in words(topic) if w not in _FILTER_NOISE}


def event_matches(event: EventRow, wanted: set[str]) -> bool:
    """True when every word of the filter names the event's place, kind or title."""
    if not wanted:
        return True
    text = " ".join(filter(None, [event.kind, event.title, event.place or ""]))
    have = {lemma(w) for w in words(text)}
    return wanted <= have


@dataclass
class EventListing:
    upcoming: list[EventRow]
    past: list[EventRow]
    topic: str


class EventsService:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def listing(self, today: dt.date, topic: str = "") -> EventListing:
        wanted = topic_lemmas(topic)
        upcoming = [e for e in await self.store.events_from(today, 500) if event_matches(e, wanted)]
        past = [e for e in await self.store.events_before(today, 200) if event_matches(e, wanted)]
        return EventListing(_unique(upcoming), _unique(past), topic)


def _unique(events: list[EventRow]) -> list[EventRow]:
    """One line per happening: two articles may announce the same event."""
    seen: set[tuple] = set()
    out = []
    for e in events:
        key = (e.kind, e.start, e.end, (e.place or "").lower())
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out
