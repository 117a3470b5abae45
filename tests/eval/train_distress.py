"""Builds data/distress_model.bin: `python -m tests.eval.train_distress [--check]`.

Training data: the development crisis corpus (tests/eval/crisis.toml: distress messages
and look-alikes) and every question of tests/eval/questions.toml (families' and
specialists' ordinary questions, none of them distress). The hold-out corpus
(crisis_holdout.toml) is never read here. Deterministic: fixed order, fixed seed, so the
same corpus gives the same model (tests/unit/test_distress_model.py rebuilds it and compares).

Logistic regression by plain SGD with L2, class-balanced; the threshold is chosen by
5-fold cross-validation on the training data: the lowest probability that keeps the rate
on the *look-alikes* (the hard negatives: «бьют рекорды», a webinar on suicide prevention)
at or below TARGET_FP. The scorer only puts the helpline line over an answer (or turns a
«не нашёл» into the plea reply), which costs a look-alike little and a missed child a lot —
hence a target above the crisis reply's 5 %: about one hard look-alike in seven.
"""

from __future__ import annotations

import argparse
import random
import sys
from array import array
from pathlib import Path

from bot.domain.crisis import CrisisDetector
from bot.domain.distress import BUCKETS, DistressScorer, features, logistic
from tests.eval.run import CRISIS, QUESTIONS, load

MODEL = Path(__file__).resolve().parents[2] / "data" / "distress_model.bin"
EPOCHS = 12
RATE = 0.2
L2 = 1e-4
TARGET_FP = 0.15
SEED = 7


def corpus() -> list[tuple[str, int, bool]]:
    """(text, 1 for distress, whether it is a look-alike)."""
    samples = [(m["text"], 1 if m["distress"] else 0, not m["distress"]) for m in load(CRISIS, "m")]
    for q in load(QUESTIONS, "q"):
        samples.append((q["text"], 0, False))
        samples.extend((c, 0, False) for c in q.get("context", []))
    return samples


def train(data: list[tuple[set[int], int]]) -> tuple[dict[int, float], float]:
    rng = random.Random(SEED)
    weights: dict[int, float] = {}
    bias = 0.0
    positives = sum(y for _, y in data) or 1
    negatives = (len(data) - positives) or 1
    balance = {1: len(data) / (2 * positives), 0: len(data) / (2 * negatives)}
    order = list(range(len(data)))
    for epoch in range(EPOCHS):
        rng.shuffle(order)
        rate = RATE / (1 + epoch)
        for i in order:
            feats, y = data[i]
            g = (_probability(weights, bias, feats) - y) * balance[y]
            bias -= rate * g
            for f in feats:
                w = weights.get(f, 0.0)
                weights[f] = w - rate * (g + L2 * w)
    return weights, bias


def _probability(weights: dict[int, float], bias: float, feats: set[int]) -> float:
    return logistic(bias + sum(weights.get(f, 0.0) for f in feats))


def choose_threshold(
    data: list[tuple[set[int], int]], lookalike: list[bool], folds: int = 5
) -> tuple[float, dict]:
    scored: list[tuple[float, int, bool]] = []
    for k in range(folds):
        train_part = [d for i, d in enumerate(data) if i % folds != k]
        weights, bias = train(train_part)
        scored += [
            (_probability(weights, bias, f), y, lookalike[i])
            for i, (f, y) in enumerate(data)
            if i % folds == k
        ]
    negatives = sorted((p for p, _, hard in scored if hard), reverse=True)
    allowed = int(TARGET_FP * len(negatives))
    threshold = negatives[allowed] + 1e-6 if allowed < len(negatives) else 0.5
    threshold = max(threshold, 0.05)
    positives = [p for p, y, _ in scored if y == 1]
    recall = sum(p >= threshold for p in positives) / max(len(positives), 1)
    fp = sum(p >= threshold for p in negatives) / max(len(negatives), 1)
    return threshold, {"cv_recall": round(recall, 3), "cv_lookalikes": round(fp, 3)}


def build() -> tuple[DistressScorer, dict]:
    detector = CrisisDetector.from_file()
    samples = corpus()
    data = [(features(detector.readings(t)), y) for t, y, _ in samples]
    threshold, report = choose_threshold(data, [hard for _, _, hard in samples])
    weights, bias = train(data)
    table = array("f", bytes(4 * BUCKETS))
    for f, w in weights.items():
        table[f] = w
    report["samples"] = len(data)
    report["threshold"] = round(threshold, 4)
    return DistressScorer(table, bias, threshold), report


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.eval.train_distress")
    parser.add_argument("--check", action="store_true", help="compare with the shipped model")
    args = parser.parse_args()
    scorer, report = build()
    print(report)
    if args.check:
        shipped = DistressScorer.load(MODEL)
        same = shipped.weights.tobytes() == scorer.weights.tobytes()
        print("shipped model is current" if same else "shipped model differs: rebuild it")
        return 0 if same else 1
    scorer.save(MODEL)
    print(f"wrote {MODEL}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
