"""Intent routing in front of search: crisis → small talk → follow-up → events → search.

Every door (free text, /search, the local chat, `ask`) calls `Answerer.answer`, which
returns data (`bot.domain.answers`) that the Telegram views render, so a
question gets the same reply wherever it is asked. The order is the order of what
matters: a child in distress first (and a message that only reads as distress still
leads with the helpline, whatever follows); «привет» and «спасибо» are not questions; a
short «а когда?» is about what the chat was just told; a question about dates, lists or
calendars of events gets the events list; everything else is searched. Every «не нашёл»
carries the helpline number.

Per chat, the subject of the last answer (an article, a card, an event) is kept in the
store for `CONTEXT_TTL` seconds, so follow-ups survive a restart; only the subject's id is
kept, never the person's words.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from bot.articles.dates import MONTHS_NOMINATIVE
from bot.articles.extract_events import specific_kind_names, trigger_lemmas
from bot.domain.answers import (
    Answer,
    ArticleAnswer,
    ArticleGone,
    CardAnswer,
    CrisisAnswer,
    DocRef,
    EventAnswer,
    NoNextEvent,
    NotFound,
    ServicesAnswer,
    SmallTalkAnswer,
    events_page,
)
from bot.domain.centres import CentreDirectory, CentresAnswer
from bot.domain.crisis import CrisisDetector, CrisisMatch
from bot.domain.distress import DistressScorer
from bot.domain.events import PAGE_SIZE, EventsService
from bot.domain.kept import KeptReads
from bot.domain.privacy import redact
from bot.domain.smalltalk import SmallTalkReader
from bot.domain.snippets import KEY_FACTS, aspect_score, best_sentences, focus_facts
from bot.search.analysis import Message
from bot.search.analyzer import AnalyzedQuery
from bot.search.engine import Hit, SearchEngine, SearchResult
from bot.store import Store
from bot.store.base import ArticleRow, ChatContext
from bot.text.morph import is_function_word, lemma
from bot.text.normalize import words

log = logging.getLogger(__name__)

CONTEXT_TTL = 15 * 60
# Articles scored within this share of the best one are told apart by what they answer.
CLOSE_SCORES = 0.9
FOLLOWUP_MAX_WORDS = 6

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
# «список мероприятий», «календарь мероприятий», «куда поехать на стажировку»
EVENT_LIST_WORDS = {
    "список",
    "календарь",
    "перечень",
    "афиша",
    "план",
    "планироваться",
    "запланировать",
    "куда",
    "предстоять",
}
# «будут ли ещё», «есть ли»: asking whether there will be more.
MORE_WORDS = {"еще", "ли"}
# Words of a message that tells of the past («что там было», «состоялось»): a long
# message of that kind asks about an article, not for the events list.
PAST_MARKERS = {
    "было",
    "был",
    "была",
    "были",
    "прошел",
    "прошла",
    "прошло",
    "прошли",
    "проходил",
    "проходила",
    "проходило",
    "проходили",
    "состоялся",
    "состоялась",
    "состоялось",
    "состоялись",
    "ездили",
    "ездил",
    "ездила",
    "прошедший",
    "прошедшие",
    "прошлый",
    "прошлые",
}
LONG_MESSAGE = 10
SEASONS = {"зима": (12, 1, 2), "весна": (3, 4, 5), "лето": (6, 7, 8), "осень": (9, 10, 11)}
MONTHS = {name: number for number, name in enumerate(MONTHS_NOMINATIVE, start=1)}
_YEAR = re.compile(r"^20\d\d$")
GENERIC_EVENT_WORDS = {"мероприятие", "событие"}
TRAVEL_WORDS = {"поехать", "съездить", "отправиться", "ехать", "поездка", "командировка"}
HAPPEN_WORDS = {
    "быть",
    "планироваться",
    "пройти",
    "проходить",
    "состояться",
    "ожидаться",
    "намечаться",
    "проводиться",
    "провести",
    "интересный",
}
# Words of an events question that are not its topic (the rest filter the list).
_NOT_TOPIC = (
    EVENT_QUESTION_WORDS
    | EVENT_LIST_WORDS
    | {
        "стажировочный",
        "площадка",
        "мероприятие",
        "событие",
        "пройти",
        "быть",
        "состояться",
        "проходить",
        "начаться",
        "специалист",
        "где",
        "планироваться",
        "мастер",
        "класс",
        "поехать",
        "съездить",
        "ехать",
        "отправиться",
        "год",
        "месяц",
        "дальше",
        "далее",
        "потом",
        "показать",
        "для",
        "соцработник",
        "социальный",
        "работник",
        "педагог",
        "психолог",
    }
)

# What a short follow-up asks about the last subject.
ASPECT_WORDS: dict[str, frozenset[str]] = {
    "when": frozenset({"когда", "дата", "срок", "время", "месяц", "день"}),
    "where": frozenset(
        {"где", "адрес", "место", "куда", "откуда", "город", "находиться", "располагаться"}
    ),
    "who": frozenset({"кто", "организатор", "организовать", "организовывать", "проводить", "чей"}),
    "count": frozenset({"сколько", "скока", "скоко", "количество", "цифра", "статистика"}),
}
NEXT_WORDS = frozenset({"следующий", "дальше", "потом", "следом", "далее", "еще"})
# Words a follow-up may hold besides aspects: pronouns for the subject and what one asks
# about a service or an event («а ночью работает?», «а это бесплатно?»).
FOLLOWUP_WORDS = (
    frozenset().union(*ASPECT_WORDS.values())
    | NEXT_WORDS
    | frozenset(
        {
            "а",
            "и",
            "ну",
            "там",
            "это",
            "он",
            "она",
            "они",
            "оно",
            "их",
            "его",
            "ее",
            "туда",
            "тот",
            "ночь",
            "ночью",
            "круглосуточно",
            "работать",
            "бесплатно",
            "бесплатный",
            "платно",
            "платный",
            "стоить",
            "стоимость",
            "телефон",
            "номер",
            "сайт",
            "ссылка",
            "записаться",
            "запись",
            "участвовать",
            "участие",
            "как",
            "какой",
            "можно",
            "час",
            "выходной",
            "суббота",
            "воскресенье",
            "итог",
            "тема",
            "подробно",
            "подробнее",
            "победитель",
            "участник",
            "программа",
            "быть",
            "проходить",
            "пройти",
            "будет",
            "был",
            "было",
            "тогда",
            "ли",
            "вообще",
            "начало",
            "начинаться",
            "начаться",
            "конец",
            "окончание",
            "заканчиваться",
            "длиться",
            "продолжаться",
            "заявка",
            "регистрация",
            "подать",
            "зарегистрироваться",
            "принимать",
            "прием",
            "срок",
        }
    )
)


@dataclass(frozen=True)
class EventsRequest:
    topic: str
    months: tuple[int, ...] = ()
    year: int | None = None
    past: bool = False


def happening_later(tokens: list[str]) -> bool:
    return bool({"будет", "будут", "планируется", "пройдет", "пройдут"} & set(tokens))


def asked_aspects(lemmas: list[str]) -> frozenset[str]:
    """What the question asks: who, when, where, how many. «число» is a date after «какой»
    («до какого числа») and a count otherwise («число центров»)."""
    present = set(lemmas)
    found = {a for a, vocabulary in ASPECT_WORDS.items() if present & vocabulary}
    for i, word in enumerate(lemmas):
        if word == "число":
            found.add("when" if i and lemmas[i - 1] == "какой" else "count")
    return frozenset(found)


@dataclass(frozen=True)
class EventWords:
    """Words of event questions that come from data/event_kinds.toml: read once, when the
    Answerer is built at start (never at import)."""

    kinds: frozenset[str]  # a word that names a kind of event («форум», «стажировочный»)
    filterable: frozenset[str]  # kinds that make a useful filter (`/events вебинар`)

    @classmethod
    def load(cls) -> EventWords:
        kinds = trigger_lemmas() | GENERIC_EVENT_WORDS | {"площадка"}
        return cls(frozenset(kinds), specific_kind_names())


def read_events_request(
    message: Message, stopwords: frozenset[str], vocabulary: EventWords
) -> EventsRequest | None:
    """An events question in everyday words, or None.

    A kind of event («стажировка», «мероприятие», «вебинар») together with a question of
    dates («когда», «ближайшие»), a list («список», «календарь», «какие»), a month or a
    year («в марте», «в 2027 году»), «куда», «будут ли ещё» — or a kind alone
    («вебинары»). What remains (a place, a specific kind) filters the list."""
    tokens, lemmas = message.tokens, message.lemmas
    present = set(lemmas)
    months = tuple(MONTHS[w] for w in lemmas if w in MONTHS) or next(
        (SEASONS[w] for w in lemmas if w in SEASONS), ()
    )
    year = next(
        (
            int(w)
            for i, w in enumerate(tokens)
            if _YEAR.match(w)
            and (
                (i > 0 and tokens[i - 1] in {"в", "во", "на", "за"})
                or (i + 1 < len(tokens) and tokens[i + 1] in {"год", "году", "года", "г"})
                or len(tokens) <= 3
            )
        ),
        None,
    )
    past = bool(set(tokens) & PAST_MARKERS)
    # «что будет в 2027 году», «что было в ноябре»: a period and a verb of happening.
    happening = bool((months or year) and present & HAPPEN_WORDS)
    # «куда съездить весной»: a trip for a specialist is an event to go to.
    travel = bool(present & TRAVEL_WORDS and present & {"куда", "где"})
    kind_words = vocabulary.kinds
    if not present & kind_words and not happening and not travel:
        return None
    if past and (len(tokens) > LONG_MESSAGE or not happening):
        # «когда прошла Профи-2025», a story about an event that happened: the article
        # that reports it answers (only «что было в ноябре» lists past events).
        return None
    informative = [
        w for w in lemmas if w not in stopwords and not is_function_word(w) and w not in _NOT_TOPIC
    ]
    bare = not [w for w in informative if w not in kind_words]
    short = len(informative) <= 4
    asks = (
        present & (EVENT_QUESTION_WORDS | EVENT_LIST_WORDS)
        or (short and present & GENERIC_EVENT_WORDS)
        or months
        or year
        or (present & {"быть", "есть"} and present & MORE_WORDS)
    )
    if not asks and not bare:
        return None
    topic = [
        w
        for w in lemmas
        if w in vocabulary.filterable
        or (
            w not in _NOT_TOPIC
            and w not in kind_words
            and w not in stopwords
            and w not in MONTHS
            and not _YEAR.match(w)
            and not is_function_word(w)
        )
    ]
    return EventsRequest(" ".join(topic), months, year, past and not happening_later(tokens))


def is_followup(message: Message, subject_words: frozenset[str] = frozenset()) -> bool:
    """A short message made of what one asks about a subject: «а когда?», «а где?»,
    «а сколько их?», «а ночью работает?». A message that starts with «а» may also name
    things the subject itself mentions («а сколько номинаций?» after an article about a
    contest); a full question has words of its own."""
    tokens, lemmas = message.tokens, message.lemmas
    if not tokens or len(tokens) > FOLLOWUP_MAX_WORDS:
        return False
    own = [
        w
        for w, t in zip(lemmas, tokens, strict=True)
        if w not in FOLLOWUP_WORDS and t not in FOLLOWUP_WORDS and not is_function_word(t)
    ]
    if not any(w not in {"а", "и", "ну", "ли"} for w in lemmas):
        return False
    if not own:
        return True
    starts = tokens[0] in {"а", "и"}
    return starts and len(own) <= 2 and all(w in subject_words for w in own)


class Answerer:
    def __init__(
        self,
        store: Store,
        search: SearchEngine,
        crisis: CrisisDetector,
        events: EventsService,
        today: Callable[[], dt.date],
        smalltalk: SmallTalkReader,
        clock: Callable[[], float] = time.time,
        distress: DistressScorer | None = None,
        centres: CentreDirectory | None = None,
        context: ChatContext | None = None,
    ) -> None:
        self.store = store
        # The follow-up context: the store's table, or Redis when workers share it.
        self.context: ChatContext = context if context is not None else store
        self.search = search
        self.crisis = crisis
        self.events = events
        self.today = today
        self.smalltalk = smalltalk
        self.clock = clock
        self.distress = distress
        self.event_words = EventWords.load()
        # The directory of centres (/centres): «где ближайший семейный мфц».
        self.centres = centres if centres is not None else CentreDirectory(store)
        # Articles and cards kept between questions while the content does not change.
        self.kept = KeptReads(store)

    async def answer(
        self, text: str | Message, chat_id: int | None = None, log_query: bool = True
    ) -> Answer:
        """`text` may come already read (`Message`): the Telegram layer reads a person's
        message once, and the hand-off check before the search reads the same lemmas."""
        message = text if isinstance(text, Message) else Message(text.strip())
        # The crisis check reads the message its own ways too (as typed, re-typed on the
        # Russian layout, read back from transliteration) with the same tokenizer and
        # morphology cache; its spelling repair aims at lexicon forms, not index terms.
        found = self.crisis.assess(message.text)
        if found.match is not None:
            return await self._crisis(found.match)
        distressed = found.soft or (
            self.distress is not None and self.distress.reads_as_distress(found.readings)
        )
        answer = await self._answer(message, chat_id, log_query and not distressed)
        if distressed and isinstance(answer, NotFound | SmallTalkAnswer):
            # Reads as distress and nothing else answers it: the plea wording, helpline first,
            # never «не нашёл».
            return await self._crisis(CrisisMatch("plea", "distress", ""))
        if distressed:
            # Reads as distress without being a crisis: the helpline leads, whatever follows.
            answer.lead = self.crisis.reply["soft"]
        if chat_id is not None and answer.subject:
            await self.context.save_context(chat_id, str(answer.subject), self.clock())
        return answer

    async def crisis_reply(self, text: str) -> CrisisAnswer | None:
        """The crisis answer when `text` is a crisis message (counted, never stored), else
        None: for messages that are not questions, such as those relayed to a specialist."""
        found = self.crisis.assess(text.strip())
        return None if found.match is None else await self._crisis(found.match)

    async def _crisis(self, match: CrisisMatch) -> CrisisAnswer:
        # Privacy: a crisis message is counted, never stored as text.
        await self.store.count_crisis(self.today())
        return crisis_answer(self.crisis, match)

    async def _answer(self, message: Message, chat_id: int | None, log_query: bool) -> Answer:
        text = message.text
        small = self.smalltalk.read(text)
        if small is not None:
            return SmallTalkAnswer(text=small.reply)
        # The store's change counter, read once for the whole answer: the search reloads its
        # vocabulary, and the kept articles and event lists are forgotten, when it moved.
        generation = await self.search.ensure_current()
        self.kept.at(generation)
        tokens = message.tokens
        subject = None
        if chat_id is not None:
            subject = DocRef.parse(
                await self.context.load_context(chat_id, self.clock() - CONTEXT_TTL)
            )
        # The subject's words are read only for a message short enough to be a follow-up.
        if (
            subject
            and len(tokens) <= FOLLOWUP_MAX_WORDS
            and is_followup(message, await self.subject_words(subject))
        ):
            answer = await self.about_subject(subject, message)
            if answer is not None:
                return answer
        centres = await self.where_is_centre(message, chat_id, log_query)
        if centres is not None:
            return centres
        request = read_events_request(
            message, self.search.analyzer.vocab.stopwords, self.event_words
        )
        if request is not None:
            # The person's region (when they told it) goes first in the list.
            region = await self.store.chat_region(chat_id) if chat_id is not None else None
            listing = await self.events.listing(
                self.today(),
                request.topic,
                request.months,
                request.year,
                True,
                region,
                generation=generation,
            )
            if listing.upcoming or listing.past or listing.planned or not request.topic:
                if log_query:
                    await self.store.log_query(
                        redact(text), "events", bool(listing.upcoming or listing.past)
                    )
                past = request.past and bool(listing.past)
                return events_page(listing, self.today(), offset=0, past=past)
            # No event on that topic: perhaps an article answers it (or an honest «не нашёл»).
        result = await self.search.search(message, current=True)
        if log_query:
            await self.store.log_query(redact(text), "search", result.found)
        if not result.found:
            if subject and len(tokens) <= 4 and tokens and tokens[0] in {"а", "и"}:
                answer = await self.about_subject(subject, message)
                if answer is not None:
                    return answer
            card = await self.card_by_topic(message)
            if card is not None:
                return await self._document(card, result)
            small = self.smalltalk.read(text, lenient=True)
            if small is not None:
                return SmallTalkAnswer(text=small.reply)
            return NotFound()
        hits = await self._fit_the_question(result, message)
        answer = await self._document(hits[0].doc, result)
        others = [h.doc for h in hits[1:4]]
        if others:
            titles = await self.titles(others)
            answer.more = [(d, titles[d]) for d in others if d in titles]
        return answer

    async def where_is_centre(
        self, message: Message, chat_id: int | None, log_query: bool
    ) -> CentresAnswer | None:
        """«где ближайший семейный мфц», «адрес кцсон в Тюмени»: the directory's centres in
        the place the question names, else in the region the person saved; None for any
        other question. Only uploaded rows are ever shown (bot.domain.centres)."""
        request = await self.centres.read_question(message)
        if request is None:
            return None
        region, from_chat = request.region, False
        if region is None and chat_id is not None:
            region = await self.store.chat_region(chat_id)
            from_chat = region is not None
        answer = await self.centres.find(request, region, from_chat)
        if log_query:
            await self.store.log_query(redact(message.text), "centres", bool(answer.centres))
        return answer

    async def _fit_the_question(self, result: SearchResult, message: Message) -> list[Hit]:
        """Among articles scored almost alike (within CLOSE_SCORES), the one whose best
        sentence answers what was asked — who, where, how many — goes first: «откуда были
        участники стажировки в Тюмени» wants the article that lists the cities."""
        hits = list(result.hits)
        aspects = asked_aspects(message.lemmas) - {"when"}
        if not aspects or hits[0].doc.is_card:
            return hits
        close = [
            h for h in hits[:3] if not h.doc.is_card and h.score >= hits[0].score * CLOSE_SCORES
        ]
        if len(close) < 2:
            return hits
        best, best_fit = hits[0], -1.0
        for hit in close:
            article = await self.kept.article(hit.doc.article_id or 0)
            if article is None:
                continue
            sentences = best_sentences(
                article.body,
                result.query,
                self.search.analyzer.idf,
                limit=1,
                aspects=aspects,
                title=article.title,
            )
            fit = aspect_score(sentences[0], aspects) if sentences else 0.0
            if fit > best_fit:
                best, best_fit = hit, fit
        return [best, *[h for h in hits if h is not best]]

    async def subject_words(self, subject: DocRef) -> frozenset[str]:
        """Lemmas of the subject's text, to tell «а сколько номинаций?» (about it) from «а
        сколько семейных мфц?» (a new question)."""
        text = ""
        if subject.kind == "a" and subject.article_id is not None:
            article = await self.kept.article(subject.article_id)
            text = f"{article.title} {article.body}" if article else ""
        elif subject.kind == "c":
            card = (await self.kept.cards()).get(subject.key)
            if card:
                text = " ".join(
                    [card["summary"], *card.get("facts", []), *card.get("fact_about", [])]
                )
        elif subject.kind == "e" and subject.event_ids:
            event = await self.store.get_event(subject.event_ids[0])
            article = await self.kept.article(event.article_id) if event else None
            text = f"{article.title} {article.body}" if article else ""
        return text_lemmas(text)

    async def card_by_topic(self, message: Message) -> DocRef | None:
        """The card whose `topics` the message names («пособие», «льготы»): a question on
        a service's subject that the search could not match word for word."""
        seq = message.lemmas
        padded = f" {' '.join(seq)} "
        for card_id, card in (await self.kept.cards()).items():
            for topic in card.get("topics", []):
                phrase = " ".join(lemma(w) for w in words(topic))
                if phrase and f" {phrase} " in padded:
                    return DocRef.card(card_id)
        return None

    # ---- follow-ups ---------------------------------------------------------------------
    async def about_subject(self, subject: DocRef, message: Message) -> Answer | None:
        """Answer a follow-up about the chat's last subject; None if it is gone."""
        lemmas = message.lemmas
        query = self.search.analyze(message)
        if subject.kind == "e":
            return await self._about_events(subject.event_ids, lemmas, query)
        result = SearchResult(query=query, hits=[], found=True)
        if subject.kind == "c":
            return await self._document(subject, result, followup=True)
        if subject.article_id is not None:
            article = await self.kept.article(subject.article_id)
            if article is None:
                return None
            if set(lemmas) & NEXT_WORDS:
                later = await self.events.next_of_article(article.id, self.today())
                if later:
                    return events_page(later, self.today())
            return self._article_followup(article, query, lemmas)
        return None

    def _article_followup(
        self, article: ArticleRow, query: AnalyzedQuery, lemmas: list[str]
    ) -> ArticleAnswer:
        aspects = asked_aspects(lemmas)
        if not aspects and not query.terms:
            aspects = KEY_FACTS
        sentences = best_sentences(
            article.body,
            query,
            self.search.analyzer.idf,
            limit=2,
            aspects=aspects,
            title=article.title,
        )
        return ArticleAnswer(
            article=article, sentences=sentences, subject=DocRef.article(article.id)
        )

    async def _about_events(
        self, ids: list[int], lemmas: list[str], query: AnalyzedQuery
    ) -> Answer | None:
        """«а где?», «а когда?» about the events just listed; «а следующая?» for the next
        one; anything else («а сколько мест?») from the article that announced them."""
        events = [e for e in [await self.store.get_event(i) for i in ids[:PAGE_SIZE]] if e]
        if not events:
            return None
        if set(lemmas) & NEXT_WORDS:
            later = await self.events.next_after(events[-1], self.today())
            if later is None:
                return NoNextEvent(subject=DocRef.events([events[-1].id]))
            return EventAnswer(events=[later], subject=DocRef.events([later.id]))
        asked = asked_aspects(lemmas)
        content = [t for t in query.terms if not set(t.lemmas) <= FOLLOWUP_WORDS]
        one_article = len({e.article_id for e in events}) == 1
        if one_article and (content or asked - {"when", "where"}):
            article = await self.kept.article(events[0].article_id)
            if article is not None:
                return self._article_followup(article, query, lemmas)
        return EventAnswer(events=events, subject=DocRef.events([e.id for e in events]))

    # ---- documents ----------------------------------------------------------------------
    async def document(
        self, doc: DocRef, result: SearchResult | None = None, followup: bool = False
    ) -> Answer:
        """A card or an article (a button's), as the store has it now."""
        await self.kept.current()
        return await self._document(doc, result, followup)

    async def _document(
        self, doc: DocRef, result: SearchResult | None = None, followup: bool = False
    ) -> Answer:
        """A card or an article; with a search result, focused on what was asked."""
        if doc.kind == "c":
            card = (await self.kept.cards()).get(doc.key)
            if card is None:
                return NotFound()
            focus = None
            if result is not None:
                focus = focus_facts(card, result.query, self.search.analyzer.idf)
                if not focus and followup and result.query.wants_number:
                    focus = [f for f in card.get("facts", []) if re.search(r"\d", f)][:2]
            return CardAnswer(card=card, focus=focus, subject=doc)
        if doc.article_id is None:
            return NotFound()
        article = await self.kept.article(doc.article_id)
        if article is None:
            return ArticleGone()
        if result is not None:
            query = result.query
            names_only = _names_only(query, article.title)
            aspects = asked_aspects([lemma(w) for w in words(query.text)])
            if names_only:
                aspects |= KEY_FACTS
            sentences = best_sentences(
                article.body, query, self.search.analyzer.idf, aspects=aspects, title=article.title
            )
        else:
            sentences = [article.summary] if article.summary else []
        return ArticleAnswer(article=article, sentences=sentences, subject=doc)

    async def share(self, query: str, limit: int) -> list[tuple[str, Answer]]:
        """Inline mode: (title, answer) of the documents matching `query`, the main cards
        when it is empty. No follow-up context, no query log: the person is choosing what
        to share in another chat, not asking us."""
        query = query.strip()
        # One read of the change counter for the search and the kept articles, as an answer.
        self.kept.at(await self.search.ensure_current())
        if not query:
            docs = [DocRef.card(c) for c in ("helpline", "mfc", "emergency")]
        else:
            result = await self.search.search(query, limit=limit, current=True)
            docs = [h.doc for h in result.hits] if result.found else []
        titles = await self.titles(docs)
        return [(titles.get(d, "Материал"), await self._document(d)) for d in docs[:limit]]

    async def services(self) -> ServicesAnswer:
        await self.kept.current()
        return ServicesAnswer(cards=await self.kept.cards())

    async def titles(self, docs: list[DocRef]) -> dict[DocRef, str]:
        out: dict[DocRef, str] = {}
        cards = None
        ids = [d.article_id for d in docs if d.article_id is not None]
        articles = await self.kept.articles(ids)
        for d in docs:
            if d.article_id is not None and d.article_id in articles:
                out[d] = articles[d.article_id].title
            elif d.is_card:
                cards = cards if cards is not None else await self.kept.cards()
                if d.key in cards:
                    out[d] = cards[d.key]["title"]
        return out


