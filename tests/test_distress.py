"""The statistical safety net under the crisis lexicon (bot/distress.py)."""

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


async def test_distress_nothing_else_answers_gets_the_plea_reply_not_not_found(app):
    reply = await app.answerer.answer("никто не отвечает мне, так пусто внутри", chat_id=3)
    assert reply.text.lstrip().startswith("<b>")
    assert "8-800-2000-122" in reply.text.split("\n\n")[0] + reply.text.split("\n\n")[1]
    assert "Не нашёл" not in reply.text


async def test_an_ordinary_question_is_not_led_by_the_helpline(app):
    for text in [
        "что такое семейный мфц",
        "когда ближайшая стажировка",
        "форум в великом новгороде",
    ]:
        reply = await app.answerer.answer(text, chat_id=4)
        assert "8-800-2000-122" not in reply.text.split("\n")[0], text
