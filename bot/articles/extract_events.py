"""Events (trainings, forums, contests…) stated in an article, with their dates and place.

Why rules and not a model: the articles are few, the sentences formulaic («С 23 по 25
октября специалисты встретятся в Тюмени»), and every decision must be explainable to the
specialist who sees the event in `/events`. The rules, in the order they apply:

* A sentence makes an event when it has a date (``find_dates``) and an event kind — a
  trigger lemma from ``data/event_kinds.toml`` in the sentence, else in one of the three
  sentences before it, else in the title (seed 001: «С 23 по 25 октября специалисты
  встретятся в Тюмени снова.» follows a paragraph about the стажировочная площадка).
  A specific kind in the sentence beats a generic one («мероприятие», «обучение»).
* Years come from the publication date; when it is unknown, from the first date in the
  article that has its year written. A date whose year cannot be known gives no event
  (seed 001 has neither: no events), and an event with no date at all is not returned
  (seed 003's forum in Великий Новгород) — ``/events`` lists dated events only.
* Exception, the undated report: when an article yields no dated event but reports one as
  done («состоялось», «прошёл», «подвели итоги», «вручены»), and the publication date is
  known, the first such sentence gives one event dated the publication day, status report
  (seeds 000 and 002: news written the day it happened).
* «до 18 октября» is the end of something that has begun: it extends the last event of the
  same kind that «начала работу» (seed 004: 16 October + «будет работать до 18 октября» →
  16–18 October), or, when its own sentence says it runs («будет работать», «продлится»),
  starts on the publication day. A bound with neither is a deadline, not an event.
* «трёхдневная … завершилась 18 октября» → 16–18 October; «трёхдневный … пройдёт 5 мая»
  → 5–7 May.
* Status: report when the event ended before publication; otherwise the tense marker
  nearest to the date decides (past → report, future → announce); with no marker, announce.
* Place: the place nearest to the date in the sentence, venues («в Тюмени») before origins
  («из Калининграда»); else the previous sentence, the title, the article's first place.
* Identical events (same kind, dates and place) are returned once — scraped pages repeat
  paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import cache, lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Literal

from bot.articles.dates import DateMention, find_dates
from bot.articles.places import find_places, find_places_with_spans
from bot.articles.sentences import memoised, sentenize
from bot.datafile import EventKindsSpec, data_path, read_data
from bot.text import morph
from bot.text.morph import lemma
from bot.text.normalize import normalize, words

# «planned»: named as a next stop with no date yet («далее в маршрутном графике —
# Краснодарский край»); stored with the article's date and shown as «даты уточняются».
Status = Literal["announce", "report", "planned"]
# A sentence that names where the series goes next.
_NEXT_STOP = re.compile(
    r"(?<![а-я])(?:далее|следующ|затем|в дальнейшем|в планах|планиру|маршрутн|предстоит|впереди)"
)

_TOKEN_RE = re.compile(r"[0-9A-Za-zА-Яа-яЁё]+")


def _markers(*forms: str) -> re.Pattern[str]:
    return re.compile(r"(?<![а-я])(?:" + "|".join(forms) + r")(?![а-я])")


# Matched on normalised text (lower case, ё → е).
_PAST = _markers(
    r"состоял(?:ся|ась|ось|ись)",
    r"прош(?:ел|ла|ло|ли)",
    r"заверш(?:ил|ила|ило|или)(?:ся|сь)?",
    r"заверш(?:ен|ена|ено|ены)",
    r"закончил(?:ся|ась|ось|ись)",
    r"подвел[аи]? итоги",
    r"подведены итоги",
    r"вручен[аоы]?",
    r"вручил[аи]?",
    r"наградил[аи]?",
    r"награждены",
    r"провел[аи]?",
    r"проведен[аоы]?",
    r"собрал[аи]?",
    r"открыл(?:ся|ась|ось|ись)",
    r"принял[аи]? участие",
    r"участвовал[аи]?",
    r"обсудили",
    r"поделились",
    r"подвели",
)
_FUTURE = _markers(
    r"пройд(?:ет|ут)",
    r"состоит(?:ся)",
    r"состоятся",
    r"будет",
    r"будут",
    r"встрет(?:ится|ятся)",
    r"откро(?:ется|ются)",
    r"планиру(?:ется|ются|ет|ем)",
    r"запланирован[аоы]?",
    r"старту(?:ет|ют)",
    r"начн(?:ется|утся|ет)",
    r"продл(?:ится|ятся)",
    r"продолж(?:ится|атся)",
    r"приглаша(?:ет|ем|ют)",
    r"прим(?:ет|ут) участие",
    r"посетят",
    r"собер(?:ет|ут)",
)
# «It has begun / it runs»: what a bound «до 18 октября» needs to be an event's end.
_STARTED = _markers(
    r"начал[аио]? работу",
    r"начал[аио]?сь",
    r"стартовал[аио]?",
    r"открыл[аио]?сь",
    r"работает",
    r"будет работать",
    r"продл(?:ится|ятся)",
    r"продолж(?:ится|атся)",
    r"проходит",
    r"проходят",
)
_FINISHED = _markers(r"заверш(?:ил|ила|ило|или)(?:ся|сь)?", r"закончил(?:ся|ась|ось|ись)")
_DURATION = re.compile(
    r"(?<![а-я])(одно|двух|трех|четырех|пяти|шести|семи|восьми|девяти|десяти)дневн"
)
_DURATION_DAYS = {
    "одно": 1,
    "двух": 2,
    "трех": 3,
    "четырех": 4,
    "пяти": 5,
    "шести": 6,
    "семи": 7,
    "восьми": 8,
    "девяти": 9,
    "десяти": 10,
}
_VENUE_PREPS = {"в", "во", "на"}
_QUOTED = re.compile(r"«([^«»]{1,80})»")
# A bound in a sentence about applications is a deadline, whatever verb it uses.
_DEADLINE = re.compile(r"(?<![а-я])(?:заявк|регистрац|прием|подач|зарегистр)")
# A quoted name longer than this is a programme title, too long for an event title.
_MAX_NAME_WORDS = 6


@dataclass(frozen=True, slots=True)
class ExtractedEvent:
    """An event as the article states it; ``sentence`` is the evidence shown to users."""

    kind: str
    title: str
    start: date
    end: date
    time: time | None
    place: str | None
    sentence: str
    status: Status


# ---------------------------------------------------------------- kinds


@dataclass(frozen=True, slots=True)
class _Kind:
    name: str
    title: str
    generic: bool


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    triggers: dict[tuple[str, ...], _Kind]
    max_len: int
    by_name: dict[str, _Kind]
    first_lemmas: frozenset[str] = frozenset()  # the first word of every trigger


def _vocabulary(path: Path | None = None) -> _Vocabulary:
    """The kinds of event from ``event_kinds.toml`` in DATA_DIR (validated; cached)."""
    return _load_vocabulary(path or data_path("event_kinds.toml"))


@cache
def _load_vocabulary(path: Path) -> _Vocabulary:
    data = read_data(path, EventKindsSpec)
    triggers: dict[tuple[str, ...], _Kind] = {}
    by_name: dict[str, _Kind] = {}
    for entry in data.get("kind", []):
        kind = _Kind(
            entry["name"],
            entry.get("title", entry["name"].capitalize()),
            bool(entry.get("generic", False)),
        )
        by_name[kind.name] = kind
        for phrase in entry.get("triggers", []):
            key = tuple(lemma(w) for w in words(phrase))
            if key:
                triggers.setdefault(key, kind)
    return _Vocabulary(
        triggers,
        max((len(k) for k in triggers), default=1),
        by_name,
        frozenset(key[0] for key in triggers),
    )


def kind_title(name: str) -> str:
    """How a kind is shown to people («мастер-класс» → «Мастер-класс»), from event_kinds.toml."""
    kind = _vocabulary().by_name.get(name)
    return kind.title if kind else name.capitalize()


def specific_kind_names() -> frozenset[str]:
    """Kind names that make a useful filter (`/events вебинар`); catch-alls excluded."""
    return frozenset(k.name for k in _vocabulary().by_name.values() if not k.generic)


def trigger_lemmas() -> frozenset[str]:
    """One-word triggers («стажировочный», «форум»): a word alone names a kind of event.

    Parts of phrases («стол» of «круглый стол») are left out: alone they mean other things.
    """
    return frozenset(phrase[0] for phrase in _vocabulary().triggers if len(phrase) == 1)


# ---------------------------------------------------------------- sentences


@dataclass(slots=True)
class _Tok:
    text: str
    lemma: str
    start: int
    end: int


@dataclass(slots=True)
class _Trigger:
    kind: _Kind
    first: int  # token indexes, end exclusive
    last: int
    start: int  # characters
    end: int


@dataclass(slots=True)
class _Sentence:
    text: str
    norm: str
    tokens: list[_Tok]
    triggers: list[_Trigger]


@lru_cache(maxsize=200_000)
def _token_lemma(word: str) -> str:
    """The lemma of a word as written (one dictionary look-up for its every repetition)."""
    return lemma(normalize(word))


def _sentence(text: str, vocab: _Vocabulary) -> _Sentence:
    toks = [
        _Tok(m.group(), _token_lemma(m.group()), m.start(), m.end())
        for m in _TOKEN_RE.finditer(text)
    ]
    triggers: list[_Trigger] = []
    firsts = vocab.first_lemmas
    i = 0
    while i < len(toks):
        if toks[i].lemma not in firsts:  # no trigger starts with this word
            i += 1
            continue
        for n in range(min(vocab.max_len, len(toks) - i), 0, -1):
            kind = vocab.triggers.get(tuple(t.lemma for t in toks[i : i + n]))
            if kind:
                triggers.append(_Trigger(kind, i, i + n, toks[i].start, toks[i + n - 1].end))
                i += n
                break
        else:
            i += 1
    return _Sentence(text, normalize(text), toks, triggers)


def _split(text: str, vocab: _Vocabulary) -> list[_Sentence]:
    out: list[_Sentence] = []
    for line in text.splitlines():
        if line.strip():
            out.extend(_sentence(s.text, vocab) for s in sentenize(line))
    return out


def _pick_trigger(triggers: list[_Trigger], near: int | None) -> _Trigger | None:
    """A specific kind over a generic one; then the trigger nearest ``near`` (or the last)."""
    if not triggers:
        return None
    specific = [t for t in triggers if not t.kind.generic] or triggers
    if near is None:
        return specific[-1]
    return min(specific, key=lambda t: min(abs(t.start - near), abs(t.end - near)))


# ---------------------------------------------------------------- titles


def _nominative(tokens: list[_Tok]) -> str:
    """«стажировочной площадки» → «стажировочная площадка»: adjectives agree with the noun."""
    return _nominative_words(tuple(normalize(t.text) for t in tokens))


@lru_cache(maxsize=20_000)
def _nominative_words(words: tuple[str, ...]) -> str:
    """``_nominative`` of the normalised words (the same head phrases recur: inflecting
    them is pymorphy3's slowest call)."""
    noun_at, noun = None, None
    for i in range(len(words) - 1, -1, -1):
        noun = next((p for p in morph.parses(words[i]) if p.tag.POS == "NOUN"), None)
        if noun is not None:
            noun_at = i
            break
    gender = noun.tag.gender if noun is not None else None
    out = []
    for i, word in enumerate(words):
        form = None
        if noun is not None and i == noun_at:
            form = noun.inflect({"nomn", "sing"}) or noun.inflect({"nomn"})
        elif noun_at is None or i < noun_at:
            adj = next((p for p in morph.parses(word) if p.tag.POS == "ADJF"), None)
            if adj is not None:
                form = adj.inflect({"nomn", "sing", gender} if gender else {"nomn", "sing"})
        out.append(form.word if form else word)
    return " ".join(out)


def _head(sentence: _Sentence, trig: _Trigger) -> tuple[str, int]:
    """The event's head phrase in the nominative, and the index of the token after it."""
    toks = sentence.tokens[trig.first : trig.last]
    nxt = trig.last
    last = morph.parses(normalize(toks[-1].text))[0]
    if last.tag.POS == "ADJF" and nxt < len(sentence.tokens):
        follower = morph.parses(normalize(sentence.tokens[nxt].text))[0]
        if follower.tag.POS == "NOUN":
            toks = [*toks, sentence.tokens[nxt]]
            nxt += 1
    phrase = _nominative(toks)
    # Keep the hyphen of «мастер-класс».
    for a, b in pairwise(toks):
        if sentence.text[a.end : b.start] == "-":
            phrase = phrase.replace(f"{normalize(a.text)} ", f"{normalize(a.text)}-", 1)
    return phrase[:1].upper() + phrase[1:], nxt


def _quoted_after(sentence: _Sentence, end_char: int) -> str | None:
    """A short «name» right after the head: «форума «Профи-2025»», «форум специалистов по
    поддержке семей «Семья и дети»» (at most four words, no punctuation, in between)."""
    m = _QUOTED.search(sentence.text, end_char)
    if not m:
        return None
    between = sentence.text[end_char : m.start()]
    name = m.group(1).strip()
    if (
        len(between.split()) > 4
        or re.search(r"[^\w\s-]", between)
        or len(name.split()) > _MAX_NAME_WORDS
    ):
        return None
    return name


def _genitive_tail(sentence: _Sentence, i: int, end_char: int) -> str:
    """«конкурса профессионального мастерства» → «профессионального мастерства»."""
    tail: list[str] = []
    pos = end_char
    for t in sentence.tokens[i : i + 3]:
        if sentence.text[pos : t.start].strip() or not t.text.islower():
            break
        top = morph.parses(t.text.lower())[0]  # the likeliest reading: «по» is a preposition
        if top.tag.POS == "NOUN" and top.tag.case == "gent":
            tail.append(t.text)
            pos = t.end
            nxt = sentence.text[pos:].lstrip()[:1]
            if nxt == "«":
                return ""  # «стажировочной площадки проекта «…»»: the name is elsewhere
            return " ".join(tail)
        if top.tag.POS in ("ADJF", "PRTF") and top.tag.case == "gent":
            tail.append(t.text)
            pos = t.end
            continue
        break
    return ""


@lru_cache(maxsize=20_000)
def _locative(place: str) -> str:
    """«Тюмень» → «в Тюмени», «Мурманская область» → «в Мурманской области»."""
    parts = place.split(" ")
    out = []
    inflect = True
    for w in parts:
        if not inflect:
            out.append(w)
            continue
        parses = morph.parses(normalize(w))
        p = next((x for x in parses if x.tag.POS in ("NOUN", "ADJF") and "nomn" in x.tag), None)
        if p is None:
            out.append(w)
            continue
        form = (p.inflect({"loc2"}) if p.tag.POS == "NOUN" else None) or p.inflect({"loct"})
        word = form.word if form else w
        if "-" in w and form:
            word = "-".join(
                x[:1].upper() + x[1:] if y[:1].isupper() else x
                for x, y in zip(form.word.split("-"), w.split("-"), strict=False)
            )
        elif w[:1].isupper():
            word = word[:1].upper() + word[1:]
        out.append(word)
        if p.tag.POS == "NOUN":
            inflect = False
    first = normalize(out[0])
    prep = "во" if len(first) > 1 and first[0] in "вф" and first[1] not in "аеёиоуыэюя" else "в"
    return f"{prep} {' '.join(out)}"


def _upgrade_kind(name: str, article: list[_Sentence], vocab: _Vocabulary) -> _Kind | None:
    """The specific kind the article gives a quoted name elsewhere: «форума «Профи-2025»»."""
    quoted = f"«{name}»"
    for s in article:
        pos = s.text.find(quoted)
        while pos >= 0:
            before = [t for t in s.tokens if t.end <= pos]
            if before and not s.text[before[-1].end : pos].strip():
                kind = vocab.triggers.get((before[-1].lemma,))
                if kind and not kind.generic:
                    return kind
            pos = s.text.find(quoted, pos + 1)
    return None


def _title(
    sentence: _Sentence,
    trig: _Trigger,
    place: str | None,
    article: list[_Sentence],
    vocab: _Vocabulary,
) -> tuple[str, _Kind]:
    head, nxt = _head(sentence, trig)
    head_end = sentence.tokens[nxt - 1].end
    name = _quoted_after(sentence, head_end)
    kind = trig.kind
    if name:
        if kind.generic:
            upgraded = _upgrade_kind(name, article, vocab)
            if upgraded:
                kind = upgraded
                head = upgraded.title
        return f"{head} «{name}»", kind
    tail = _genitive_tail(sentence, nxt, head_end)
    if tail:
        return f"{head} {tail}", kind
    if place:
        return f"{head} {_locative(place)}", kind
    return head, kind


# ---------------------------------------------------------------- status, place


def _nearest(pattern: re.Pattern[str], text: str, span: tuple[int, int]) -> int | None:
    dists = [min(abs(m.start() - span[1]), abs(m.end() - span[0])) for m in pattern.finditer(text)]
    return min(dists) if dists else None


def _status(
    sentence: _Sentence, span: tuple[int, int], end: date, published: date | None
) -> Status:
    if published is not None and end < published:
        return "report"
    past = _nearest(_PAST, sentence.norm, span)
    future = _nearest(_FUTURE, sentence.norm, span)
    if past is not None and (future is None or past < future):
        return "report"
    return "announce"


def _place_in(sentence: _Sentence, near: int | None) -> str | None:
    # Asked once per date in the sentence, and again for the sentences after it and for
    # every event the title places: found once per parse (bot.articles.sentences).
    found = memoised("places", sentence.text, find_places_with_spans)
    if not found:
        return None
    if near is None:
        return found[0][0]

    def venue(pos: int) -> bool:
        before = [t for t in sentence.tokens if t.end <= pos]
        return bool(before) and normalize(before[-1].text) in _VENUE_PREPS

    venues = [f for f in found if venue(f[1])] or found
    return min(venues, key=lambda f: abs(f[1] - near))[0]


# ---------------------------------------------------------------- extraction


@dataclass(slots=True)
class _Draft:
    kind: str
    title: str
    start: date
    end: date
    time: time | None
    place: str | None
    sentence: str
    status: Status
    started: bool = field(default=False)

    def freeze(self) -> ExtractedEvent:
        return ExtractedEvent(
            self.kind,
            self.title,
            self.start,
            self.end,
            self.time,
            self.place,
            self.sentence,
            self.status,
        )


def _content_words_outside(sentence: _Sentence, mentions: list[DateMention]) -> int:
    return sum(
        1
        for t in sentence.tokens
        if not t.text.isdigit() and not any(a <= t.start < b for a, b in (m.span for m in mentions))
    )


def _kind_for(
    idx: int, sentences: list[_Sentence], near: int, title_sentence: _Sentence | None
) -> tuple[_Sentence, _Trigger] | None:
    s = sentences[idx]
    trig = _pick_trigger(s.triggers, near)
    if trig:
        return s, trig
    for back in range(idx - 1, max(-1, idx - 4), -1):
        trig = _pick_trigger(sentences[back].triggers, None)
        if trig:
            return sentences[back], trig
    if title_sentence is not None:
        trig = _pick_trigger(title_sentence.triggers, None)
        if trig:
            return title_sentence, trig
    return None


class _Article:
    """One article being read: its sentences (the title first when the body lacks it), the
    reference date for years left out, and the places to fall back on."""

    def __init__(self, text: str, published: date | None, title: str) -> None:
        self.text = text
        self.published = published
        self.vocab = _vocabulary()
        self.sentences = _split(text, self.vocab)
        self.title_sentence = _sentence(title.strip(), self.vocab) if title.strip() else None
        if self.title_sentence is not None and normalize(title.strip()) not in normalize(text):
            self.sentences.insert(0, self.title_sentence)
        self.ref = published
        if self.ref is None:
            explicit = [m for m in find_dates(text, None) if m.year_explicit]
            self.ref = explicit[0].start if explicit else None
        self._places: list[str] | None = None

    def fallback_place(self, idx: int) -> str | None:
        """Where an event is when its sentence does not say: the sentence before, the
        title, else the first place the article names."""
        if idx > 0:
            p = _place_in(self.sentences[idx - 1], None)
            if p:
                return p
        if self.title_sentence is not None:
            p = _place_in(self.title_sentence, None)
            if p:
                return p
        if self._places is None:
            self._places = find_places(self.text)
        return self._places[0] if self._places else None


@dataclass
class _Found:
    drafts: list[_Draft] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)  # the sentence index of each draft
    deadlines: list[tuple[int, str, date]] = field(default_factory=list)  # (index, text, day)


