"""Turns what a person typed into weighted search terms.

Steps, in order (each measured by `make eval`; the numbers are in bot/search/engine.py):

1. wrong-layout repair, decided on the whole message: when at least half of the Latin
   chunks re-typed on the Russian layout give known words (index or dictionary), every
   Latin chunk is converted (so «ghjavfcnthcndf» → «профмастерства» goes along with its
   known neighbours although pymorphy3 does not know it); a Latin word the index holds
   stays unless its conversion is a word too;
2. phone numbers become one ten-digit token, as in the index («8 (800) 2000-122»);
3. splitting into sentences: in a message of several sentences the request (the
   sentences ending with «?», else the last one) is told apart from the story around it;
4. dropping stop words: the list in data/search.toml *and* every word pymorphy3 tags as a
   function word (preposition, conjunction, particle, interjection, pronoun, pronominal
   adjective such as «такой» / «который», predicative such as «можно» / «нужно»), and
   single letters;
5. lemmatising (pymorphy3, abbreviations kept);
6. for a word the index does not hold:
   a. typo correction against the index vocabulary (rapidfuzz Levenshtein: no edit for
      1–4 letters, one for 5–8, two for 9+), only for words pymorphy3 does not know.
      Distances are measured against the lemma *and its inflected forms*, so «даверия»
      is one edit from «доверия» (a form of «доверие») although two from the lemma, and
      against the beginning of longer index words («оринбург» → «оренбургский»);
      candidates are bucketed by (length, first letter), so the work stays bounded on a
      vocabulary of a few hundred thousand words;
   b. compound abbreviations: «соцобслуживание» → «социальный обслуживание»
      (соц-, проф-, гос-, мед-, … — Russian compound words);
   c. derivation and aspect pairs: an index word of the same stem («нарушать» →
      «нарушить») or one that begins with the word («мурманск» → «мурманский»);
7. synonym expansion from data/search.toml: a query phrase of a group gets the other
   phrases as alternatives, kept as *phrases* (matched as consecutive lemmas), weighted
   lower than what was typed;
8. each term gets an importance: nouns, adjectives, names and numbers of three digits or
   more carry the topic; verbs, adverbs and small numbers (ages, days) less; words of the
   story around a request less again.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.search.analysis import join_phones, tokens_with_focus
from bot.search.vocabulary import SearchVocabulary
from bot.text.layout import en_to_ru, has_latin
from bot.text.morph import (
    ABBREVIATIONS,
    is_function_word,
    is_known_word,
    is_place_name,
    lemma,
    parses,
    part_of_speech,
)
from bot.text.normalize import words
from bot.text.phonetic import phonetic_key

# Typed word 1.0; below: how much an alternative counts towards covering the word.
CORRECTION_WEIGHT = 0.9
DERIVED_WEIGHT = 0.8
SYNONYM_WEIGHT = 0.6
# Corrections are the costly step: at most this many per query.
MAX_CORRECTIONS = 12
# Part-of-speech importance (pymorphy3 tags). Anything not listed counts 1.0.
POS_WEIGHT = {
    "VERB": 0.5,
    "INFN": 0.5,
    "PRTF": 0.5,
    "PRTS": 0.5,
    "GRND": 0.5,
    "ADVB": 0.4,
    "NUMR": 0.4,
    "COMP": 0.4,
}
SMALL_NUMBER_WEIGHT = 0.3
# Function words: never the topic of a question.
# Russian compound abbreviations (сложносокращённые слова): prefix → full adjective.
COMPOUND_PREFIXES = (
    ("соц", "социальный"),
    ("проф", "профессиональный"),
    ("гос", "государственный"),
    ("мед", "медицинский"),
    ("спец", "специальный"),
    ("обл", "областной"),
    ("рай", "районный"),
    ("гор", "городской"),
    ("мун", "муниципальный"),
    ("фед", "федеральный"),
    ("рег", "региональный"),
    ("нац", "национальный"),
    ("пед", "педагогический"),
    ("психо", "психологический"),
    ("мин", "министерство"),
)
_VOWEL_END = "аеиоуыэюяйь"


def allowed_edits(word: str) -> int:
    n = len(word)
    return 0 if n <= 4 else 1 if n <= 8 else 2


def pos_weight(token: str) -> float:
    if token.isdigit():
        # Small numbers are ages, days and counts: they match dates everywhere.
        return SMALL_NUMBER_WEIGHT if len(token) <= 2 else 1.0
    return POS_WEIGHT.get(part_of_speech(token) or "", 1.0)


@lru_cache(maxsize=20_000)
def _forms(term: str) -> tuple[str, ...]:
    """The inflected forms of an index lemma (for measuring a typo against them)."""
    if not any("а" <= ch <= "я" for ch in term) or term in ABBREVIATIONS:
        return (term,)
    forms = {term}
    for parse in parses(term)[:2]:
        if parse.normal_form.replace("ё", "е") != term:
            continue
        forms.update(f.word.replace("ё", "е") for f in parse.lexeme)
    return tuple(forms)


# Endings stripped to find a word's stem (for derivation and aspect pairs, not inflection:
# the words are lemmas already). Longest first.
_ENDINGS = tuple(
    sorted(
        (
            "ировать",
            "овать",
            "евать",
            "ывать",
            "ивать",
            "ать",
            "ять",
            "ить",
            "еть",
            "уть",
            "ыть",
            "ение",
            "ание",
            "ость",
            "ство",
            "итель",
            "тель",
            "ция",
            "ие",
            "ия",
            "ье",
            "ский",
            "цкий",
            "ной",
            "ный",
            "ний",
            "ый",
            "ий",
            "ой",
            "а",
            "я",
            "о",
            "е",
            "ь",
            "й",
        ),
        key=len,
        reverse=True,
    )
)


@lru_cache(maxsize=100_000)
def stem(lem: str) -> str:
    """A crude derivational stem of a lemma: «нарушать», «нарушить», «нарушение» → «наруш»."""
    word = lem[:-2] if lem.endswith(("ся", "сь")) and len(lem) > 6 else lem
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


@dataclass
class Term:
    """One concept of the query: what was typed and the index terms that stand for it.

    `lemmas` maps an index term, or a phrase of index terms joined by spaces, to how much
    it counts (1.0 for what was typed, lower for corrections, derivations and synonyms).
    """

    typed: str
    lemmas: dict[str, float]
    known: bool  # some alternative is in the index
    importance: float = 1.0  # by part of speech, and lower in the story around a request
    kind: str = "index"  # index | corrected | derived | unknown
    story: bool = False  # typed in the story around the request, not in the request


@dataclass
class AnalyzedQuery:
    text: str
    repaired: str  # text after layout repair and typo correction, for "did you mean"
    terms: list[Term] = field(default_factory=list)
    wants_number: bool = False
    layout_fixed: bool = False
    words: int = 0  # informative words typed (before synonym expansion)

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
        self._buckets: dict[tuple[int, str], list[str]] = {}
        for term in index_terms:
            if len(term) >= 4 and not term.isdigit():
                self._buckets.setdefault((len(term), term[0]), []).append(term)
        self._sorted = sorted(t for t in index_terms if len(t) >= 5 and not t.isdigit())
        self._phonetic: dict[str, list[str]] = {}
        self._phonetic_buckets: dict[tuple[int, str], list[str]] = {}
        for term in index_terms:
            self._add_phonetic(term)
        self._unknown_idf = self._idf_of(0)
        self._cache: dict[str, tuple[str, str, float] | None] = {}
        self._place_cache: dict[str, list[str]] = {}
        self._syn_index: dict[str, list[tuple[tuple[str, ...], int, str]]] | None = None
        self._syn_alts: dict[int, list[str]] = {}

    def count_document(self, terms: set[str], delta: int) -> None:
        """One document added (+1) or removed (−1), without reloading the vocabulary.

        At 100k articles a reload costs ~0.1–0.7 s; an upload changes a few hundred terms.
        """
        self.docs = max(self.docs + delta, 1)
        for term in terms:
            df = self.doc_freq.get(term, 0) + delta
            if df > 0:
                if term not in self.doc_freq:
                    self._add_phonetic(term)
                if term not in self.doc_freq and len(term) >= 4 and not term.isdigit():
                    self._buckets.setdefault((len(term), term[0]), []).append(term)
                    if len(term) >= 5:
                        bisect.insort(self._sorted, term)
                self.doc_freq[term] = df
            elif term in self.doc_freq:
                del self.doc_freq[term]
                bucket = self._buckets.get((len(term), term[0]))
                if bucket and term in bucket:
                    bucket.remove(term)
                position = bisect.bisect_left(self._sorted, term)
                if position < len(self._sorted) and self._sorted[position] == term:
                    del self._sorted[position]
        self._unknown_idf = self._idf_of(0)
        self._cache.clear()
        self._place_cache.clear()
        self._syn_index = None
        self._syn_alts = {}

    def _add_phonetic(self, term: str) -> None:
        if len(term) < 3 or term.isdigit() or not any("а" <= ch <= "я" for ch in term):
            return
        key = phonetic_key(term)
        terms = self._phonetic.get(key)
        if terms is None:
            self._phonetic[key] = [term]
            self._phonetic_buckets.setdefault((len(key), key[0]), []).append(key)
        elif term not in terms:
            terms.append(term)

    def _sounds_like(self, word: str, lem: str) -> str | None:
        """An index term spelt the way the word sounds («тилифон» → «телефон», «мфс» →
        «мфц», «упалнамоченый» → «уполномоченный»): the same phonetic key, or one edit
        apart for keys of six letters or more. The most frequent such term wins."""
        best: tuple[int, int, str] | None = None
        for target in dict.fromkeys((phonetic_key(word), phonetic_key(lem))):
            if len(target) < 3:
                continue
            edits = 1 if len(target) >= 6 else 0
            keys = [target] if target in self._phonetic else []
            if edits:
                for length in range(len(target) - 1, len(target) + 2):
                    pool = self._phonetic_buckets.get((length, target[0]), ())
                    keys += [
                        k
                        for k, _, _ in process.extract(
                            target, pool, scorer=Levenshtein.distance, score_cutoff=1, limit=5
                        )
                    ]
            for key in keys:
                distance = Levenshtein.distance(target, key)
                for term in self._phonetic.get(key, ()):
                    if term in self.vocab.stopwords or term not in self.doc_freq:
                        continue
                    candidate = (distance, -self.doc_freq.get(term, 0), term)
                    if best is None or candidate < best:
                        best = candidate
        return best[2] if best else None

    def _idf_of(self, df: int) -> float:
        return math.log(1 + (self.docs - df + 0.5) / (df + 0.5))

    def idf(self, term: str) -> float:
        if " " in term:  # a phrase: as rare as its rarest word, at least
            return max(self.idf(t) for t in term.split())
        return self._idf_of(self.doc_freq.get(term, 0))

    @property
    def unknown_idf(self) -> float:
        return self._unknown_idf

    def in_index(self, term: str) -> bool:
        if " " in term:
            return all(t in self.doc_freq for t in term.split())
        return term in self.doc_freq

    # ---- layout ---------------------------------------------------------------------------
    def _plausible(self, word: str) -> bool:
        return (
            word in self.doc_freq
            or lemma(word) in self.doc_freq
            or is_known_word(word)
            or word in self.vocab.stopwords
        )

    def _repair_layout(self, text: str) -> tuple[str, bool]:
        """Re-type Latin chunks on the Russian layout when most of them then make words."""
        if not has_latin(text):
            return text, False
        chunks = text.split()
        latin = [i for i, c in enumerate(chunks) if has_latin(c)]
        convert: list[int] = []
        good = 0
        for i in latin:
            typed = words(chunks[i])
            conv = words(en_to_ru(chunks[i]))
            if not conv or any(has_latin(w) for w in conv):
                continue
            plausible = all(self._plausible(w) for w in conv)
            if not plausible and typed and all(w in self.doc_freq for w in typed):
                continue  # a Latin word the index holds (a name, an acronym)
            convert.append(i)
            good += plausible
        # Convert when at least half of the Latin chunks become known words.
        if not convert or good * 2 < len(latin) or good == 0:
            return text, False
        for i in convert:
            chunks[i] = en_to_ru(chunks[i])
        return " ".join(chunks), True

    # ---- typos and derivation ------------------------------------------------------------
    def _correct(self, word: str) -> tuple[str, str, float] | None:
        """(index term, kind, weight) for a word the index lacks, or None. Cached."""
        if word in self._cache:
            return self._cache[word]
        found = self._correct_uncached(word)
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[word] = found
        return found

    def _correct_uncached(self, word: str) -> tuple[str, str, float] | None:
        lem = lemma(word)
        if not is_known_word(word):
            fixed = self._fuzzy(word, lem) or self._sounds_like(word, lem)
            if fixed:
                return fixed, "corrected", CORRECTION_WEIGHT
        compound = self._compound(lem)
        if compound:
            return compound, "derived", DERIVED_WEIGHT
        derived = self._derived(lem)
        if derived:
            return derived, "derived", DERIVED_WEIGHT
        if len(word) >= 4 and is_known_word(word):
            # A dictionary word the index lacks that sounds exactly like an index word
            # («фонт» for «фонд»): in this domain the index word is what was meant.
            sound = self._sounds_like(word, word)
            if sound and phonetic_key(sound) == phonetic_key(word):
                return sound, "corrected", CORRECTION_WEIGHT
        return None

    def _respell(self, text: str) -> str:
        """Short forms people type for whole words («тел» → «телефон»), from
        data/search.toml, and words split in two that the index holds as one («гос
        услуги» → «госуслуги»)."""
        tokens = text.split()
        out: list[str] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            bare = words(token)
            if len(bare) == 1 and bare[0] in self.vocab.short_forms:
                out.append(token.lower().replace(bare[0], self.vocab.short_forms[bare[0]], 1))
                i += 1
                continue
            if i + 1 < len(tokens):
                nxt = words(tokens[i + 1])
                if len(bare) == 1 and len(nxt) == 1 and not bare[0].isdigit():
                    joined = bare[0] + nxt[0]
                    if (
                        len(joined) >= 6
                        and bare[0] not in self.doc_freq
                        and self._starts_a_term(joined[: len(bare[0]) + 1])
                        and lemma(joined) in self.doc_freq
                    ):
                        out.append(joined)
                        i += 2
                        continue
            out.append(token)
            i += 1
        return " ".join(out)

    def _starts_a_term(self, prefix: str) -> bool:
        """True when some index term begins with `prefix`. Two words joined are looked up
        only when an index term runs on from the first into the second («гос у…» for «гос
        услуги» → «госуслуга»: a lemma changes the ending, not the start): most pairs of a
        long message join into nonsense, and pymorphy3's guess at a word it does not know
        costs ~100 µs."""
        position = bisect.bisect_left(self._sorted, prefix)
        return position < len(self._sorted) and self._sorted[position].startswith(prefix)

    def _fuzzy(self, word: str, lem: str) -> str | None:
        edits = allowed_edits(word)
        if edits == 0:
            return None
        # Gather candidates one edit looser than allowed, then measure them properly.
        loose = edits + 1
        candidates: dict[str, int] = {}
        for target in {word, lem}:
            for length in range(len(target) - loose, len(target) + loose + 1):
                pool = self._buckets.get((length, target[0]))
                if not pool:
                    continue
                for cand, dist, _ in process.extract(
                    target, pool, scorer=Levenshtein.distance, score_cutoff=loose, limit=8
                ):
                    candidates[cand] = min(candidates.get(cand, 99), dist)
        best: tuple[int, int, str] | None = None
        for cand, dist in sorted(candidates.items(), key=lambda kv: kv[1])[:8]:
            if dist > edits:
                dist = min(Levenshtein.distance(word, f) for f in _forms(cand))
            if dist > edits:
                continue
            key = (dist, -self.doc_freq.get(cand, 0), cand)
            if best is None or key < best:
                best = key
        if best:
            return best[2]
        # A typo in a word the index has only as a longer derivative («оринбург»).
        if len(lem) >= 6:
            stem = lem.rstrip(_VOWEL_END) if lem[-1] in _VOWEL_END else lem
            if not stem:  # a word of vowels only («аааааа»)
                return best[2] if best else None
            pool_lengths = range(len(stem) + 1, len(stem) + 6)
            for length in pool_lengths:
                for cand in self._buckets.get((length, stem[0]), ()):
                    if Levenshtein.distance(stem, cand[: len(stem)], score_cutoff=1) <= 1:
                        key = (1, -self.doc_freq.get(cand, 0), cand)
                        if best is None or key < best:
                            best = key
        return best[2] if best else None

    def _compound(self, lem: str) -> str | None:
        for prefix, full in COMPOUND_PREFIXES:
            rest = lem[len(prefix) :]
            if lem.startswith(prefix) and len(rest) >= 4 and full in self.doc_freq:
                rest_lemma = lemma(rest)
                if rest_lemma in self.doc_freq and rest_lemma not in self.vocab.stopwords:
                    return f"{full} {rest_lemma}"
        return None

    def _derived(self, lem: str) -> str | None:
        """The most frequent index word of the same stem («нарушать» → «нарушить»), or one
        that begins with the word and is a little longer («мурманск» → «мурманский»)."""
        relatives = self.relatives(lem)
        return relatives[0] if relatives else None

    def place_adjectives(self, lem: str) -> list[str]:
        """For a city, the adjective the index holds («оренбург» → «оренбургский»): an
        article about «Оренбургской области» is about Оренбург's region, and texts name
        places either way. Only for words pymorphy3 tags as place names."""
        found = self._place_cache.get(lem)
        if found is None:
            found = []
            if len(lem) >= 4 and is_place_name(lem):
                bare = lem.rstrip(_VOWEL_END)
                i = bisect.bisect_left(self._sorted, bare)
                for cand in self._sorted[i : i + 50]:
                    if not cand.startswith(bare):
                        break
                    if cand.endswith(("ский", "цкий")) and len(cand) - len(bare) <= 5:
                        found.append(cand)
            self._place_cache[lem] = found
        return found

    def relatives(self, lem: str, limit: int = 1) -> list[str]:
        """Index words of the same stem as `lem` (not `lem` itself), most frequent first."""
        if len(lem) < 5 or lem.isdigit():
            return []
        base = stem(lem)
        bare = lem.rstrip(_VOWEL_END)
        prefix = min(base, bare, key=len)
        if len(prefix) < 4:
            return []
        i = bisect.bisect_left(self._sorted, prefix)
        found: list[tuple[int, str]] = []
        for cand in self._sorted[i : i + 100]:
            if not cand.startswith(prefix):
                break
            if cand == lem or cand in self.vocab.stopwords:
                continue
            same_stem = len(base) >= 4 and stem(cand) == base
            longer = len(bare) >= 5 and cand.startswith(bare) and len(cand) - len(bare) <= 5
            if same_stem or longer:
                found.append((-self.doc_freq.get(cand, 0), cand))
        return [c for _, c in sorted(found)[:limit]]

    # ---- the whole query ------------------------------------------------------------------
    def analyze(self, text: str) -> AnalyzedQuery:
        repaired, layout_fixed = self._repair_layout(text)
        query = AnalyzedQuery(text=text, repaired=repaired, layout_fixed=layout_fixed)
        shown: list[str] = []
        lemmas_seq: list[str] = []
        corrections = 0
        for token, focus in tokens_with_focus(join_phones(self._respell(repaired))):
            lem = lemma(token)
            if lem in self.vocab.number_words or token in self.vocab.number_words:
                query.wants_number = True
            if (
                token in self.vocab.stopwords
                or lem in self.vocab.stopwords
                or is_function_word(token)
                or (len(token) == 1 and not token.isdigit())
            ):
                shown.append(token)
                continue
            importance = pos_weight(token) * focus
            if lem in self.doc_freq or token in self.doc_freq:
                key = lem if lem in self.doc_freq else token
                term = Term(token, {key: 1.0}, True, importance, "index")
                for adjective in self.place_adjectives(key):
                    term.lemmas.setdefault(adjective, DERIVED_WEIGHT)
            else:
                fixed = None
                if corrections < MAX_CORRECTIONS:
                    corrections += 1
                    fixed = self._correct(token)
                if fixed:
                    target, kind, weight = fixed
                    term = Term(token, {target: weight}, True, importance, kind)
                    for adjective in self.place_adjectives(target):
                        term.lemmas.setdefault(adjective, weight * DERIVED_WEIGHT)
                    if kind == "corrected":
                        token = target
                else:
                    term = Term(token, {lem: 1.0}, False, importance, "unknown")
            term.story = focus < 1.0
            shown.append(token)
            lemmas_seq.append(next(iter(term.lemmas)))
            query.terms.append(term)
        self._expand_synonyms(query, lemmas_seq)
        query.terms = _merge_repeats(query.terms)
        query.words = len(query.terms)
        query.repaired = " ".join(shown)
        return query

    def _content(self, phrase: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(w for w in phrase if w not in self.vocab.stopwords and not is_function_word(w))

    def _synonym_index(self) -> dict[str, list[tuple[tuple[str, ...], int, str]]]:
        """Synonym phrases by their first content word: (content words, group, phrase).
        Built once per vocabulary, so expansion costs a dict look-up per query word."""
        if self._syn_index is None:
            index: dict[str, list[tuple[tuple[str, ...], int, str]]] = {}
            for g, group in enumerate(self.vocab.synonym_groups):
                for phrase in group:
                    key = self._content(phrase)
                    if key:
                        index.setdefault(key[0], []).append((key, g, " ".join(phrase)))
            self._syn_index = index
        return self._syn_index

    def _alternatives(self, group: int) -> list[str]:
        """The phrases of a synonym group that the index can match, as index text."""
        alts = self._syn_alts.get(group)
        if alts is None:
            alts = []
            for other in self.vocab.synonym_groups[group]:
                # Documents are indexed with every word, so a phrase keeps its prepositions
                # («комиссия по дело несовершеннолетний»).
                text = " ".join(other)
                if self._content(other) and self.in_index(text):
                    alts.append(text)
            self._syn_alts[group] = alts
        return alts

    def _expand_synonyms(self, query: AnalyzedQuery, seq: list[str]) -> None:
        """Add the other phrases of a synonym group to the terms that typed one of them."""
        index = self._synonym_index()
        for start, word in enumerate(seq):
            for key, group, typed in index.get(word, ()):
                if tuple(seq[start : start + len(key)]) != key:
                    continue
                covered = query.terms[start : start + len(key)]
                for alt in self._alternatives(group):
                    if alt == typed:
                        continue
                    for term in covered:
                        if alt not in term.lemmas:
                            term.lemmas[alt] = SYNONYM_WEIGHT
                            term.known = True


def _merge_repeats(terms: list[Term]) -> list[Term]:
    """One term per word: a word typed twice («детей… дети», «мфц мфц мфц») is one concept
    of the question, not two, and must not make the question look longer."""
    merged: dict[str, Term] = {}
    for term in terms:
        key = next(iter(term.lemmas))
        first = merged.get(key)
        if first is None:
            merged[key] = term
            continue
        for alt, weight in term.lemmas.items():
            first.lemmas[alt] = max(weight, first.lemmas.get(alt, 0.0))
        first.known = first.known or term.known
        first.importance = max(first.importance, term.importance)
        first.story = first.story and term.story
    return list(merged.values())
