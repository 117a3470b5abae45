"""The statistical safety net under the crisis lexicon (bot/domain/distress.py): the shipped
model is the one its corpus builds. (Its replies: tests/bot/test_distress.py.)"""

from __future__ import annotations

from bot.domain.distress import DistressScorer
from tests.eval.train_distress import MODEL, build


def test_the_shipped_model_is_the_one_the_corpus_builds():
    """data/distress_model.bin is rebuilt by `python -m tests.eval.train_distress`; a
    corpus or code change without a rebuild fails here."""
    scorer, report = build()
    shipped = DistressScorer.load(MODEL)
    assert shipped.weights.tobytes() == scorer.weights.tobytes()
    assert abs(shipped.threshold - scorer.threshold) < 1e-6
    assert report["cv_recall"] >= 0.75, report