def _read_sentence(article: _Article, idx: int, found: _Found) -> None:
    """The dated events (and deadlines) one sentence states, added to `found`."""
    s = article.sentences[idx]
    published, drafts = article.published, found.drafts
    mentions = find_dates(s.text, article.ref)
    if not mentions or _content_words_outside(s, mentions) < 2:
        return  # «18/06/2024» on a line of its own is a publication stamp
    for m in mentions:
        kind_found = _kind_for(idx, article.sentences, m.span[0], article.title_sentence)
        if kind_found is None:
            continue
        kind_sentence, trig = kind_found
        place = _place_in(s, m.span[0]) or article.fallback_place(idx)
        event_title, kind = _title(kind_sentence, trig, place, article.sentences, article.vocab)
        start, end = m.start, m.end
        started = bool(_STARTED.search(s.norm))

        if m.kind == "until":
            earlier = next(
                (
                    d
                    for d in reversed(drafts)
                    if d.kind == kind.name and d.started and d.start <= end
                ),
                None,
            )
            if earlier is not None:
                earlier.end = max(earlier.end, end)
                earlier.status = _status(s, m.span, earlier.end, published)
                continue
            deadline = bool(_DEADLINE.search(s.norm))
            if started and not deadline and published is not None and published <= end:
                start = published
            else:
                if deadline:
                    found.deadlines.append((idx, s.text, end))
                continue  # a deadline («заявки до 1 марта»), not an event
        elif m.kind == "day" and (dur := _DURATION.search(s.norm)):
            days = _DURATION_DAYS[dur.group(1)] - 1
            if _FINISHED.search(s.norm):
                start = end - timedelta(days=days)
            else:
                end = start + timedelta(days=days)

        status = _status(s, m.span, end, published)
        drafts.append(
            _Draft(kind.name, event_title, start, end, m.time, place, s.text, status, started)
        )
        found.positions.append(idx)


