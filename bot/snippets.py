"""Pick the sentences of an article that answer *this* question.

Not the lead by default: each sentence is scored by the IDF-weighted query terms it
holds (lemmas), plus a bonus for figures when the question asks «сколько». The same
sentence never appears twice (articles scraped with repeats are common).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from razdel import sentenize

from bot.search.analyzer import AnalyzedQuery
from bot.text.morph import lemma
from bot.text.normalize import normalize, words

_DIGITS = re.compile(r"\d")


def sentences_of(text: str) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for paragraph in text.split("\n"):
        for s in sentenize(paragraph):
            sentence = s.text.strip()
            key = normalize(sentence)
            if len(sentence) < 3 or key in seen:
                continue
            seen.add(key)
            out.append(sentence)
    return out


def best_sentences(text: str, query: AnalyzedQuery, idf: Callable[[str], float],
                   limit: int = 3) -> list[str]:
    sentences = sentences_of(text)
    if not sentences:
        return []
    scored: list[tuple[float, int]] = []
    for position, sentence in enumerate(sentences):
        lemmas = {lemma(w) for w in words(sentence)}
        score = 0.0
        for term in query.terms:
            best = max((w for lem, w in term.lemmas.items() if lem in lemmas), default=0.0)
            if best:
                score += best * max(idf(lem) for lem in term.lemmas)
        if query.wants_number and _DIGITS.search(sentence):
            score *= 1.6
        score -= 0.01 * position  # prefer earlier among equals
        if len(sentence) > 400:
            score *= 0.7
        scored.append((score, position))
    scored.sort(reverse=True)
    top_score = scored[0][0]
    if top_score <= 0:
        return sentences[:2]
    chosen = sorted(p for s, p in scored[:limit] if s >= top_score * 0.5)
    return [sentences[p] for p in chosen]
