"""A person when the bot is not enough: conversations handed to the organisation's specialists.

The rules of a hand-off, without Telegram: who may open one (SUPPORT_CHAT_ID set), what the
person is told about who answers and when (SUPPORT_HOURS), one open conversation per chat,
its number («Обращение №N») as the only thing the specialists see of who wrote unless the
person shares a name, and the times the statistics need. Relaying the messages themselves
is `bot.telegram.support.SupportRelay`. Nothing of what is said is stored or logged.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.search.analysis import Message
from bot.store import Store
from bot.store.base import HandoffRow
from bot.text.morph import is_function_word

_HOURS = re.compile(r"^\s*(\d{1,2})(?::(\d\d))?\s*-\s*(\d{1,2})(?::(\d\d))?\s+(\S+)\s*$")


@dataclass(frozen=True)
class SupportHours:
    """When specialists answer: «9-18 Europe/Moscow», «9:30-17:45 Asia/Yekaterinburg»,
    every day (an organisation that keeps weekends off says so in its welcome text)."""

    start: dt.time
    end: dt.time
    tz: ZoneInfo

    @classmethod
    def parse(cls, text: str) -> SupportHours:
        m = _HOURS.match(text)
        if not m:
            raise ValueError("expected hours and a time zone, e.g. 9-18 Europe/Moscow")
        h1, m1, h2, m2, zone = m.groups()
        try:
            start = dt.time(int(h1), int(m1 or 0))
            end = dt.time(int(h2) % 24, int(m2 or 0)) if int(h2) != 24 else dt.time(23, 59)
        except ValueError:
            raise ValueError(f"{text!r}: hours are 0–24, minutes 0–59") from None
        if end <= start:
            raise ValueError(f"{text!r}: the end must come after the start")
        try:
            tz = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {zone!r} (e.g. Europe/Moscow)") from None
        return cls(start, end, tz)

    def is_open(self, now: dt.datetime) -> bool:
        local = now.astimezone(self.tz).time()
        return self.start <= local < self.end

    def next_opening(self, now: dt.datetime) -> dt.datetime:
        local = now.astimezone(self.tz)
        opening = local.replace(
            hour=self.start.hour, minute=self.start.minute, second=0, microsecond=0
        )
        return opening if opening > local else opening + dt.timedelta(days=1)


# What people write when they want a person rather than the bot. Lemmas, in order, with
# anything between: «хочу поговорить с живым человеком», «позовите оператора», «можно
# связаться со специалистом?», «соедините с психологом».
_ASK_VERBS = frozenset(
    {
        "поговорить",
        "говорить",
        "пообщаться",
        "связаться",
        "соединить",
        "позвать",
        "переключить",
        "написать",
        "нужный",
        "хотеть",
    }
)
_PEOPLE = frozenset({"человек", "оператор", "специалист", "психолог", "консультант", "сотрудник"})
# Words such a request may hold besides those: «можно», «пожалуйста», «живой», «срочно».
_REQUEST_WORDS = frozenset(
    {"живой", "можно", "пожалуйста", "нужно", "мочь", "срочно", "сейчас", "настоящий", "бот"}
)
MAX_REQUEST_WORDS = 10


def asks_for_person(message: Message) -> bool:
    """True for a short message asking to talk to a person: a verb of talking or wanting
    and a word for a person («хочу поговорить с психологом», «позовите оператора»), or a
    bare «оператор» / «живой человек». A message that names anything else («стажировка для
    психологов», «как связаться со специалистом семейного мфц») is a question for search."""
    lemmas = message.lemmas
    if not lemmas or len(lemmas) > MAX_REQUEST_WORDS:
        return False
    known = _ASK_VERBS | _PEOPLE | _REQUEST_WORDS
    if any(w not in known and not is_function_word(w) for w in lemmas):
        return False
    people = [i for i, w in enumerate(lemmas) if w in _PEOPLE]
    if not people:
        return False
    if len(lemmas) <= 2 and ("оператор" in lemmas or "живой" in lemmas):
        return True
    return any(w in _ASK_VERBS for w in lemmas[: people[-1]])


@dataclass(frozen=True)
class Opened:
    """What the person is told on asking: their conversation, and whether anyone is in now."""

    handoff: HandoffRow
    created: bool  # False: a conversation was already open
    open_now: bool  # within SUPPORT_HOURS (or no hours set)
    next_opening: dt.datetime | None  # when specialists are back, outside the hours
    hours: SupportHours | None


@dataclass(frozen=True)
class HandoffStats:
    opened: int
    answered: int
    median_first_reply_s: float | None


class HandoffDesk:
    """Opens, finds and closes conversations; the Telegram relay calls it for every message."""

    def __init__(
        self,
        store: Store,
        support_chat_id: int | None,
        hours: SupportHours | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.support_chat_id = support_chat_id
        self.hours = hours
        self.clock = clock
        # A topic is opened once per conversation even when two first messages arrive at
        # once: the relay holds the conversation's lock while it creates the topic.
        self._locks: dict[int, asyncio.Lock] = {}

    @property
    def enabled(self) -> bool:
        return self.support_chat_id is not None

    def lock(self, handoff_id: int) -> asyncio.Lock:
        return self._locks.setdefault(handoff_id, asyncio.Lock())

    async def open(self, chat_id: int) -> Opened:
        handoff, created = await self.store.open_handoff(chat_id, self.clock())
        now = dt.datetime.fromtimestamp(self.clock(), dt.UTC)
        open_now = self.hours is None or self.hours.is_open(now)
        upcoming = None if open_now or self.hours is None else self.hours.next_opening(now)
        return Opened(handoff, created, open_now, upcoming, self.hours)

    async def current(self, chat_id: int) -> HandoffRow | None:
        return await self.store.open_handoff_of(chat_id)

    async def by_thread(self, thread_id: int) -> HandoffRow | None:
        return await self.store.handoff_by_thread(thread_id)

    async def by_relayed_message(self, support_message_id: int) -> HandoffRow | None:
        return await self.store.handoff_by_message(support_message_id)

    async def get(self, handoff_id: int) -> HandoffRow | None:
        return await self.store.get_handoff(handoff_id)

    async def relayed(self, handoff: HandoffRow, support_message_id: int) -> None:
        """Remember which conversation a message in the support chat belongs to, so a reply
        to it reaches the right person."""
        await self.store.add_handoff_message(handoff.id, support_message_id)

    async def set_topic(self, handoff: HandoffRow, thread_id: int) -> None:
        await self.store.set_handoff_thread(handoff.id, thread_id)

    async def answered(self, handoff: HandoffRow) -> None:
        """A specialist's reply reached the person (the first one is timed for /stats)."""
        await self.store.mark_handoff_reply(handoff.id, self.clock())

    async def share_name(self, handoff: HandoffRow, name: str) -> None:
        await self.store.share_handoff_name(handoff.id, name)

    async def close(self, handoff: HandoffRow) -> bool:
        """End the conversation; False when it was already closed."""
        self._locks.pop(handoff.id, None)
        return await self.store.close_handoff(handoff.id, self.clock())

    async def stats(self, since: dt.datetime) -> HandoffStats:
        rows = await self.store.handoffs_since(since.timestamp())
        waits = [r.first_reply_at - r.opened_at for r in rows if r.first_reply_at is not None]
        median = statistics.median(waits) if waits else None
        return HandoffStats(len(rows), len(waits), median)
