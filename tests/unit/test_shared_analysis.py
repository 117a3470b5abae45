"""A text's sentences (and places) are worked out once per parse, and nothing is kept after
it (bot.articles.sentences): a worker parsing upload after upload holds none of the last."""

from __future__ import annotations

from bot.articles import sentences
from bot.articles.parse import parse_text

TEXT = "Форум пройдёт в Тюмени 12 марта 2027 года. Участие бесплатное."


def test_inside_a_parse_a_text_is_split_once_and_outside_nothing_is_kept():
    outside = sentences.sentenize(TEXT)
    assert [s.text for s in outside] == [
        "Форум пройдёт в Тюмени 12 марта 2027 года.",
        "Участие бесплатное.",
    ]
    assert sentences.sentenize(TEXT) is not outside  # not remembered
    with sentences.shared_analysis():
        first = sentences.sentenize(TEXT)
        with sentences.shared_analysis():  # nested: the same memo
            assert sentences.sentenize(TEXT) is first
        assert sentences.sentenize(TEXT) is first
    assert getattr(sentences._local, "memo", None) is None


def test_a_parse_leaves_no_memo_behind():
    parsed = parse_text(TEXT, title="Форум в Тюмени")
    assert parsed.places == ["Тюмень"]
    assert getattr(sentences._local, "memo", None) is None
