"""The analysis chain, stage by stage, on a small index vocabulary (no store, no bot).

Documents and questions share tokenize → phones → lemmas (`bot.search.analysis`); the
question alone goes on through layout repair, short forms, stop words, typos and synonyms
against the index (`QueryAnalyzer`). Each stage is checked alone here, then the one
property that binds them: a question made of a document's words finds its index terms.
"""

from __future__ import annotations

import pytest

from bot.datafile import DEFAULT_DATA_DIR
from bot.search.analysis import (
    Message,
    index_text,
    join_phones,
    lemmatize,
    tokenize,
    tokens_with_focus,
)
from bot.search.analyzer import QueryAnalyzer
from bot.search.vocabulary import SearchVocabulary

DOCUMENTS = [
    "Детский телефон доверия 8-800-2000-122 работает бесплатно и анонимно",
    "Семейный многофункциональный центр помогает оформить пособие",
    "Стажировочная площадка для специалистов прошла в Тюмени",
]


@pytest.fixture(scope="module")
def analyzer() -> QueryAnalyzer:
    df: dict[str, int] = {}
    for text in DOCUMENTS:
        for term in set(index_text(text).split()):
            df[term] = df.get(term, 0) + 1
    vocab = SearchVocabulary.load(DEFAULT_DATA_DIR / "search.toml")
    return QueryAnalyzer(vocab, df, len(DOCUMENTS))


def typed(analyzer: QueryAnalyzer, text: str) -> list[str]:
    """The first (typed or corrected) index term of each search term of `text`."""
    return [next(iter(t.lemmas)) for t in analyzer.analyze(text).terms]


def test_tokenize_lowers_folds_yo_and_splits_hyphens() -> None:
    assert tokenize("Ёлка, Санкт-Петербург!") == ["елка", "санкт", "петербург"]


def test_lemmatize_reaches_the_dictionary_form_and_keeps_abbreviations() -> None:
    assert lemmatize(["детей", "семейными", "мфц", "2025"]) == [
        "ребенок",
        "семейный",
        "мфц",
        "2025",
    ]


def test_phones_become_one_token_in_questions_and_an_extra_one_in_documents() -> None:
    assert join_phones("звоните 8 (800) 2000-122").split()[-1] == "8002000122"
    assert index_text("8-800-2000-122").split() == ["8", "800", "2000", "122", "8002000122"]


def test_focus_weighs_the_request_above_the_story() -> None:
    weighted = dict(tokens_with_focus("У нас трое детей. Где оформить пособие?"))
    assert weighted["пособие"] == 1.0 and weighted["трое"] < 1.0


def test_layout_repair_retypes_a_question_typed_on_the_english_layout(analyzer) -> None:
    assert typed(analyzer, "ntktajy ljdthbz") == ["телефон", "доверие"]


def test_stop_words_and_function_words_are_not_terms(analyzer) -> None:
    assert typed(analyzer, "как мне позвонить на телефон доверия") == [
        "позвонить",
        "телефон",
        "доверие",
    ]


def test_typos_are_corrected_to_index_terms(analyzer) -> None:
    query = analyzer.analyze("тилифон давериа")
    assert [next(iter(t.lemmas)) for t in query.terms] == ["телефон", "доверие"]
    assert all(t.kind == "corrected" for t in query.terms)


def test_synonyms_add_the_groups_phrases_the_index_holds(analyzer) -> None:
    (term,) = analyzer.analyze("мфц").terms
    assert "многофункциональный центр" in term.lemmas
    assert term.lemmas["многофункциональный центр"] < term.lemmas["мфц"]


def test_a_question_of_a_documents_words_finds_its_index_terms(analyzer) -> None:
    """Index and query go through the same stages: nothing is lost between them."""
    for text in DOCUMENTS:
        held = set(index_text(text).split())
        for term in analyzer.analyze(text).terms:
            assert set(term.lemmas) & held or not term.known, (text, term)


def test_a_message_is_read_once() -> None:
    message = Message("Когда ближайшая стажировка?")
    assert message.tokens is message.tokens
    assert message.lemmas == ["когда", "близкий", "стажировка"]