def _attach_deadlines(found: _Found) -> None:
    """«Заявки принимаются до 15 февраля»: what a specialist needs next to the event itself.
    A deadline belongs to the nearest announced event before it (an article may announce
    a webinar, its registration, then a seminar and its own), else to the nearest after it
    («заявки до 15 февраля» first, the contest's stages next); never to an event it falls
    after."""
    for at, sentence, day in found.deadlines:
        eligible = [
            (pos > at, abs(at - pos), i)
            for i, (d, pos) in enumerate(zip(found.drafts, found.positions, strict=True))
            if d.status == "announce" and day <= d.end
        ]
        owner = found.drafts[min(eligible)[2]] if eligible else None
        if owner is not None and sentence not in owner.sentence:
            owner.sentence = f"{owner.sentence} {sentence}"


def _unique(drafts: list[_Draft]) -> list[ExtractedEvent]:
    """One event per (kind, dates, place): an article often states it twice."""
    seen: set[tuple] = set()
    events: list[ExtractedEvent] = []
    for d in drafts:
        key = (d.kind, d.start, d.end, d.place)
        if key not in seen:
            seen.add(key)
            events.append(d.freeze())
    return events


def extract_events(text: str, published: date | None, title: str = "") -> list[ExtractedEvent]:
    """Dated events stated in an article (see the module docstring for the rules)."""
    article = _Article(text, published, title)
    found = _Found()
    for idx in range(len(article.sentences)):
        _read_sentence(article, idx, found)
    _attach_deadlines(found)
    drafts = found.drafts
    if not drafts and published is not None:
        drafts.extend(
            _undated_report(
                article.sentences,
                published,
                article.title_sentence,
                article.fallback_place,
                article.vocab,
            )
        )
    if published is not None:
        drafts.extend(
            _planned(article.sentences, published, article.title_sentence, drafts, article.ref)
        )
    return _unique(drafts)


