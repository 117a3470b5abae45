"""Upcoming events for specialists: listing, filtering by place or kind, calendar files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.articles.dates import MONTHS_NOMINATIVE
from bot.articles.extract_events import specific_kind_names
from bot.articles.places import nearby_places, normalize_place
from bot.domain.ics import event_ics, ics_filename
from bot.domain.kept import Kept
from bot.domain.regions import region_of_place
from bot.store import Store
from bot.store.base import EventRow
from bot.text.morph import lemma
from bot.text.normalize import normalize, words

if TYPE_CHECKING:
    from bot.domain.answers import EventsAnswer

DEFAULT_TZ = ZoneInfo("Europe/Moscow")

PAGE_SIZE = 5
_KIND_LEMMAS = frozenset(lemma(w) for k in specific_kind_names() for w in words(k))
_FILTER_NOISE = {"в", "во", "на", "по", "и", "г", "город", "область", "край"}


def clean_topic(topic: str, limit: int = 60) -> str:
    """A filter as words only (no emoji, markup or punctuation), cut to a sane length."""
    return " ".join(words(topic))[:limit].strip()


def topic_lemmas(topic: str) -> set[str]:
    return {lemma(w) for w in words(topic) if w not in _FILTER_NOISE}


@dataclass(frozen=True)
class EventFilter:
    """What a filter asks: words of kind or title, and places (a city stands for its
    region and a region for its cities: events are stored under whichever the article
    named), and optionally a month and a year."""

    words: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    months: tuple[int, ...] = ()
    year: int | None = None

    @classmethod
    def read(
        cls, topic: str, months: tuple[int, ...] = (), year: int | None = None, loose: bool = False
    ) -> EventFilter:
        """`loose` (a question in free words): only places and kinds of event filter; other
        words («куда дальше поедет…», «для педагогов») say nothing about which events."""
        wanted = topic_lemmas(topic)
        places: set[str] = set()
        whole = normalize_place(topic) if topic.strip() else None
        if whole is not None:
            places.add(whole)
            wanted = set()
        else:
            for word in words(topic):
                place = normalize_place(word) if word[:1].isalpha() and len(word) > 2 else None
                if place is not None:
                    places.add(place)
                    wanted.discard(lemma(word))
        expanded = {normalize(p) for name in places for p in nearby_places(name)}
        if loose:
            wanted = {w for w in wanted if w in _KIND_LEMMAS}
        return cls(frozenset(wanted), frozenset(expanded), tuple(months), year)

    def matches(self, event: EventRow) -> bool:
        if self.places and normalize(event.place or "") not in self.places:
            return False
        if self.months and not any(_covers_month(event, m, self.year) for m in self.months):
            return False
        if (
            self.year is not None
            and not self.months
            and not (event.start.year <= self.year <= event.end.year)
        ):
            return False
        if not self.words:
            return True
        return self.words <= _event_lemmas(event.kind, event.title, event.place or "")


@lru_cache(maxsize=100_000)
def _event_lemmas(kind: str, title: str, place: str) -> frozenset[str]:
    """The lemmas of an event's kind, title and place, read once per event (a listing
    filters hundreds of events on every question about dates)."""
    return frozenset(lemma(w) for w in words(" ".join(filter(None, [kind, title, place]))))


def _covers_month(event: EventRow, month: int, year: int | None) -> bool:
    day = event.start.replace(day=1)
    while day <= event.end:
        if day.month == month and (year is None or day.year == year):
            return True
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return False


@dataclass
class EventListing:
    upcoming: list[EventRow]
    past: list[EventRow]
    topic: str
    planned: list[EventRow] = field(default_factory=list)  # announced, dates not yet known
    # The person's region, when they told it and the filter names no place: the first
    # `local` upcoming events are in it, the others after (the list is headed accordingly).
    region: str | None = None
    local: int = 0


class EventsService:
    def __init__(
        self,
        store: Store,
        today: Callable[[], dt.date] = dt.date.today,
        tz: ZoneInfo = DEFAULT_TZ,
    ) -> None:
        self.store = store
        self.today = today
        self.tz = tz  # of times in calendar files
        # The lists a listing filters, kept while the store's change counter stays: every
        # question about dates reads the same few hundred events (see `_events`). Days go
        # by: only today's lists matter, the oldest go first.
        self._lists: Kept[tuple[str, dt.date, int], list[EventRow]] = Kept(16)

    async def page(
        self, topic: str = "", offset: int = 0, past: bool = False, chat_id: int | None = None
    ) -> EventsAnswer:
        """The /events list from `offset`: upcoming first; when none, the latest past ones.
        With `chat_id`, the events of the region that chat told come first."""
        from bot.domain.answers import events_page  # answers are built on listings

        region = await self.store.chat_region(chat_id) if chat_id is not None else None
        listing = await self.listing(self.today(), clean_topic(topic), region=region)
        return events_page(listing, self.today(), offset, past)

    async def calendar_file(self, event_id: int) -> tuple[str, bytes] | None:
        """(file name, .ics content) of one event, or None when it is gone."""
        event = await self.store.get_event(event_id)
        if event is None:
            return None
        return ics_filename(event), event_ics(event, self.tz)

    async def listing(
        self,
        today: dt.date,
        topic: str = "",
        months: tuple[int, ...] = (),
        year: int | None = None,
        loose: bool = False,
        region: str | None = None,
        generation: int | None = None,
    ) -> EventListing:
        """Events matching the filter. `region` (the person's): when the filter names no
        place, that region's upcoming events go first, the rest after, each soonest first."""
        wanted = EventFilter.read(topic, months, year, loose)
        # The store changed (an upload, a deletion, another process's import): the kept
        # lists go. `generation`: the caller read the counter for this question already.
        self._lists.at(generation if generation is not None else await self.store.generation())
        upcoming = [e for e in await self._events("from", today, 500) if wanted.matches(e)]
        past = [e for e in await self._events("before", today, 200) if wanted.matches(e)]
        planned = []
        if not months and year is None:
            planned = [e for e in await self._events("planned", today, 366) if wanted.matches(e)]
        label = " ".join(filter(None, [topic, _period_label(months, year)]))
        listing = EventListing(_unique(upcoming), _unique(past), label, _unique(planned))
        if region and not wanted.places:
            local = [e for e in listing.upcoming if region_of_place(e.place) == region]
            others = [e for e in listing.upcoming if region_of_place(e.place) != region]
            listing.upcoming, listing.region, listing.local = local + others, region, len(local)
        return listing

    async def _events(self, which: str, day: dt.date, limit: int) -> list[EventRow]:
        read: dict[str, Callable[[dt.date, int], Awaitable[list[EventRow]]]] = {
            "from": self.store.events_from,
            "before": self.store.events_before,
            "planned": self.store.planned_events,
        }
        return await self._lists.read((which, day, limit), lambda: read[which](day, limit))

    async def next_of_article(self, article_id: int, today: dt.date) -> EventListing | None:
        """What comes after the events an article reports: its upcoming and planned events
        («а следующая?» after news of a route of training sessions)."""
        own = await self.store.events_of_article(article_id)
        upcoming = [e for e in own if e.end >= today and e.status != "planned"]
        planned = [e for e in own if e.status == "planned"]
        if not upcoming and not planned:
            return None
        return EventListing(upcoming, [], "", planned)

    async def next_after(self, event: EventRow, today: dt.date) -> EventRow | None:
        """The next upcoming event of the same kind after `event` («а следующая?»)."""
        start = max(today, event.start)
        for other in await self.store.events_from(start, 500):
            if other.id != event.id and other.kind == event.kind and other.start > event.start:
                return other
        return None


def _period_label(months: tuple[int, ...], year: int | None) -> str:
    named = ", ".join(MONTHS_NOMINATIVE[m - 1] for m in months)
    return " ".join(filter(None, [named, f"{year} год" if year else ""]))


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
