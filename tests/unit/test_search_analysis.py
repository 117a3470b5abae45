"""Search analysis and snippets as pure functions: the keyboard-layout table, how many typos a
word may have, lemmas of abbreviations, stems, phone numbers, a card's index text, sentences.
(What needs the index — corrections against it, ranking, «не нашёл» — is in tests/bot/.)"""

from __future__ import annotations

from bot.domain.snippets import sentences_of
from bot.search.analysis import card_index_text, index_text, phone_token
from bot.search.analyzer import allowed_edits, stem
from bot.text.layout import en_to_ru
from bot.text.morph import lemma


def test_layout_table_converts_keys_of_b_yu_zh() -> None:
    assert en_to_ru("ntktajy ljdthbz") == "телефон доверия"
    assert en_to_ru(",tcgkfnyj") == "бесплатно"
    assert en_to_ru("cnf;bhjdrf d n.vtyb") == "стажировка в тюмени"


def test_allowed_edits_by_length() -> None:
    assert [allowed_edits("x" * n) for n in (1, 4, 5, 8, 9, 14)] == [0, 0, 1, 1, 2, 2]


def test_abbreviations_kept() -> None:
    assert lemma("пав") == "пав"
    assert lemma("мфц") == "мфц"
    assert index_text("Реабилитация подростков, употребляющих ПАВ").endswith("пав")


def test_stem_joins_aspect_pairs_and_derivations() -> None:
    assert stem("нарушать") == stem("нарушить") == stem("нарушение")
    assert stem("оренбург") == stem("оренбургский")
    assert stem("пожаловаться") != stem("пожалуйста")


def test_phone_numbers_in_any_format() -> None:
    for raw in ("8-800-2000-122", "+7 (800) 200-01-22", "88002000122", "8 800 2000 122"):
        assert phone_token(raw) == "8002000122", raw
    assert phone_token("112") is None
    assert "8002000122" in index_text("Звоните 8-800-2000-122 бесплатно").split()


def test_card_title_phrases_kept_apart() -> None:
    title, body = card_index_text(
        {
            "title": "Семейный МФЦ",
            "keywords": ["одно окно", "мфц"],
            "summary": "Центр.",
            "phone": "8-800-000-00-00",
        }
    )
    assert title.split(" | ") == ["семейный мфц", "8 800 000 00 00 8000000000", "один окно", "мфц"]
    assert body == "центр"


def test_sentences_never_repeat() -> None:
    text = "Первое предложение. Второе предложение.\nПервое предложение.\nПЕРВОЕ  предложение!"
    assert sentences_of(text) == ["Первое предложение.", "Второе предложение."]
