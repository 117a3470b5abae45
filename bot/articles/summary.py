"""A two-to-three sentence summary that stands for the article (extractive).

The bot shows a summary under every title, so it must be real sentences from the article
(a generated paraphrase could state a wrong date or phone number). Sentences come from
razdel (it knows Russian abbreviations such as «и.о.», «г.», «т.е.»); words are lemmatised
with pymorphy3 (``bot.text.morph``) and only content words count (pymorphy3's part-of-speech
tags drop prepositions, conjunctions, particles and pronouns — no stop-word list to keep).

Each sentence is scored by
- centrality: mean cosine similarity of its lemma vector to the other sentences — a sentence
  that shares words with much of the article says what the article is about. Computed in
  linear time: the sum of cosines of unit vector ``u_i`` with every other ``u_j`` is
  ``u_i · (S − u_i)`` where ``S`` is the sum of all unit vectors, so one pass builds ``S`` and
  one more scores every sentence against it (the pairwise loop it replaces was quadratic: a
  1.4 MB text froze the bot for 96 s);
- overlap with the title's lemmas;
- position: news is written lead first, so early sentences get a bonus;
and penalised for what reads badly out of context: direct speech, very short or very long
sentences. The best ones are returned in article order, never the same sentence twice (nor a
near-copy), within ``MAX_SUMMARY_CHARS``.

Every step is linear in the text (or ``n log n`` for the ranking): a sentence that cannot fit
the length budget is skipped before it is compared with the chosen ones, so ``fuzz.ratio``
only ever sees sentences shorter than ``MAX_SUMMARY_CHARS``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

from rapidfuzz import fuzz

from bot.articles.sentences import sentenize
from bot.text.morph import is_function_word, lemma
from bot.text.normalize import words

MAX_SUMMARY_CHARS = 600
WEIGHT_CENTRALITY = 0.45
WEIGHT_TITLE = 0.30
WEIGHT_POSITION = 0.25
# Sentences this similar (rapidfuzz ratio) to one already chosen are not chosen again.
NEAR_COPY_RATIO = 85
MIN_WORDS = 6
MAX_SENTENCE_CHARS = 400

_SPEECH_START = re.compile(r"^[«\"“„–—-]")


@lru_cache(maxsize=200_000)
def _content_lemma(word: str) -> str | None:
    """The lemma of a content word, or None for function words and one-letter tokens."""
    if len(word) < 2 or word.isdigit():
        return None  # numbers say little about the topic and differ across retellings
    if is_function_word(word):
        return None
    return lemma(word)


def _lemmas(text: str) -> list[str]:
    return [lem for lem in (_content_lemma(w) for w in words(text)) if lem]


def split_sentences(paragraphs: list[str]) -> list[str]:
    """Sentences of the article in order (razdel), paragraph boundaries respected."""
    sentences: list[str] = []
    for paragraph in paragraphs:
        for sentence in sentenize(paragraph):
            text = sentence.text.strip()
            if text:
                sentences.append(text)
    return sentences


def summarize(paragraphs: list[str], title: str, max_sentences: int = 3) -> str:
    """2–3 sentences from the article that stand for it, in article order, ≤ 600 chars."""
    sentences = split_sentences(paragraphs)
    if not sentences:
        return ""
    scores = score_sentences(sentences, title)
    order = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))

    chosen: list[int] = []
    total = 0
    for index in order:
        if len(chosen) >= max_sentences:
            break
        sentence = sentences[index]
        extra = len(sentence) + (1 if chosen else 0)
        if total + extra > MAX_SUMMARY_CHARS:
            continue  # checked first: it bounds what fuzz.ratio below is given
        if any(
            sentences[j] == sentence or fuzz.ratio(sentences[j], sentence) >= NEAR_COPY_RATIO
            for j in chosen
        ):
            continue
        chosen.append(index)
        total += extra
    if not chosen:  # even the best sentence is longer than the limit
        return _shorten(sentences[order[0]], MAX_SUMMARY_CHARS)
    return " ".join(sentences[i] for i in sorted(chosen))


def score_sentences(sentences: list[str], title: str) -> list[float]:
    """The score of each sentence (see the module docstring); higher stands for more."""
    bags = [Counter(_lemmas(s)) for s in sentences]
    norms = [math.sqrt(sum(v * v for v in bag.values())) for bag in bags]
    title_lemmas = set(_lemmas(title))

    centrality = _centrality(bags, norms)
    top = max(centrality) or 1.0

    scores: list[float] = []
    for i, sentence in enumerate(sentences):
        title_share = len(title_lemmas & set(bags[i])) / len(title_lemmas) if title_lemmas else 0.0
        position = 1.0 / (1.0 + i) ** 0.5 if i else 1.0
        score = (
            WEIGHT_CENTRALITY * centrality[i] / top
            + WEIGHT_TITLE * title_share
            + WEIGHT_POSITION * position
        )
        word_count = len(words(sentence))
        if _SPEECH_START.match(sentence):
            score *= 0.6  # a quotation needs its speaker and context
        if word_count < MIN_WORDS:
            score *= 0.5
        if len(sentence) > MAX_SENTENCE_CHARS:
            score *= 0.7
        if sentence.rstrip().endswith("?"):
            score *= 0.7
        scores.append(score)
    return scores


def _centrality(bags: list[Counter[str]], norms: list[float]) -> list[float]:
    """Mean cosine similarity of each sentence to all the others, in linear time.

    ``Σ_{j≠i} cos(i, j) = u_i · S − u_i · u_i`` with ``u_i = bag_i / |bag_i|`` and ``S`` the
    sum of the unit vectors of all sentences that have content words; the mean divides by
    every other sentence, content-less ones included (as the pairwise definition did).
    """
    count = len(bags)
    if count < 2:
        return [0.0] * count
    total_vector: dict[str, float] = {}
    for bag, norm in zip(bags, norms, strict=True):
        if norm:
            for key, value in bag.items():
                total_vector[key] = total_vector.get(key, 0.0) + value / norm
    centrality: list[float] = []
    for bag, norm in zip(bags, norms, strict=True):
        if not norm:
            centrality.append(0.0)
            continue
        with_all = sum(value * total_vector[key] for key, value in bag.items()) / norm
        with_self = sum(value * value for value in bag.values()) / (norm * norm)
        centrality.append(max(0.0, with_all - with_self) / (count - 1))
    return centrality


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > 0 else limit - 1].rstrip(" ,;:—–-") + "…"
