"""Retrieval and re-ranking.

FTS5 `bm25()` (title weighted 5×) finds candidates for the query's rarest terms (bounded,
see `_expression`); every service card is re-ranked too, whatever FTS returned. The
re-ranker scores how much of the *question* each candidate covers (IDF × importance),
how much of it sits in the title, how fully the question names one title phrase (a
card's title, phone or keyword), bm25, and boosts service cards. A best match below the
threshold is reported as not found — an honest «не нашёл» beats a random article.

Learned phrases come on top of that: a wording an editor linked to a document in /review
(`learned`, keyed as in `bot.search.phrases`) puts that document first, LEARNED_LEAD above
the best of the rest, whatever the re-ranker made of it; the other matches follow.

Decision rule (`_decide`, `foreign_head`):
* coverage is judged on the informative terms only (stop and function words never
  count; verbs, adverbs and small numbers count less than nouns);
* a word the index has never seen counts as the rarest word, unmatched: evidence that
  the question is about something else. For a short question (≤ HEAD_MAX_WORDS
  informative words) whose heaviest topic word is such a word, nothing is found at all:
  «телефон доверия сбербанка», «форум автолюбителей» are about Sberbank and motorists;
* the coverage needed falls with the number of informative words (MIN_COVERAGE for up
  to SHORT, minus COVERAGE_STEP per extra word, not below LONG_COVERAGE);
* in a message of several sentences the request decides REQUEST_SHARE of the coverage,
  the story around it the rest, however long the story is;
* the matched terms must weigh at least MIN_MATCHED_SHARE of the rarest word.

What changed and why (`make eval`, tests/eval/questions.toml: hit@1 / hit@3 / MRR /
out-of-scope accuracy; the `long` category in brackets):
  before                                                 0.775 0.815 0.795 0.943 [0.133]
  function words by part of speech, typos measured
  against inflected forms, derivation, compound
  abbreviations, phrase synonyms, card title phrases     0.868 0.881 0.876 0.971
  + stop words: general fillers and verbs of asking      0.887 0.901 0.896 0.971
  + minimum matched mass relative, not absolute          0.901 0.914 0.909 0.971
  + general domain synonyms and field abbreviations      0.914 0.934 0.924 0.971
  + phone numbers as one token, small numbers weigh less 0.927 0.947 0.937 1.000
  + request vs story in multi-sentence messages          0.954 0.974 0.964 1.000 [0.867]
  + unknown head word of a short question → not found,
    whole-message layout repair, single letters dropped  0.960 0.980 0.970 1.000
  + thresholds re-tuned, same-stem alternatives          0.967 0.987 0.977 1.000
  + cards always re-ranked, postings budget, request
    share of coverage                                    0.967 0.987 0.977 1.000 [0.933]
A held-out set of 43 questions written separately (not in the repository) moved with it:
0.65 / 0.90 → 0.87 / 1.00 (hit@1 / out-of-scope), and was used to reject changes that only
helped the eval set. Snowball stemming (PyStemmer) in place of pymorphy3 lemmas, same
pipeline: 0.940 0.960 0.950 1.000 — lemmas stay.

Performance, bench/ 100k store (python -m bench.run's corpus, 1000 queries): p50 7.6 ms,
p99 16.9 ms (was 10.2 / 46.9 ms before the retrieval bounds; a raw FTS5 bm25 OR of every
term takes 102 / 434 ms there). bm25() is computed for every matching row (≈2 µs each),
hence POSTINGS_BUDGET and the AND fallback in `_expression`; synonym expansion is a dict
look-up per word; the analyzer's vocabulary is frozen out of the garbage collector (see
QueryAnalyzer.refresh), which removed 50–100 ms pauses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.search.analysis import Message, card_index_text, index_text
from bot.search.analyzer import AnalyzedQuery, QueryAnalyzer, Term
from bot.search.phrases import phrase_key
from bot.search.vocabulary import SearchVocabulary
from bot.store import Store
from bot.store.base import DocRef, TermQuery, index_terms

CANDIDATES = 30
TITLE_WEIGHT = 5.0
# Retrieval reads at most about this many postings: the rarest terms go into the index query
# first; the commonest (e.g. «ребенок» in half the corpus) are left to the re-ranker.
POSTINGS_BUDGET = 6_000
# Word alternatives in a question past which the re-ranker splits a candidate's text into a
# set once rather than searching it per word (measured on the bench's index texts, 1.4 KB
# on average: 20 searches cost what one split does, ~25 µs).
MANY_ALTERNATIVES = 20
KEEP_TITLES = 20_000  # titles' phrases kept (see `_title_phrases`)
# When every term is that common: the rarest few ANDed, if their expected overlap fits.
AND_TERMS = 3
# A word the index has never seen weighs this share of the rarest possible word; a verb,
# adverb or small number the index has never seen weighs a further UNKNOWN_VERB_FACTOR.
UNKNOWN_FACTOR = 1.0
UNKNOWN_VERB_FACTOR = 0.5
# In a message of several sentences, the share of the coverage decided by the request.
REQUEST_SHARE = 0.75
# Coverage needed: MIN_COVERAGE for a question of up to SHORT informative terms, falling
# by COVERAGE_STEP per extra term down to LONG_COVERAGE.
MIN_COVERAGE = 0.45
SHORT = 3
COVERAGE_STEP = 0.02
LONG_COVERAGE = 0.2
# The matched terms must weigh at least this share of the rarest possible word.
MIN_MATCHED_SHARE = 0.15
# A question of up to this many informative words whose heaviest topic word the index
# has never seen is about something else.
HEAD_MAX_WORDS = 5
CARD_BOOST = 0.08
# The whole question, word for word, is a phrase of the document: a name («Мы идем в
# Семейный МФЦ» — a game named in an article) rather than a question about its words.
PHRASE_BONUS = 0.3
PHRASE_MIN_WORDS = 3
TITLE_BONUS = 0.25
NAME_BONUS = 0.2
BM25_BONUS = 0.15
# A wording an editor linked to a document (/review) puts it first, this far above the best
# of the rest: far enough that no re-ordering among close scores moves it.
LEARNED_LEAD = 1.0


def _typed_phrase(text: str) -> str | None:
    """The question as the index holds text (every word, lemmatised), padded for a
    substring test; None for short questions, where a phrase match means nothing."""
    tokens = index_text(text).split()
    if len(tokens) < PHRASE_MIN_WORDS:
        return None
    return f" {' '.join(tokens)} "


@dataclass(frozen=True)
class Hit:
    doc: DocRef
    score: float
    coverage: float
    title: str


@dataclass
class SearchResult:
    query: AnalyzedQuery
    hits: list[Hit] = field(default_factory=list)
    found: bool = False


@dataclass(frozen=True, slots=True)
class _Features:
    """What the re-ranker reads of one candidate against the question's terms."""

    matched: float  # IDF-weighted share of the terms the document holds
    in_title: float  # the same, counting the title only
    per_term: list[float]  # how well each term is matched (1.0 typed, less: an alternative)
    name: float  # how fully the question names the document (see _name_match)


