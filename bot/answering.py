"""Intent routing in front of search: crisis → events question → service → article.

Every door (free text, /search, the local chat, `ask`) calls `Answerer.answer`, so a
question gets the same reply wherever it is asked.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from bot.articles.events import specific_kind_names, trigger_lemmas
from bot.crisis import CrisisDetector
from bot.events import EventsService
from bot.render_crisis import render_crisis
from bot.render_events import render_events
from bot.replies import Reply, more_buttons, render_article, render_card, render_not_found
from bot.search.engine import SearchEngine, SearchResult
from bot.snippets import best_sentences, focus_facts
from bot.store import Store
from bot.text.morph import lemma
from bot.text.normalize import words

log = logging.getLogger(__name__)

EVENT_QUESTION_WORDS = {
    "когда",
    "дата",
    "ближайший",
    "близкий",
    "следующий",
    "очередной",
    "скоро",
    "расписание",
    "график",
    "предстоящий",
    "анонс",
    "будущий",
}
EVENT_KIND_WORDS = trigger_lemmas() | {"мероприятие", "событие"}
FILTERABLE_KINDS = specific_kind_names()
# Words of a date question that are not its topic (the rest filter the list).
_NOT_TOPIC = EVENT_QUESTION_WORDS | {
    "стажировочный",
    "площадка",
    "мероприятие",
    "событие",
    "пройти",
    "быть",
    "состояться",
    "проходить",
    "начаться",
    "в",
    "во",
    "на",
    "по",
    "для",
    "специалист",
    "какой",
    "где",
    "и",
    "у",
    "нас",
    "будет",
    "планироваться",
    "мастер",
    "класс",
}


class Answerer:
    def __init__(
        self,
        store: Store,
        search: SearchEngine,
        crisis: CrisisDetector,
        events: EventsService,
        today: Callable[[], dt.date],
    ) -> None:
        self.store = store
        self.search = search
        self.crisis = crisis
        self.events = events
        self.today = today

    async def answer(self, text: str, log_query: bool = True) -> Reply:
        text = text.strip()
        match = self.crisis.detect(text)
        if match is not None:
            # Privacy: a crisis message is counted, never stored as text.
            await self.store.count_crisis(self.today())
            return render_crisis(self.crisis)
        lemmas = [lemma(w) for w in words(text)]
        if is_events_question(lemmas):
            stop = self.search.analyzer.vocab.stopwords
            topic = [
                w
                for w in lemmas
                if w in FILTERABLE_KINDS
                or (w not in _NOT_TOPIC and w not in EVENT_KIND_WORDS and w not in stop)
            ]
            listing = await self.events.listing(self.today(), " ".join(topic))
            if listing.upcoming or listing.past or not topic:
                if log_query:
                    await self.store.log_query(
                        text, "events", bool(listing.upcoming or listing.past)
                    )
                return render_events(listing, self.today(), offset=0)
            # No event on that topic: perhaps an article answers it (or an honest «не нашёл»).
        result = await self.search.search(text)
        if log_query:
            await self.store.log_query(text, "search", result.found)
        if not result.found:
            return render_not_found()
        best = result.hits[0]
        reply = await self.render_doc(best.doc, result)
        others = [h.doc for h in result.hits[1:4]]
        if others:
            titles = await self.titles(others)
            reply.buttons.extend(more_buttons([(d, titles[d]) for d in others if d in titles]))
        return reply

    async def render_doc(self, doc: str, result: SearchResult | None = None) -> Reply:
        """A card or an article; with a search result, focused on what was asked."""
        kind, ref = doc.split(":", 1)
        if kind == "c":
            card = (await self.store.get_cards()).get(ref)
            if card is None:
                return render_not_found()
            idf = self.search.analyzer.idf
            return render_card(card, focus_facts(card, result.query, idf) if result else None)
        if not ref.isdigit():
            return render_not_found()
        article = await self.store.get_article(int(ref))
        if article is None:
            return Reply("Эта статья удалена или её нет в базе.")
        if result is not None:
            sentences = best_sentences(article.body, result.query, self.search.analyzer.idf)
        else:
            sentences = [article.summary] if article.summary else []
        return render_article(
            article.title,
            article.published,
            sentences,
            article.source_url,
            article.id,
            article.source_name,
        )

    async def titles(self, docs: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        cards = None
        ids = [int(d[2:]) for d in docs if d.startswith("a:")]
        articles = await self.store.get_articles(ids)
        for d in docs:
            if d.startswith("a:") and int(d[2:]) in articles:
                out[d] = articles[int(d[2:])].title
            elif d.startswith("c:"):
                cards = cards if cards is not None else await self.store.get_cards()
                if d[2:] in cards:
                    out[d] = cards[d[2:]]["title"]
        return out


def is_events_question(lemmas: list[str]) -> bool:
    """«когда / ближайшие / даты» together with a kind of event."""
    present = set(lemmas)
    return bool(present & EVENT_QUESTION_WORDS) and bool(present & EVENT_KIND_WORDS)
