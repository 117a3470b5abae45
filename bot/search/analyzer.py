"""Turns what a person typed into weighted search terms.

Steps, in order (each measured by `make eval`): wrong-layout repair, tokenising,
lemmatising (pymorphy3, abbreviations kept), typo correction against the index
vocabulary (rapidfuzz, Levenshtein: no edit for 1–4 letters, one for 5–8, two for 9+),
and synonym expansion from data/search.toml.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.search.vocabulary import SearchVocabulary
from bot.text.layout import en_to_ru, has_latin
from bot.text.morph import is_known_word, lemma
from bot.text.normalize import words

MAX_QUERY_WORDS = 40
SYNONYM_WEIGHT = 0.6


def allowed_edits(word: str) -> int:
    n = len(word)
    return 0 if n <= 4 else 1 if n <= 8 else 2


@dataclass
class Term:
    """One concept of the query: what was typed and the index terms that stand for it."""

    typed: str
    lemmas: dict[str, float]  # index term -> weight (1.0 typed, lower for corrections/synonyms)
    known: bool  # some form of it is in the index


@dataclass
class AnalyzedQuery:
    text: str
    repaired: str  # text after layout repair and typo correction, for "did you mean"
    terms: list[Term] = field(default_factory=list)
    wants_number: bool = False
    layout_fixed: bool = False

    @property
    def index_terms(self) -> set[str]:
        return {lem for t in self.terms for lem in t.lemmas}


class QueryAnalyzer:
    """Holds the index vocabulary; `refresh()` after the index changes."""

    def __init__(self, vocab: SearchVocabulary, index_terms: dict[str, int], docs: int) -> None:
        self.vocab = vocab
        self.refresh(index_terms, docs)

    def refresh(self, index_terms: dict[str, int], docs: int) -> None:
        self.doc_freq = index_terms
        self.docs = max(docs, 1)
        self._by_length: dict[int, list[str]] = {}
        for term in index_terms:
            if len(term) >= 4 and not term.isdigit():
                self._by_length.setdefault(len(term), []).append(term)

    def idf(self, term: str) -> float:
        df = self.doc_freq.get(term, 0)
        return math.log(1 + (self.docs - df + 0.5) / (df + 0.5))

    # ---- steps --------------------------------------------------------------------------
    def _repair_layout(self, text: str) -> tuple[str, bool]:
        """Convert Latin chunks typed on the wrong layout when that makes known words."""
        if not has_latin(text):
            return text, False
        changed = False
        out = []
        for chunk in text.split():
            if has_latin(chunk):
                converted = en_to_ru(chunk)
                typed_known = all(self._in_index(w) for w in words(chunk)) and words(chunk)
                conv_words = words(converted)
                conv_known = conv_words and all(
                    self._in_index(w) or is_known_word(w) for w in conv_words
                )
                if conv_known and not typed_known:
                    out.append(converted)
                    changed = True
                    continue
            out.append(chunk)
        return " ".join(out), changed

    def _in_index(self, word: str) -> bool:
        return word in self.doc_freq or lemma(word) in self.doc_freq

    def _correct(self, word: str) -> str | None:
        """The closest index term within the allowed edits, or None."""
        edits = allowed_edits(word)
        if edits == 0:
            return None
        best: tuple[int, int, str] | None = None
        for target in (word, lemma(word)):
            for length in range(len(target) - edits, len(target) + edits + 1):
                pool = self._by_length.get(length)
                if not pool:
                    continue
                found = process.extractOne(
                    target, pool, scorer=Levenshtein.distance, score_cutoff=edits
                )
                if found is None:
                    continue
                candidate, distance, _ = found
                key = (distance, -self.doc_freq.get(candidate, 0), candidate)
                if best is None or key < best:
                    best = key
        return best[2] if best else None

    def analyze(self, text: str) -> AnalyzedQuery:
        repaired, layout_fixed = self._repair_layout(text)
        tokens = words(repaired)[:MAX_QUERY_WORDS]
        query = AnalyzedQuery(text=text, repaired=repaired, layout_fixed=layout_fixed)
        shown: list[str] = []
        lemmas_seq: list[str] = []
        for token in tokens:
            lem = lemma(token)
            if lem in self.vocab.number_words or token in self.vocab.number_words:
                query.wants_number = True
            if token in self.vocab.stopwords or lem in self.vocab.stopwords:
                shown.append(token)
                continue
            if lem in self.doc_freq or token in self.doc_freq:
                term = Term(token, {lem if lem in self.doc_freq else token: 1.0}, True)
            elif not is_known_word(token) and (fixed := self._correct(token)):
                term = Term(token, {fixed: 0.9}, True)
                token = fixed
            else:
                term = Term(token, {lem: 1.0}, False)
            shown.append(token)
            lemmas_seq.append(next(iter(term.lemmas)))
            query.terms.append(term)
        self._expand_synonyms(query, lemmas_seq)
        query.repaired = " ".join(shown)
        return query

    def _expand_synonyms(self, query: AnalyzedQuery, seq: list[str]) -> None:
        """Add the other phrases of a synonym group to the terms that typed one of them."""
        for group in self.vocab.synonym_groups:
            for phrase in group:
                start = _find_phrase(seq, phrase)
                if start < 0:
                    continue
                covered = query.terms[start:start + len(phrase)]
                for other in group:
                    if other == phrase:
                        continue
                    for word in other:
                        if word in self.doc_freq and word not in self.vocab.stopwords:
                            for term in covered:
                                if word not in term.lemmas:
                                    term.lemmas[word] = SYNONYM_WEIGHT
                                    term.known = True
                break


def _find_phrase(seq: list[str], phrase: tuple[str, ...]) -> int:
    n = len(phrase)
    for i in range(len(seq) - n + 1):
        if tuple(seq[i:i + n]) == phrase:
            return i
    return -1
