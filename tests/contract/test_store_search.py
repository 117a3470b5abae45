"""The full-text index: what `match` finds and how it ranks, and the document
frequencies (`vocabulary`) the search engine weighs terms by."""

from __future__ import annotations

import pytest

from bot.search.engine import TITLE_WEIGHT
from bot.store.base import DocRef, TermQuery
from tests.contract.builders import article, expected_vocabulary


async def add(store, key, title: str, body: str) -> DocRef:
    return DocRef.article(
        await store.add_article(article(key, index_title=title, index_body=body), [])
    )


async def docs(store, *terms: str, require_all: bool = False, limit: int = 50) -> set[DocRef]:
    return {m.doc for m in await store.match(TermQuery(terms, require_all), limit)}


@pytest.fixture
async def library(store):
    """Five small articles (index text: lemmas) and a card."""
    refs = {
        "family": await add(store, 1, "приемный семья", "школа приемный родитель тюмень"),
        "webinar": await add(store, 2, "вебинар опека", "семья приемный онлайн"),
        "school": await add(store, 3, "школа", "родитель приемный семья"),
        "other": await add(store, 4, "спорт", "соревнование дети"),
        "filler": await add(store, 5, "погода", "дождь ветер"),
    }
    await store.replace_cards(
        [("mfc", "МФЦ", {"title": "МФЦ"}, "2024-01-01", "mfc.ru")],
        [("мфц | 8800 | многофункциональный центр", "документ семья", "c:mfc")],
    )
    refs["card"] = DocRef.card("mfc")
    return refs


async def test_match_a_single_term(store, library):
    assert await docs(store, "приемный") == {
        library["family"],
        library["webinar"],
        library["school"],
    }
    assert await docs(store, "семья") == {
        library["family"],
        library["webinar"],
        library["school"],
        library["card"],
    }
    assert await docs(store, "многофункциональный") == {library["card"]}
    assert await docs(store, "несуществующий") == set()


async def test_any_of_several_terms_by_default(store, library):
    assert await docs(store, "спорт", "вебинар", "отсутствует") == {
        library["other"],
        library["webinar"],
    }


async def test_require_all(store, library):
    assert await docs(store, "приемный", "родитель", require_all=True) == {
        library["family"],
        library["school"],
    }
    assert await docs(store, "приемный", "онлайн", require_all=True) == {library["webinar"]}
    assert await docs(store, "приемный", "спорт", require_all=True) == set()


async def test_a_phrase_matches_its_words_in_order_and_together(store, library):
    # «приемный семья»: adjacent and in this order in the family title and the school body;
    # the webinar body has them the other way round («семья приемный»)
    assert await docs(store, "приемный семья") == {library["family"], library["school"]}
    assert await docs(store, "семья приемный") == {library["webinar"]}
    assert await docs(store, "школа тюмень") == set()  # both in one body, apart
    assert await docs(store, "многофункциональный центр") == {library["card"]}
    # a phrase among single words, with require_all
    assert await docs(store, "семья приемный", "онлайн", require_all=True) == {library["webinar"]}
    assert await docs(store, "приемный семья", "онлайн", require_all=True) == set()
    assert await docs(store, "приемный семья", "опека") == {
        library["family"],
        library["webinar"],
        library["school"],
    }


async def test_match_gives_the_index_text_of_each_row(store, library):
    [row] = await store.match(TermQuery(("онлайн",)), 10)
    assert row.doc == library["webinar"]
    assert (row.title, row.body) == ("вебинар опека", "семья приемный онлайн")
    [card] = await store.match(TermQuery(("многофункциональный",)), 10)
    assert card.doc == library["card"]
    assert (card.title, card.body) == ("мфц | 8800 | многофункциональный центр", "документ семья")


@pytest.mark.parametrize("title_weight", [None, TITLE_WEIGHT], ids=["default", "engine"])
async def test_a_title_match_ranks_above_the_same_words_in_a_body(store, title_weight):
    in_body = await add(store, "b", "опека", "конкурс семья")
    in_title = await add(store, "t", "конкурс", "опека семья")
    for n in range(4):  # the term is rare, as it would be
        await add(store, f"f{n}", "погода", f"дождь ветер{n}")
    query = TermQuery(("конкурс",))
    rows = await (
        store.match(query, 10)
        if title_weight is None
        else store.match(query, 10, title_weight=title_weight)
    )
    assert [r.doc for r in rows] == [in_title, in_body]
    assert rows[0].rank < rows[1].rank


async def test_rank_is_lower_for_better_rows_and_below_zero(store, library):
    """The engine scores a row by its rank over the best rank (bm25's way: negative, the
    best the most negative): `limit` keeps the best rows, in order."""
    await add(store, "many", "семья семья", "семья приемный семья семья")
    rows = await store.match(TermQuery(("семья", "приемный")), 50)
    assert len(rows) == 5
    ranks = [r.rank for r in rows]
    assert all(isinstance(r, float) for r in ranks)
    assert ranks == sorted(ranks)
    assert all(r < 0 for r in ranks)
    best = await store.match(TermQuery(("семья", "приемный")), 2)
    assert [r.doc for r in best] == [r.doc for r in rows[:2]]
    assert (
        await store.match(TermQuery(("семья",)), 1)
        == (await store.match(TermQuery(("семья",)), 5))[:1]
    )


