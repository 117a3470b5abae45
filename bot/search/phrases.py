"""Wordings as the editors' queue and the learned phrases see them: a key, and how alike two are.

**The key** of a wording is its informative lemmas, distinct and sorted: «Как получить
материнский капитал?» and «МАТЕРИНСКОГО капитала как получить» share «капитал материнский
получить». Stop and function words never count (the
same lists the search uses). A learned phrase is stored under this key and the search looks
the question's key up, so a wording an editor linked is found in any inflection, case or
word order — and only a wording with those very words: a learned phrase never widens to
«материнский капитал на второго ребёнка».

**Grouping** wordings for the queue joins keys that differ only by a typo, a verb or a
general word: an IDF-weighted Dice overlap of the two keys' words, where two words are the
same when equal, sharing a five-letter beginning («бесплатно» / «бесплатный», «подростковый»
/ «подросток») or within rapidfuzz ratio 80 («матиринский» / «материнский»). Verbs,
adverbs, participles and numbers weigh half, as in the search; a word the index does not
know weighs most. Keys are taken most frequent first; each joins the first group whose
first key it matches at ≥ SIMILAR (greedy, no chaining).

Measured on 115 wordings people would type and not find answered, in two sets written
apart (71 wordings in 18 topics, 44 in 14: maternity capital, alimony, camps, speech
therapists…, with inflection, word order, typos, fillers, and look-alike topics sharing
«бесплатный», «ребенок», «детский сад»; `python -m tests.eval.review_grouping`), pairwise
precision / recall:

    exact key only                                1.000 / 0.10   (set 2: 1.000 / 0.10)
    rapidfuzz token_set_ratio on the keys ≥ 75    0.930 / 0.78   (set 2: 1.000 / 0.80)
    rapidfuzz token_set_ratio on the text ≥ 70    0.908 / 0.66   (set 2: 1.000 / 0.53)
    IDF-weighted word overlap ≥ 0.65 (this)       1.000 / 0.86   (set 2: 1.000 / 0.80)

token_set_ratio counts «бесплатно ребенок» like any other words and put free medicines,
clubs and a psychologist in one group; weighted by IDF those words count for little. A
wrong merge is the costly mistake (linking a group links every wording in it), so
precision decided the threshold; thresholds 0.55–0.60 merge kindergarten queues with
kindergarten fees.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence

from rapidfuzz import fuzz

from bot.text.morph import is_function_word, part_of_speech

SIMILAR = 0.65
PREFIX = 5
WORD_RATIO = 80
LIGHT_POS = frozenset({"VERB", "INFN", "ADVB", "PRTF", "PRTS", "GRND"})
LIGHT_FACTOR = 0.5


def phrase_key(lemmas: Iterable[str], stopwords: Collection[str]) -> str:
    """The informative lemmas of a wording, distinct and sorted ('' when it has none)."""
    return " ".join(sorted({w for w in lemmas if w not in stopwords and not is_function_word(w)}))


def word_weight(word: str, idf: Callable[[str], float]) -> float:
    """How much a word of a key says: its IDF, halved for verbs, adverbs and numbers."""
    light = word.isdigit() or part_of_speech(word) in LIGHT_POS
    return idf(word) * (LIGHT_FACTOR if light else 1.0)


def same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) >= PREFIX and len(b) >= PREFIX and a[:PREFIX] == b[:PREFIX]:
        return True
    return min(len(a), len(b)) >= PREFIX and fuzz.ratio(a, b) >= WORD_RATIO


def similarity(a: Sequence[str], b: Sequence[str], weight: Callable[[str], float]) -> float:
    """IDF-weighted Dice overlap of two keys' words (0..1)."""
    if not a or not b:
        return 1.0 if a == b else 0.0
    wa = [weight(w) for w in a]
    wb = [weight(w) for w in b]
    matched_a = sum(w for word, w in zip(a, wa, strict=True) if any(same_word(word, o) for o in b))
    matched_b = sum(w for word, w in zip(b, wb, strict=True) if any(same_word(word, o) for o in a))
    total = sum(wa) + sum(wb)
    return (matched_a + matched_b) / total if total else 0.0


def group_keys(
    keys: Sequence[str], weight: Callable[[str], float], threshold: float = SIMILAR
) -> dict[str, str]:
    """Each key → the first key of its group. `keys` come most frequent first.

    Only groups sharing a three-letter beginning with one of a key's heavier words are
    compared (two wordings alike by a weighted overlap share a heavy word), so 2,900 distinct
    wordings group in 0.8 s."""
    leader: dict[str, str] = {}
    firsts: list[tuple[str, list[str]]] = []
    by_prefix: dict[str, list[int]] = {}
    for key in keys:
        if key in leader:
            continue
        words = key.split()
        weights = [weight(w) for w in words]
        heavy = max(weights, default=0.0) / 2
        prefixes = {w[:3] for w, wt in zip(words, weights, strict=True) if wt >= heavy}
        candidates = sorted({i for p in prefixes for i in by_prefix.get(p, [])})
        for i in candidates:
            first, first_words = firsts[i]
            if similarity(words, first_words, weight) >= threshold:
                leader[key] = first
                break
        else:
            leader[key] = key
            firsts.append((key, words))
            for w in words:
                by_prefix.setdefault(w[:3], []).append(len(firsts) - 1)
    return leader