@dataclass(frozen=True, slots=True)
class _Asked:
    """The question's terms as the re-ranker looks them up, prepared once per question
    rather than once per candidate: each alternative with its weight, its « padded » form
    and whether it is a phrase; `many`: enough of them to look words up in a set."""

    terms: list[list[tuple[str, float, str, bool]]]
    many: bool

    @classmethod
    def of(cls, terms: list[Term]) -> _Asked:
        prepared = [
            [(alt, w, f" {alt} ", " " in alt) for alt, w in term.lemmas.items()] for term in terms
        ]
        return cls(prepared, sum(len(t) for t in prepared) > MANY_ALTERNATIVES)


class SearchEngine:
    def __init__(self, store: Store, analyzer: QueryAnalyzer, generation: int = 0) -> None:
        self.store = store
        self.analyzer = analyzer
        self._card_rows: dict[DocRef, tuple[str, str]] | None = None
        self._learned: dict[str, DocRef] | None = None
        self._generation = generation
        # Title phrases with their IDF mass; IDF moves with every document counted.
        self._phrases: dict[str, list[tuple[list[str], float]]] = {}

    @classmethod
    async def create(cls, store: Store, vocab: SearchVocabulary) -> SearchEngine:
        generation = await store.generation()
        analyzer = QueryAnalyzer(vocab, await store.vocabulary(), await store.document_count())
        return cls(store, analyzer, generation)

    def count_document(self, index_title: str, index_body: str, delta: int) -> None:
        """Keep the analyzer's vocabulary current after one document was added or removed
        by this process (the generation moved by one: ours)."""
        self.analyzer.count_document(index_terms(index_title, index_body), delta)
        self._generation += 1
        self._phrases.clear()

    async def refresh(self) -> None:
        """Reload the index vocabulary (after articles were added or deleted)."""
        self._generation = await self.store.generation()
        self.analyzer.refresh(await self.store.vocabulary(), await self.store.document_count())
        self._card_rows = None
        self._learned = None
        self._phrases.clear()

    async def ensure_current(self) -> int:
        """Reload when another process (`python -m bot ingest`, an admin on another
        instance) changed the content since we last looked: one read of a meta row.
        Returns the store's change counter as read."""
        generation = await self.store.generation()
        if generation != self._generation:
            await self.refresh()
        return generation

    # ---- weights --------------------------------------------------------------------------
    def term_weight(self, term: Term) -> float:
        """IDF × importance (part of speech, request or story)."""
        an = self.analyzer
        primary = next(iter(term.lemmas))
        if an.in_index(primary):
            idf = an.idf(primary)
        elif term.known:
            idf = max(an.idf(alt) for alt in term.lemmas if an.in_index(alt))
        else:
            # A word the index has never seen: the question may be about something else —
            # unless it is a verb («пользоваться», «давать»): how one asks, not what about.
            factor = UNKNOWN_VERB_FACTOR if term.importance < 1.0 and not term.story else 1.0
            idf = an.unknown_idf * UNKNOWN_FACTOR * factor
        return term.importance * idf

    def _expression(self, query: AnalyzedQuery) -> TermQuery | None:
        """What to ask of the full-text index, bounded in the postings it reads.

        bm25() is computed for every matching row, so a term held by most of the corpus
        («ребенок», «семья» in 100k articles) would cost hundreds of milliseconds: the
        rarest terms go in first, up to POSTINGS_BUDGET rows; the common ones are left to
        the re-ranker.
        """
        an = self.analyzer
        alts = {alt for t in query.terms for alt in t.lemmas if an.in_index(alt)}
        if not alts:
            return None

        def postings(alt: str) -> int:
            return max(an.doc_freq.get(w, 0) for w in alt.split())

        ordered = sorted(alts, key=lambda a: (postings(a), a))
        chosen: list[str] = []
        total = 0
        for alt in ordered:
            n = postings(alt)
            if total + n > POSTINGS_BUDGET and (chosen or " " in alt):
                continue
            if total + n > POSTINGS_BUDGET:
                break
            chosen.append(alt)
            total += n
        if chosen:
            return TermQuery(tuple(chosen))
        # Every term is common: documents holding the rarest few *together*, when that set
        # is expected (taking the words as independent) to fit the budget. Otherwise FTS
        # cannot rank within the budget, and only the service cards are re-ranked.
        common = [a for a in ordered if " " not in a][:AND_TERMS]
        expected = float(an.docs)
        for i, term in enumerate(common):
            expected *= postings(term) / an.docs
            if i and expected <= POSTINGS_BUDGET:
                return TermQuery(tuple(common[: i + 1]), require_all=True)
        return None

    async def _cards(self) -> dict[DocRef, tuple[str, str]]:
        """Index text of every service card, kept in memory: cards are few and always
        re-ranked, so a question about a service never depends on the FTS cut-off."""
        if self._card_rows is None:
            cards = await self.store.get_cards()
            self._card_rows = {
                DocRef.card(cid): card_index_text(card) for cid, card in cards.items()
            }
        return self._card_rows

    # ---- search ---------------------------------------------------------------------------
    def analyze(self, message: Message) -> AnalyzedQuery:
        """The question's search terms, worked out once per message (the follow-up check,
        the search and the snippets all read them)."""
        if message.query is None:
            message.query = self.analyzer.analyze(message.text)
        return message.query

    async def learned(self, message: Message) -> DocRef | None:
        """The document an editor linked this wording to (/review), if any: looked up by
        the wording's key (`bot.search.phrases`), so any inflection, case or word order of
        the linked words finds it. Learned phrases are read once per generation: linking
        one moves it, so every process sees the link before its next question."""
        if self._learned is None:
            self._learned = await self.store.learned_phrases()
        if not self._learned:
            return None
        return self._learned.get(phrase_key(message.lemmas, self.analyzer.vocab.stopwords))

    async def search(
        self, message: Message | str, limit: int = 5, current: bool = False
    ) -> SearchResult:
        """`current`: the caller has just called `ensure_current` for this question."""
        if not current:
            await self.ensure_current()
        if isinstance(message, str):
            message = Message(message)
        result = await self._search(message, limit)
        linked = await self.learned(message)
        if linked is None:
            return result
        rest = [h for h in result.hits if h.doc != linked]
        top = max((h.score for h in rest), default=0.0)
        lead = Hit(linked, top + LEARNED_LEAD, 1.0, "")
        result.hits = [lead, *rest][:limit]
        result.found = True
        return result

    async def _search(self, message: Message, limit: int) -> SearchResult:
        query = self.analyze(message)
        text = message.text
        result = SearchResult(query)
        if not query.terms:
            return result
        weights = [self.term_weight(t) for t in query.terms]
        total = sum(weights) or 1.0
        if self.foreign_head(query, weights):
            return result
        expression = self._expression(query)
        rows = await self.store.match(expression, CANDIDATES, TITLE_WEIGHT) if expression else []
        candidates = {row.doc: (row.rank, row.title, row.body) for row in rows}
        for doc, (title, body) in (await self._cards()).items():
            candidates.setdefault(doc, (0.0, title, body))
        best_bm25 = min((r.rank for r in rows), default=0.0) or -1.0
        phrase = _typed_phrase(text)
        asked = _Asked.of(query.terms)
        scored: list[Hit] = []
        for doc, (bm25, title_text, body_text) in candidates.items():
            f = self._features(asked, weights, title_text, body_text)
            if not f.matched:
                continue
            coverage = self._coverage(query.terms, weights, f.per_term)
            if not self._decide(query, coverage, f.matched):
                continue
            score = (
                coverage
                + TITLE_BONUS * f.in_title / total
                + NAME_BONUS * f.name
                + BM25_BONUS * (bm25 / best_bm25)
                + (CARD_BOOST if doc.is_card else 0.0)
                + (PHRASE_BONUS if phrase and phrase in f" {title_text} {body_text} " else 0.0)
            )
            title = title_text.split("|", 1)[0].strip()
            scored.append(Hit(doc, score, coverage, title))
        scored.sort(key=lambda h: (-h.score, h.doc))
        result.hits = scored[:limit]
        result.found = bool(result.hits)
        return result

    def required_coverage(self, query: AnalyzedQuery) -> float:
        extra = max(0, query.words - SHORT)
        return max(LONG_COVERAGE, MIN_COVERAGE - COVERAGE_STEP * extra)

    def foreign_head(self, query: AnalyzedQuery, weights: list[float]) -> bool:
        """True when a short question's most specific topic word (the heaviest noun,
        adjective, number or name of the request) is one the index has never seen:
        «телефон доверия сбербанка», «форум автолюбителей» are about that word."""
        if query.words > HEAD_MAX_WORDS:
            return False
        best: tuple[float, Term] | None = None
        for term, weight in zip(query.terms, weights, strict=True):
            if term.importance >= 1.0 and (best is None or weight > best[0]):
                best = (weight, term)
        return best is not None and not best[1].known

    @staticmethod
    def _coverage(terms: list[Term], weights: list[float], got: list[float]) -> float:
        """The weighted share of the question a document covers.

        In a message with a story around its request the request decides REQUEST_SHARE of
        it however long the story is: «…муж в разъездах, садик, бумажки… что такое
        семейный мфц?» is a question about the Семейный МФЦ.
        """
        parts = {False: [0.0, 0.0], True: [0.0, 0.0]}  # story? -> [matched, total]
        for term, weight, g in zip(terms, weights, got, strict=True):
            part = parts[term.story]
            part[0] += weight * g
            part[1] += weight
        (req_m, req_t), (story_m, story_t) = parts[False], parts[True]
        if req_t and story_t:
            return REQUEST_SHARE * req_m / req_t + (1 - REQUEST_SHARE) * story_m / story_t
        return (req_m + story_m) / ((req_t + story_t) or 1.0)

    def _decide(self, query: AnalyzedQuery, coverage: float, matched: float) -> bool:
        return (
            coverage >= self.required_coverage(query)
            and matched >= MIN_MATCHED_SHARE * self.analyzer.unknown_idf
        )

    def _features(
        self, asked: _Asked, weights: list[float], title_text: str, body_text: str
    ) -> _Features:
        # Index text is lemmas joined by single spaces, so a word or a phrase is present
        # exactly when « alt » is a substring of the padded text: a few substring searches
        # instead of splitting every candidate's whole text into a set on every question.
        # A long message asks for many words: then one split of the text into a set costs
        # less than a search of it per word (phrases are still searched for).
        title_pad = f" {title_text} "
        body_pad = f" {body_text} "
        body_words = set(body_text.split()) if asked.many else None
        matched = in_title = 0.0
        per_term: list[float] = []
        title_hits: set[str] = set()
        for alternatives, weight in zip(asked.terms, weights, strict=True):
            best = 0.0
            best_title = 0.0
            for alt, w, needle, phrase in alternatives:
                if w <= best and w <= best_title:
                    continue
                here = needle in title_pad
                if w > best and (
                    here
                    or (needle in body_pad if phrase or body_words is None else alt in body_words)
                ):
                    best = w
                if w > best_title and here:
                    best_title = w
                    title_hits.update(alt.split())
            matched += weight * best
            in_title += weight * best_title
            per_term.append(best)
        return _Features(matched, in_title, per_term, self._name_match(title_text, title_hits))

    def _title_phrases(self, title_text: str) -> list[tuple[list[str], float]]:
        """A title's phrases (the title, a card's keywords) without stop words, each with its
        IDF mass — worked out once per title while the vocabulary stays the same (the
        re-ranker asks for them for every candidate of every question)."""
        kept = self._phrases.get(title_text)
        if kept is None:
            idf = self.analyzer.idf
            stop = self.analyzer.vocab.stopwords
            kept = []
            for phrase in title_text.split("|"):
                lemmas = [w for w in phrase.split() if w not in stop]
                if lemmas:
                    kept.append((lemmas, sum(idf(w) for w in lemmas)))
            if len(self._phrases) >= KEEP_TITLES:
                self._phrases.clear()
            self._phrases[title_text] = kept
        return kept

    def _name_match(self, title_text: str, hits: set[str]) -> float:
        """How fully the question names the document: the best share of one title phrase
        (the title, or one keyword of a card) made of the question's words, IDF-weighted."""
        if not hits:
            return 0.0
        best = 0.0
        idf = self.analyzer.idf
        for lemmas, mass in self._title_phrases(title_text):
            got = sum(idf(w) for w in lemmas if w in hits)
            if mass:
                best = max(best, got / mass)
        return best