def _planned(
    sentences: list[_Sentence],
    published: date,
    title_sentence: _Sentence | None,
    drafts: list[_Draft],
    ref: date | None,
) -> list[_Draft]:
    """Next stops named without dates: «далее в маршрутном графике — Краснодарский край и
    Московская область». One planned event per place, of the sentence's kind of event or
    else the article's main one; dated by the article, status «planned»."""
    out: list[_Draft] = []
    main = drafts[0].kind if drafts else None
    if main is None:
        for s in ([title_sentence] if title_sentence else []) + sentences:
            trig = _pick_trigger(s.triggers, None)
            if trig is not None:
                main = trig.kind.name
                break
    dated = {d.place for d in drafts}
    for s in sentences:
        if not _NEXT_STOP.search(s.norm) or find_dates(s.text, ref):
            continue
        trig = _pick_trigger(s.triggers, None)
        kind = trig.kind.name if trig is not None else main
        if kind is None:
            continue
        for place in find_places(s.text):
            if place in dated:
                continue
            dated.add(place)
            title = f"{kind_title(kind)} — {place}"
            out.append(_Draft(kind, title, published, published, None, place, s.text, "planned"))
    return out


def _undated_report(
    sentences: list[_Sentence],
    published: date,
    title_sentence: _Sentence | None,
    fallback_place,
    vocab: _Vocabulary,
) -> list[_Draft]:
    """An article that reports an event without dating it: the event is dated by the article.

    News of this kind («состоялось III межрегиональное мероприятие «Профи-2025»») is written
    the day of the event or the day after; the publication date is the best date there is,
    and the status is report. Only the first such sentence counts: later ones retell it.
    """
    for idx, s in enumerate(sentences):
        past = _PAST.search(s.norm)
        if not past or not s.triggers:
            continue
        trig = _pick_trigger(s.triggers, past.start())
        assert trig is not None
        place = _place_in(s, trig.start) or fallback_place(idx)
        event_title, kind = _title(s, trig, place, sentences, vocab)
        return [_Draft(kind.name, event_title, published, published, None, place, s.text, "report")]
    return []
