"""Places in the nominative: phrases from the seeds, false positives, the user's filter word."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.articles.places import find_places, normalize_place, place_matches
from tests.support import SEEDS


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("16 октября 2024 года в Тюмени начала работу", ["Тюмень"]),
        ("Министерством труда и социального развития Мурманской области", ["Мурманская область"]),
        ("В Великом Новгороде прошел форум", ["Великий Новгород"]),
        (
            "работа стажировочных площадок в Краснодарском крае и Московской области",
            ["Краснодарский край", "Московская область"],
        ),
        (
            "приветствовали коллеги из Республики Карелия и Ульяновской области",
            ["Республика Карелия", "Ульяновская область"],
        ),
        ("в Мончегорске", ["Мончегорск"]),
        ("На площадке Мончегорского дома-интерната", []),
        (
            (
                "специалисты из Калининграда, Новосибирска, Алтайского края, "
                "Иркутской и Челябинской областей, Пензы, Тулы"
            ),
            [
                "Калининград",
                "Новосибирск",
                "Алтайский край",
                "Иркутская область",
                "Челябинская область",
                "Пенза",
                "Тула",
            ],
        ),
        ("в Нижнем Новгороде", ["Нижний Новгород"]),
        ("в Санкт-Петербурге", ["Санкт-Петербург"]),
        ("в Ростове-на-Дону", ["Ростов-на-Дону"]),
        ("в Набережных Челнах", ["Набережные Челны"]),
        ("Ханты-Мансийского автономного округа — Югры", ["Ханты-Мансийский автономный округ"]),
        ("в Республике Татарстан", ["Республика Татарстан"]),
        ("Удмуртской Республики", ["Удмуртская Республика"]),
        ("в Карелии", ["Республика Карелия"]),
        ("в Старом Осколе", ["Старый Оскол"]),
        ("в Губкине", ["Губкин"]),
        ("во Владимире и в Орле", ["Владимир", "Орёл"]),
        # repeats collapse, first mention first
        ("В Тюмени и снова в Тюмени, потом Тюменская область", ["Тюмень", "Тюменская область"]),
    ],
)
def test_find_places(text, expected):
    assert find_places(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "участники из разных регионов России",
        "при Президенте Российской Федерации",
        "Президент РФ поставил задачу",
        "сказал губернатор Сергей Губкин",  # a surname pymorphy3 also knows as a town
        "Каждая область получит средства",  # a pronoun, not a proper adjective
        "Новая область работы",
        "ИНТЦ «Интеллектуальная электроника – Валдай»",  # a name in quotes is not a venue
        "в тюмени",  # not capitalised in the source: not trusted as a name
        "",
    ],
)
def test_no_false_places(text):
    assert find_places(text) == []


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("000", ["Мурманская область", "Республика Карелия", "Ульяновская область"]),
        ("001", ["Тюмень", "Краснодарский край", "Московская область"]),
        ("002", ["Оренбургская область"]),
    ],
)
def test_seed_places(prefix, expected):
    assert find_places(seed(prefix)) == expected


def test_seed_003_places_start_with_the_forum_city():
    places = find_places(seed("003"))
    assert places[:2] == ["Великий Новгород", "Новгородская область"]
    assert "Россия" not in places and "Российская Федерация" not in places


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("тюмень", "Тюмень"),
        ("Тюмени", "Тюмень"),
        ("в тюмени", "Тюмень"),
        ("мурманская", "Мурманская область"),
        ("мурманской области", "Мурманская область"),
        ("краснодарский", "Краснодарский край"),
        ("великий новгород", "Великий Новгород"),
        ("карелия", "Республика Карелия"),
        ("удмуртская", "Удмуртская Республика"),
        ("спб", "Санкт-Петербург"),
        ("погода", None),
        ("россия", None),
        ("", None),
    ],
)
def test_normalize_place(query, expected):
    assert normalize_place(query) == expected


@pytest.mark.parametrize(
    ("query", "place", "expected"),
    [
        ("Тюмень", "Тюмень", True),
        ("в тюмени", "Тюмень", True),
        ("мурманская", "Мурманская область", True),
        ("новгород", "Великий Новгород", True),
        ("Тюмень", "Тюменская область", False),
        ("Тюмень", "Москва", False),
        ("Тюмень", None, False),
        ("", "Тюмень", False),
    ],
)
def test_place_matches(query, place, expected):
    assert place_matches(query, place) is expected


def test_every_found_place_normalises_to_itself():
    for prefix in ("000", "001", "002", "003", "004"):
        for place in find_places(seed(prefix)):
            assert normalize_place(place) == place, place
            assert place_matches(place, place)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_never_raises_and_is_unique(text):
    places = find_places(text)
    assert len(places) == len(set(places))
    normalize_place(text)
