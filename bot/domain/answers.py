"""What the bot answers, as data: the Telegram views decide how each kind looks.

`Answerer.answer` returns one of these; `bot.telegram.views.answers.render_answer` turns it
into text and buttons. Keeping them apart lets the local chat, `ask`, inline mode and the
eval read the same answer, and lets the wording change without touching the routing.

`DocRef` (defined with the rows in `bot.store.base`, since the index and the follow-up
context hold it too) names what an answer is about — an article, a service card or the
events just listed — wherever a reference travels.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar

from bot.domain.events import PAGE_SIZE, EventListing
from bot.store.base import ArticleRow, DocRef, EventRow


@dataclass(kw_only=True)
class Answer:
    """Common to every answer: what it was about (for the next «а когда?»), further matches
    to offer, and — for a message that reads as distress — the helpline line to lead with."""

    kind: ClassVar[str] = ""
    subject: DocRef | None = None
    more: list[tuple[DocRef, str]] = field(default_factory=list)  # (doc, title)
    lead: str | None = None


@dataclass(kw_only=True)
class CrisisAnswer(Answer):
    """112 and the helpline first (`urgent`, in the category's order), then kind words."""

    kind: ClassVar[str] = "crisis"
    urgent: list[str]
    words: list[str]


@dataclass(kw_only=True)
class SmallTalkAnswer(Answer):
    kind: ClassVar[str] = "smalltalk"
    text: str


@dataclass(kw_only=True)
class NotFound(Answer):
    kind: ClassVar[str] = "not_found"


@dataclass(kw_only=True)
class CardAnswer(Answer):
    """A service card; `focus` holds the facts that answer the question, when some do."""

    kind: ClassVar[str] = "card"
    card: dict
    focus: list[str] | None = None


@dataclass(kw_only=True)
class ArticleAnswer(Answer):
    kind: ClassVar[str] = "article"
    article: ArticleRow
    sentences: list[str]


@dataclass(kw_only=True)
class ArticleGone(Answer):
    """A button or a follow-up pointing at an article an admin has since deleted."""


@dataclass(kw_only=True)
class EventsAnswer(Answer):
    """A page of the events list: upcoming (or past) events from `offset`."""

    kind: ClassVar[str] = "events"
    listing: EventListing
    today: dt.date
    offset: int = 0
    past: bool = False

    @property
    def shown(self) -> list[EventRow]:
        events = self.listing.past if self.past else self.listing.upcoming
        return events[self.offset : self.offset + PAGE_SIZE]


@dataclass(kw_only=True)
class EventAnswer(Answer):
    """Events a follow-up asked about: one («а где?», «а следующая?») or the list again."""

    kind: ClassVar[str] = "event"
    events: list[EventRow]


@dataclass(kw_only=True)
class NoNextEvent(Answer):
    """«а следующая?» when nothing of that kind comes later."""

    kind: ClassVar[str] = "event"


@dataclass(kw_only=True)
class ServicesAnswer(Answer):
    """The /services overview: every card, one line each."""

    kind: ClassVar[str] = "services"
    cards: dict[str, dict]


def events_page(
    listing: EventListing, today: dt.date, offset: int = 0, past: bool = False
) -> EventsAnswer:
    """A page of the events list; its subject is the events shown, for «а где?»."""
    answer = EventsAnswer(listing=listing, today=today, offset=offset, past=past)
    if answer.shown:
        answer.subject = DocRef.events([e.id for e in answer.shown])
    return answer
