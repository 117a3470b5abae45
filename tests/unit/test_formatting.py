"""Long answers are split for Telegram: at sentences, under the limit, never inside a tag or
an entity."""

from __future__ import annotations

from bot.telegram.formatting import split_message, visible_length


def test_long_text_splits_at_sentences_under_the_limit():
    sentence = "Семейный МФЦ помогает семьям &amp; детям <b>в одном окне</b>. "
    markup = "\n".join([sentence * 20] * 8)
    parts = split_message(markup)
    assert len(parts) > 1
    for part in parts:
        assert visible_length(part) <= 4096
        assert part.count("<b>") == part.count("</b>")
    assert "".join(p.replace("\n", "") for p in parts).count("одном окне") == 160


def test_split_never_cuts_an_entity_in_a_giant_word():
    word = "&amp;" * 3000  # 3000 visible characters, 15000 in markup
    for part in split_message(word, limit=1000):
        assert visible_length(part) <= 1000
        assert part.count("&") == part.count("&amp;")
