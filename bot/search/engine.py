"""Retrieval and re-ranking.

FTS5 `bm25()` (title weighted above body) finds candidates for any of the query's
terms; the re-ranker then scores how much of the *question* each candidate covers
(IDF-weighted), how well the title matches, and boosts service cards. A best match
below the threshold is reported as not found — an honest «не нашёл» beats a random
article.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.search.analyzer import AnalyzedQuery, QueryAnalyzer
from bot.search.vocabulary import SearchVocabulary
from bot.store import Store

CANDIDATES = 40
TITLE_WEIGHT = 5.0
# Decision thresholds, tuned on tests/eval/questions.toml (see README, "Search").
MIN_COVERAGE = 0.5
MIN_MATCHED_IDF = 1.0
CARD_BOOST = 0.08


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

    @classmethod
    async def create(cls, store: Store, vocab: SearchVocabulary) -> SearchEngine:
        analyzer = QueryAnalyzer(vocab, await store.vocabulary(), await store.document_count())
        return cls(store, analyzer)

    async def refresh(self) -> None:
        """Reload the index vocabulary (after articles were added or deleted)."""
        self.analyzer.refresh(await self.store.vocabulary(), await self.store.document_count())

    async def search(self, text: str, limit: int = 5) -> SearchResult:
        query = self.analyzer.analyze(text)
        result = SearchResult(query)
        terms = sorted(t for t in query.index_terms if t in self.analyzer.doc_freq)
        if not terms:
            return result
        expression = " OR ".join(f'"{t}"' for t in terms)
        rows = await self.store.match(expression, CANDIDATES, TITLE_WEIGHT)
        if not rows:
            return result
        best_bm25 = min(r[1] for r in rows) or -1.0
        total = sum(self._term_weight(t) for t in query.terms) or 1.0
        scored: list[Hit] = []
        for doc, bm25, title_text, body_text in rows:
            title_terms = set(title_text.split())
            doc_terms = title_terms | set(body_text.split())
            matched = 0.0
            in_title = 0.0
            for term in query.terms:
                weight = self._term_weight(term)
                best = max((w for lem, w in term.lemmas.items() if lem in doc_terms), default=0)
                matched += weight * best
                if any(lem in title_terms for lem in term.lemmas):
                    in_title += weight
            coverage = matched / total
            score = (
                coverage
                + 0.25 * in_title / total
                + 0.15 * (bm25 / best_bm25)
                + (CARD_BOOST if doc.startswith("c:") else 0.0)
            )
            if coverage >= MIN_COVERAGE and matched >= MIN_MATCHED_IDF:
                scored.append(Hit(doc, score, coverage, title_text))
        scored.sort(key=lambda h: (-h.score, h.doc))
        result.hits = scored[:limit]
        result.found = bool(result.hits)
        return result

    def _term_weight(self, term) -> float:
        if not term.known:
            # A word the index has never seen: the question is about something else.
            return self.analyzer.idf("\0unknown")
        return max(self.analyzer.idf(lem) for lem in term.lemmas)