HOSTILE = [
    '"a" OR b*',
    "'",
    "&|!<->",
    '"',
    pytest.param("", id="empty"),
    "(",
    ")",
    "\\",
    "*",
    "NEAR(beta gamma)",
    "beta AND",
    "gamma OR alpha",
    "alpha & !gamma",
    "alpha | gamma",
    "alpha <-> beta",
    "alpha:*",
    "{title}: alpha",
    "title:alpha",
]


@pytest.mark.parametrize("text", HOSTILE)
async def test_user_text_is_never_syntax(store, text):
    alpha = await add(store, 1, "alpha", "beta gamma")
    await add(store, 2, "betamax", "delta")
    await add(store, 3, "and", "or not near")
    for query in (TermQuery((text,)), TermQuery((text, "alpha"))):
        found = {m.doc for m in await store.match(query, 10)}
        assert found <= {alpha}, (query, found)  # no operator widened the match
    assert {m.doc for m in await store.match(TermQuery((text, "alpha")), 10)} == {alpha}
    found = await store.match(TermQuery((text, "alpha"), require_all=True), 10)
    assert {m.doc for m in found} <= {alpha}


async def test_operators_and_punctuation_are_plain_words(store):
    alpha = await add(store, 1, "альфа", "бета гамма")
    await add(store, 2, "бетамакс", "дельта")
    words = await add(store, 3, "and or", "it s near")
    assert await docs(store, "гамма OR альфа") == set()  # one phrase, not a disjunction
    assert await docs(store, "бета*") == {alpha}  # the word, not a prefix of «бетамакс»
    assert await docs(store, "-бета") == {alpha}  # not a negation
    assert await docs(store, "бета:гамма") == {alpha}  # not a column filter
    assert await docs(store, "it's") == {words}  # the words of the tokenizer, as a phrase
    assert await docs(store, "and or") == {words}
    assert await docs(store, "near") == {words}


async def test_vocabulary_counts_the_distinct_terms_of_each_document(store):
    rows = {
        1: ("приемный семья", "семья семья школа"),
        2: ("школа", "приемный 8800 1234567890"),
        3: ("ребенок", "ребенок опека"),
    }
    ids = {}
    for key, (title, body) in rows.items():
        ids[key] = await store.add_article(article(key, index_title=title, index_body=body), [])
    assert await store.vocabulary() == expected_vocabulary(rows.values())
    assert await store.document_count() == 3

    cards = [("мфц | 8800 | многофункциональный центр", "документ семья", "c:mfc")]
    await store.replace_cards([("mfc", "МФЦ", {}, "", "")], cards)
    assert await store.vocabulary() == expected_vocabulary(
        [*rows.values(), *((t, b) for t, b, _ in cards)]
    )
    assert await store.document_count() == 4

    assert await store.delete_article(ids[1])
    del rows[1]
    assert await store.vocabulary() == expected_vocabulary(
        [*rows.values(), *((t, b) for t, b, _ in cards)]
    )
    assert await store.document_count() == 3

    cards = [
        ("опека", "опека школа", "c:guardian"),
        ("телефон | доверие", "звонок бесплатно", "c:line"),
    ]
    await store.replace_cards(
        [("guardian", "Опека", {}, "", ""), ("line", "Линия", {}, "", "")], cards
    )
    assert await store.vocabulary() == expected_vocabulary(
        [*rows.values(), *((t, b) for t, b, _ in cards)]
    )
    assert await store.document_count() == 4

    await store.replace_cards([], [])
    assert await store.vocabulary() == expected_vocabulary(rows.values())
    assert await store.document_count() == 2


async def test_reindex_articles_rebuilds_the_article_rows(store):
    first = await store.add_article(article(1, index_title="старый", index_body="текст один"), [])
    second = await store.add_article(article(2, index_title="старый", index_body="текст два"), [])
    await store.replace_cards([("mfc", "МФЦ", {}, "", "")], [("мфц", "документ старый", "c:mfc")])
    new_rows = [(first, "новый", "слово один"), (second, "новый заголовок", "слово")]
    await store.reindex_articles(new_rows)

    assert await store.vocabulary() == expected_vocabulary(
        [("новый", "слово один"), ("новый заголовок", "слово"), ("мфц", "документ старый")]
    )
    assert await docs(store, "старый") == {DocRef.card("mfc")}  # cards are left as they are
    assert await docs(store, "текст") == set()
    assert await docs(store, "новый") == {DocRef.article(first), DocRef.article(second)}
    [row] = await store.match(TermQuery(("заголовок",)), 10)
    assert (row.doc, row.title, row.body) == (DocRef.article(second), "новый заголовок", "слово")
    assert await store.document_count() == 3
    # the articles themselves are untouched
    assert (await store.get_article(first)).title == "Статья 1"
    # and later writes keep counting from the rebuilt frequencies
    assert await store.delete_article(first)
    assert await store.vocabulary() == expected_vocabulary(
        [("новый заголовок", "слово"), ("мфц", "документ старый")]
    )


async def test_document_count_of_an_empty_store(store):
    assert await store.document_count() == 0
    assert await store.vocabulary() == {}
    assert await store.match(TermQuery(("семья",)), 10) == []
    assert await store.iter_articles_for_index() == []
