"""Pick the sentences of an article that answer *this* question.

Not the lead by default: each sentence is scored by the query terms it holds, each
weighted by its IDF and its importance in the question (a topic noun of the request
counts more than a verb of the story around it); synonym phrases count when their
words stand together. When the question asks for a number («сколько», «в каком году»)
sentences with figures win, and if the best one has figures the others must have them
too. The same sentence never appears twice (articles scraped with repeats are common).
The best sentence comes first (it answers), the others follow in article order.

What the question asks (`Aspect`: who, when, where, how many) adds a bonus to the
sentences that can answer it — a date, a place, an organiser, a figure — so «кто
организует стажировочные площадки» gets the sentence naming the organiser although it
says «организатором», and a follow-up «а когда?» with no topic words at all still gets
the sentence with the dates. A question that only names the article («Профи-2025») asks
for its key facts: figures, places and dates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import cached_property, lru_cache

from razdel import sentenize

from bot.articles.dates import find_dates
from bot.articles.places import find_places
from bot.search.analyzer import AnalyzedQuery
from bot.text.morph import lemma
from bot.text.normalize import normalize, words

_DIGITS = re.compile(r"\d")
NUMBER_BONUS = 1.6
LONG_SENTENCE = 400
MAX_SENTENCES = 3


# Lemmas that mark the sentence naming who runs something.
_WHO_MARKERS = frozenset(
    {
        "организатор",
        "организовать",
        "организованный",
        "организовывать",
        "проводить",
        "провести",
        "инициатор",
        "инициатива",
        "оператор",
        "поддержка",
        "выступать",
        "реализовываться",
        "реализовать",
        "партнер",
        "соорганизатор",
        "проводиться",
    }
)
ASPECT_BONUS = 1.0
TITLE_TERM = 0.3
UNANSWERED = 0.5
# Any reference date: only whether a sentence states a date matters here, not which.
_ANY_YEAR = dt.date(2000, 1, 1)
KEY_FACTS = frozenset({"count", "when", "where"})


def has_figure(sentence: str) -> bool:
    """A number that is not part of a date («58 специалистов», not «17 ноября 2026»)."""
    if not _DIGITS.search(sentence):
        return False
    rest = sentence
    for mention in reversed(find_dates(sentence, _ANY_YEAR)):
        a, b = mention.span
        rest = rest[:a] + " " + rest[b:]
    return bool(_DIGITS.search(rest))


class Sentence:
    """One sentence of an article with what scoring reads of it, worked out on first use and
    kept with the article's analysis (`analysed`): the same article answers many questions,
    and its words, dates and places do not change between them."""

    __slots__ = ("text", "__dict__")

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def lemmas(self) -> frozenset[str]:
        return frozenset(self.sequence)

    @cached_property
    def sequence(self) -> tuple[str, ...]:
        return tuple(lemma(w) for w in words(self.text))

    @cached_property
    def padded(self) -> str:
        return f" {' '.join(self.sequence)} "

    @cached_property
    def figure(self) -> bool:
        return has_figure(self.text)

    @cached_property
    def date(self) -> bool:
        return bool(find_dates(self.text, _ANY_YEAR))

    @cached_property
    def place(self) -> bool:
        return bool(find_places(self.text))

    @cached_property
    def who(self) -> bool:
        return not self.lemmas.isdisjoint(_WHO_MARKERS)


def aspect_score(sentence: str | Sentence, aspects: frozenset[str]) -> float:
    """How many of the asked aspects (who / when / where / count) the sentence can answer."""
    if not aspects:
        return 0.0
    read = sentence if isinstance(sentence, Sentence) else Sentence(sentence)
    score = 0.0
    if "count" in aspects and read.figure:
        score += 1
    if "when" in aspects and read.date:
        score += 1
    if "where" in aspects and read.place:
        score += 1
    if "who" in aspects and read.who:
        score += 1
    return score


def sentences_of(text: str) -> list[str]:
    """The sentences of `text`, each once (compared case- and ё-insensitively)."""
    return [s.text for s in analysed(text)]


@lru_cache(maxsize=4096)
def analysed(text: str) -> tuple[Sentence, ...]:
    """The sentences of an article's text, each once, kept for the next question about it
    (bounded: a few thousand articles' worth, the ones people are asking about)."""
    seen: set[str] = set()
    out: list[Sentence] = []
    for paragraph in text.split("\n"):
        for s in sentenize(paragraph):
            sentence = s.text.strip()
            key = " ".join(words(sentence)) or normalize(sentence)
            if len(sentence) < 3 or key in seen:
                continue
            seen.add(key)
            out.append(Sentence(sentence))
    return tuple(out)


def _present(alt: str, lemmas: frozenset[str], padded: str) -> bool:
    return alt in lemmas if " " not in alt else f" {alt} " in padded


def _weights(query: AnalyzedQuery, idf: Callable[[str], float]) -> list[float]:
    return [max(idf(alt) for alt in term.lemmas) * term.importance for term in query.terms]


def _overlap(text: str | Sentence, query: AnalyzedQuery, weights: list[float]) -> float:
    """IDF- and importance-weighted query terms present in `text` (phrases as phrases)."""
    read = text if isinstance(text, Sentence) else Sentence(text)
    lemmas, padded = read.lemmas, read.padded
    score = 0.0
    for term, weight in zip(query.terms, weights, strict=True):
        best = max(
            (w for alt, w in term.lemmas.items() if _present(alt, lemmas, padded)), default=0.0
        )
        score += best * weight
    return score


@lru_cache(maxsize=4096)
def _vocabulary(text: str) -> frozenset[str]:
    """Every lemma of an article's sentences, kept with them."""
    return frozenset().union(*(s.lemmas for s in analysed(text)))


def _asked_in(
    text: str, query: AnalyzedQuery, weights: list[float]
) -> list[tuple[dict[str, float], float]]:
    """The question's terms that can count in some sentence of `text`: a weighed term with
    a phrase, or with a word the article holds. A long message asks for dozens of terms and
    an article holds a few of them; the others would be looked for in every sentence."""
    vocabulary = _vocabulary(text)
    return [
        (term.lemmas, weight)
        for term, weight in zip(query.terms, weights, strict=True)
        if weight and any(" " in alt or alt in vocabulary for alt in term.lemmas)
    ]


def _overlap_of(sentence: Sentence, asked: list[tuple[dict[str, float], float]]) -> float:
    """`_overlap` over the terms `_asked_in` kept (the others add exactly nothing)."""
    lemmas, padded = sentence.lemmas, sentence.padded
    score = 0.0
    for alternatives, weight in asked:
        best = max(
            (w for alt, w in alternatives.items() if _present(alt, lemmas, padded)), default=0.0
        )
        score += best * weight
    return score


def focus_facts(
    card: dict, query: AnalyzedQuery, idf: Callable[[str], float], limit: int = 2
) -> list[str]:
    """The card facts that answer a question asking more than the card's name.

    Terms that only name the card (its title and keywords) don't count, so «семейный мфц»
    gets the whole card while «сколько семейных мфц работает» gets the fact with the
    figures. Empty when nothing beyond the name was asked.
    """
    naming = {lemma(w) for text in [card["title"], *card.get("keywords", [])] for w in words(text)}
    asked = [
        i
        for i, t in enumerate(query.terms)
        if not any(all(w in naming for w in alt.split()) for alt in t.lemmas)
    ]
    if not asked:
        return []
    weights = _weights(query, idf)
    weights = [w if i in asked else 0.0 for i, w in enumerate(weights)]
    abouts = card.get("fact_about") or [""] * len(card.get("facts", []))
    scored = []
    for position, (fact, about) in enumerate(zip(card.get("facts", []), abouts, strict=True)):
        score = _overlap(f"{fact} {about}", query, weights)
        if score > 0 and query.wants_number and _DIGITS.search(fact):
            score *= NUMBER_BONUS
        if score > 0:
            scored.append((-score, position, fact))
    scored.sort()
    return [fact for _, _, fact in scored[:limit]]


def best_sentences(
    text: str,
    query: AnalyzedQuery,
    idf: Callable[[str], float],
    limit: int = MAX_SENTENCES,
    aspects: frozenset[str] = frozenset(),
    title: str = "",
) -> list[str]:
    """The sentences that answer. Words the title already holds count less (TITLE_TERM):
    the article was found by them, and the answer is the sentence with the rest of the
    question («кто организатор стажировочных площадок» → the sentence naming him)."""
    sentences = analysed(text)
    if not sentences:
        return []
    weights = _weights(query, idf)
    if title:
        in_title = {lemma(w) for w in words(title)}
        titled = [
            any(all(w in in_title for w in alt.split()) for alt in t.lemmas) for t in query.terms
        ]
        if not all(titled):
            weights = [w * TITLE_TERM if t else w for w, t in zip(weights, titled, strict=True)]
    # An aspect weighs as much as an average asked term (1 when nothing else was asked).
    unit = (sum(weights) / len(weights)) if weights else 1.0
    scored: list[tuple[float, int]] = []
    asked = _asked_in(text, query, weights)
    for position, sentence in enumerate(sentences):
        score = _overlap_of(sentence, asked)
        if score > 0 and query.wants_number and sentence.figure:
            score *= NUMBER_BONUS
        answers = aspect_score(sentence, aspects)
        if aspects and not answers:
            score *= UNANSWERED  # asked «who», and the sentence names nobody
        score += ASPECT_BONUS * unit * answers
        if len(sentence.text) > LONG_SENTENCE:
            score *= 0.7
        score -= 0.01 * position  # prefer earlier among equals
        scored.append((score, position))
    scored.sort(key=lambda sp: (-sp[0], sp[1]))
    top_score, top_position = scored[0]
    if top_score <= 0:
        return [s.text for s in sentences[:2]]
    chosen = [p for s, p in scored[:limit] if s >= top_score * 0.5]
    if query.wants_number and sentences[top_position].figure:
        chosen = [p for p in chosen if sentences[p].figure]
    rest = sorted(p for p in set(chosen) if p != top_position)
    return [sentences[top_position].text] + [sentences[p].text for p in rest]
