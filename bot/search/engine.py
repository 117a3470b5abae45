"""Retrieval and re-ranking.

FTS5 `bm25()` (title weighted above body) finds candidates for the query's terms; the
re-ranker then scores how much of the *question* each candidate covers (IDF-weighted),
how well its title names the question, and boosts service cards. A best match below
the threshold is reported as not found — an honest «не нашёл» beats a random article.

Decision rule (see `_decide`): coverage is judged on the question's informative terms
(stop and function words never count; verbs and adverbs count less than nouns), with
words the index has never seen counting as evidence that the question is about
something else. The coverage a question needs falls with its length: a short question
with one foreign word («телефон доверия сбербанка») is about that word, while a long,
rambling message is mostly narrative around a few key terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.search.analyzer import AnalyzedQuery, QueryAnalyzer, Term
from bot.search.indexer import card_index_text
from bot.search.vocabulary import SearchVocabulary
from bot.store import Store

CANDIDATES = 30
TITLE_WEIGHT = 5.0
# Retrieval reads at most about this many postings: the rarest terms go into the MATCH
# first; the commonest (e.g. «ребенок» in half the corpus) are left to the re-ranker.
POSTINGS_BUDGET = 6_000
TITLE_FALLBACK_TERMS = 3
# A word the index has never seen weighs this share of the rarest possible word.
UNKNOWN_FACTOR = 1.0
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
TITLE_BONUS = 0.25
NAME_BONUS = 0.2
BM25_BONUS = 0.15

_QUOTE = re.compile(r'"')


def _quoted(term: str) -> str:
    """An FTS5 string (a word or a phrase): user text never reaches MATCH as syntax."""
    return '"' + _QUOTE.sub("", term) + '"'


@dataclass(frozen=True)
class Hit:
    doc: str  # 'a:<id>' or 'c:<card id>'
    score: float
    coverage: float
    title: str

    @property
    def is_card(self) -> bool:
        return self.doc.startswith("c:")

    @property
    def ref(self) -> str:
        return self.doc[2:]


@dataclass
class SearchResult:
    query: AnalyzedQuery
    hits: list[Hit] = field(default_factory=list)
    found: bool = False

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.found and self.hits else None


class SearchEngine:
    def __init__(self, store: Store, analyzer: QueryAnalyzer) -> None:
        self.store = store
        self.analyzer = analyzer
        self._card_rows: dict[str, tuple[str, str]] | None = None

    @classmethod
    async def create(cls, store: Store, vocab: SearchVocabulary) -> SearchEngine:
        analyzer = QueryAnalyzer(vocab, await store.vocabulary(), await store.document_count())
        return cls(store, analyzer)

    async def refresh(self) -> None:
        """Reload the index vocabulary (after articles were added or deleted)."""
        self.analyzer.refresh(await self.store.vocabulary(), await self.store.document_count())
        self._card_rows = None

    # ---- weights --------------------------------------------------------------------------
    def term_weight(self, term: Term) -> float:
        an = self.analyzer
        primary = next(iter(term.lemmas))
        if an.in_index(primary):
            idf = an.idf(primary)
        elif term.known:
            idf = max(an.idf(alt) for alt in term.lemmas if an.in_index(alt))
        else:
            # A word the index has never seen: the question may be about something else.
            idf = an.unknown_idf * UNKNOWN_FACTOR
        return term.importance * idf

    def _expression(self, query: AnalyzedQuery) -> str | None:
        """The FTS5 MATCH expression, bounded in the postings it reads.

        bm25() is computed for every matching row, so a term held by most of the corpus
        («ребенок», «семья» in 100k articles) would cost hundreds of milliseconds: the
        rarest terms go in first, up to POSTINGS_BUDGET rows; the common ones are left to
        the re-ranker. When every term is that common, only titles are searched.
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
            return " OR ".join(_quoted(t) for t in chosen)
        common = [a for a in ordered if " " not in a][:TITLE_FALLBACK_TERMS]
        if not common:
            return None
        return "{title} : (" + " OR ".join(_quoted(t) for t in common) + ")"

    async def _cards(self) -> dict[str, tuple[str, str]]:
        """Index text of every service card, kept in memory: cards are few and always
        re-ranked, so a question about a service never depends on the FTS cut-off."""
        if self._card_rows is None:
            cards = await self.store.get_cards()
            self._card_rows = {f"c:{cid}": card_index_text(card) for cid, card in cards.items()}
        return self._card_rows

    # ---- search ---------------------------------------------------------------------------
    async def search(self, text: str, limit: int = 5) -> SearchResult:
        query = self.analyzer.analyze(text)
        result = SearchResult(query)
        if not query.terms:
            return result
        weights = [self.term_weight(t) for t in query.terms]
        total = sum(weights) or 1.0
        if self.foreign_head(query, weights):
            return result
        expression = self._expression(query)
        if expression is None:
            return result
        rows = await self.store.match(expression, CANDIDATES, TITLE_WEIGHT)
        candidates = {doc: (bm25, title, body) for doc, bm25, title, body in rows}
        for doc, (title, body) in (await self._cards()).items():
            candidates.setdefault(doc, (0.0, title, body))
        best_bm25 = min((r[1] for r in rows), default=0.0) or -1.0
        scored: list[Hit] = []
        for doc, (bm25, title_text, body_text) in candidates.items():
            f = self._features(query.terms, weights, title_text, body_text)
            if not f["matched"]:
                continue
            coverage = f["matched"] / total
            if not self._decide(query, coverage, f["matched"]):
                continue
            score = (
                coverage
                + TITLE_BONUS * f["in_title"] / total
                + NAME_BONUS * f["name"]
                + BM25_BONUS * (bm25 / best_bm25)
                + (CARD_BOOST if doc.startswith("c:") else 0.0)
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
        for term, weight in zip(query.terms, weights):
            if term.importance >= 1.0 and (best is None or weight > best[0]):
                best = (weight, term)
        return best is not None and not best[1].known

    def _decide(self, query: AnalyzedQuery, coverage: float, matched: float) -> bool:
        return (coverage >= self.required_coverage(query)
                and matched >= MIN_MATCHED_SHARE * self.analyzer.unknown_idf)

    def _features(self, terms: list[Term], weights: list[float], title_text: str,
                  body_text: str) -> dict[str, float]:
        title_terms = set(title_text.split())
        body_terms = set(body_text.split())
        title_pad = f" {title_text} "
        body_pad = f" {body_text} "

        def present(alt: str, in_body: bool = True) -> bool:
            if " " not in alt:
                return alt in title_terms or (in_body and alt in body_terms)
            return f" {alt} " in title_pad or (in_body and f" {alt} " in body_pad)

        matched = in_title = 0.0
        title_hits: set[str] = set()
        for term, weight in zip(terms, weights):
            best = 0.0
            best_title = 0.0
            for alt, w in term.lemmas.items():
                if w > best and present(alt):
                    best = w
                if w > best_title and present(alt, in_body=False):
                    best_title = w
                    title_hits.update(alt.split())
            matched += weight * best
            in_title += weight * best_title
        return {"matched": matched, "in_title": in_title,
                "name": self._name_match(title_text, title_hits)}

    def _name_match(self, title_text: str, hits: set[str]) -> float:
        """How fully the question names the document: the best share of one title phrase
        (the title, or one keyword of a card) made of the question's words, IDF-weighted."""
        if not hits:
            return 0.0
        best = 0.0
        idf = self.analyzer.idf
        stop = self.analyzer.vocab.stopwords
        for phrase in title_text.split("|"):
            lemmas = [w for w in phrase.split() if w not in stop]
            if not lemmas:
                continue
            mass = sum(idf(w) for w in lemmas)
            got = sum(idf(w) for w in lemmas if w in hits)
            if mass:
                best = max(best, got / mass)
        return best
