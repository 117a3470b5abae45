"""A second, statistical reading of distress: the safety net under the crisis lexicon.

The lexicon (bot/crisis.py) is exact and explainable, but it only knows what someone wrote
a rule for: on messages written apart from its tuning set it caught about seven in ten.
This scorer reads the same message as character n-grams and lemmas (so a new word, a new
spelling or a new slang form still shares most of its pieces with known ones) and gives a
probability that it reads as distress. It never replaces the crisis reply; it decides
whether a reply that is not a crisis reply leads with the helpline — and when nothing else
answers the message, that it gets the plea wording rather than «не нашёл».

Why hand-written logistic regression over hashed features, not scikit-learn: inference is
a sum of a few hundred weights (microseconds, pure Python), and training on ~1,000 short
messages is a few seconds of SGD; scikit-learn would add numpy and scipy (~60 MB) to the
bot for a dot product. The model is built by `python -m tests.eval.train_distress` from
the evaluation corpora and stored in `data/distress_model.bin` (float32 weights; the
threshold and feature settings in its header); a test rebuilds it and compares.
"""

from __future__ import annotations

import math
import struct
import zlib
from array import array
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from bot.datafile import DataFileError
from bot.text.morph import lemma
from bot.text.normalize import normalize, words

MAGIC = b"DSTR1"
BUCKETS = 1 << 18
NGRAMS = (3, 4, 5)


def features(readings: Iterable[str]) -> set[int]:
    """Hashed features of a message: character n-grams of each word (with its edges) and
    each word's lemma, over every reading (as typed, layout-repaired, transliterated)."""
    out: set[int] = set()
    for text in readings:
        for word in words(normalize(text)):
            out |= _word_features(word)
    return out


@lru_cache(maxsize=50_000)
def _word_features(word: str) -> frozenset[int]:
    """One word's features, hashed once: words recur from message to message, and a long
    message hashed each of its n-grams on every reading (~1 ms)."""
    padded = f"<{word}>"
    return frozenset(
        [_hash("w:" + lemma(word))]
        + [
            _hash("c:" + padded[i : i + n])
            for n in NGRAMS
            for i in range(max(1, len(padded) - n + 1))
        ]
    )


def logistic(z: float) -> float:
    """The logistic function, clamped so a very confident score cannot overflow exp()."""
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _hash(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) % BUCKETS


class DistressScorer:
    def __init__(self, weights: array, bias: float, threshold: float) -> None:
        if len(weights) != BUCKETS:
            raise ValueError("weights of the wrong size")
        self.weights = weights
        self.bias = bias
        self.threshold = threshold

    @classmethod
    def load(cls, path: Path) -> DistressScorer:
        try:
            raw = path.read_bytes()
            if not raw.startswith(MAGIC):
                raise ValueError("not a distress model (bad header)")
            bias, threshold = struct.unpack_from("<ff", raw, len(MAGIC))
            weights = array("f")
            weights.frombytes(raw[len(MAGIC) + 8 :])
            return cls(weights, bias, threshold)
        except (OSError, ValueError) as exc:
            raise DataFileError(f"{path}: {exc}") from None

    def save(self, path: Path) -> None:
        path.write_bytes(
            MAGIC + struct.pack("<ff", self.bias, self.threshold) + self.weights.tobytes()
        )

    def probability(self, feats: set[int]) -> float:
        return logistic(self.bias + sum(self.weights[f] for f in feats))

    def reads_as_distress(self, readings: Iterable[str]) -> bool:
        return self.probability(features(readings)) >= self.threshold
