"""The service cards: replaced as a whole, read back as they were given."""

from __future__ import annotations

from bot.store.base import DocRef, TermQuery

CARD = {
    "id": "mfc",
    "title": "МФЦ «Мои документы»",
    "phone": "8 800 100-00-00",
    "keywords": ["многофункциональный центр", "госуслуги"],
    "facts": ["Приём по записи.", "Без выходных."],
    "as_of": "2024-09-01",
    "source": "https://mfc.example",
    "nested": {"hours": {"mon": "9–18", "sun": None}, "floors": [1, 2], "open": True},
    "rating": 4.5,
    "big": 9_007_199_254_740_993,
    "quote": 'он сказал: "да" \\ ёлка',
}


async def test_get_cards_round_trips_each_card(store):
    other = {"id": "line", "title": "Телефон доверия", "keywords": []}
    await store.replace_cards(
        [
            ("mfc", CARD["title"], CARD, CARD["as_of"], CARD["source"]),
            ("line", other["title"], other, "", ""),
        ],
        [("мфц", "документ", "c:mfc"), ("телефон доверие", "звонок", "c:line")],
    )
    cards = await store.get_cards()
    assert cards == {"mfc": CARD, "line": other}
    assert cards["mfc"]["facts"] == ["Приём по записи.", "Без выходных."]  # list order kept
    assert type(cards["mfc"]["rating"]) is float
    assert type(cards["mfc"]["big"]) is int


async def test_replace_cards_replaces_every_card_and_its_index_rows(store):
    await store.replace_cards(
        [("mfc", "МФЦ", {"title": "МФЦ"}, "", ""), ("old", "Старая", {"title": "Старая"}, "", "")],
        [("мфц", "документ", "c:mfc"), ("старый", "карточка", "c:old")],
    )
    await store.replace_cards(
        [
            ("mfc", "МФЦ", {"title": "МФЦ новый"}, "", ""),
            ("new", "Новая", {"title": "Новая"}, "", ""),
        ],
        [("мфц", "паспорт", "c:mfc"), ("новый", "карточка", "c:new")],
    )
    assert await store.get_cards() == {"mfc": {"title": "МФЦ новый"}, "new": {"title": "Новая"}}
    found = {m.doc for m in await store.match(TermQuery(("карточка",)), 10)}
    assert found == {DocRef.card("new")}
    assert await store.match(TermQuery(("старый",)), 10) == []
    assert await store.match(TermQuery(("документ",)), 10) == []
    assert [m.doc for m in await store.match(TermQuery(("паспорт",)), 10)] == [DocRef.card("mfc")]
    assert await store.document_count() == 2
    assert await store.vocabulary() == {"мфц": 1, "паспорт": 1, "новый": 1, "карточка": 1}

    await store.replace_cards([], [])
    assert await store.get_cards() == {}
    assert await store.document_count() == 0
    assert await store.vocabulary() == {}


async def test_cards_and_articles_do_not_disturb_each_other(store):
    from tests.contract.builders import article

    article_id = await store.add_article(article(1, index_title="мфц", index_body="статья"), [])
    await store.replace_cards([("mfc", "МФЦ", {}, "", "")], [("мфц", "карточка", "c:mfc")])
    await store.replace_cards([("mfc", "МФЦ", {}, "", "")], [("мфц", "карточка", "c:mfc")])
    found = {m.doc for m in await store.match(TermQuery(("мфц",)), 10)}
    assert found == {DocRef.article(article_id), DocRef.card("mfc")}
    assert await store.vocabulary() == {"мфц": 2, "статья": 1, "карточка": 1}
    assert await store.delete_article(article_id)
    assert {m.doc for m in await store.match(TermQuery(("мфц",)), 10)} == {DocRef.card("mfc")}
    assert await store.get_cards() == {"mfc": {}}