@lru_cache(maxsize=1024)
def text_lemmas(text: str) -> frozenset[str]:
    """The lemmas of a subject's whole text, kept: every short message in a conversation
    about one article is checked against them."""
    return frozenset(lemma(w) for w in words(text))


def crisis_answer(detector: CrisisDetector, match: CrisisMatch) -> CrisisAnswer:
    """The two numbers first, in the order the category asks for (a threat to life leads
    with 112, despair and bullying with the helpline); then the category's own words, for
    a child («ты») or for an adult writing about a child («вы»)."""
    wording = detector.reply
    category = detector.category(match.category)
    adult = match.adult
    urgent = [
        wording["danger_adult" if adult else "danger"],
        wording["helpline_adult" if adult else "helpline"],
    ]
    if category is not None and category.lead == "helpline":
        urgent.reverse()
    said = []
    if category is not None:
        said.append(category.reply_adult if adult else category.reply)
    if not adult:
        said.append(wording["adult"])
    return CrisisAnswer(urgent=urgent, words=said)


def _names_only(query: AnalyzedQuery, title: str) -> bool:
    """True when every asked term is a word of the title: the question only names the
    article («Профи-2025»), so the answer is its key facts."""
    title_lemmas = {lemma(w) for w in words(title)}
    terms = [t for t in query.terms if not t.story]
    return bool(terms) and all(
        any(all(w in title_lemmas for w in alt.split()) for alt in t.lemmas) for t in terms
    )
