"""Russian date expressions: real phrases from the seeds and typical news, plus properties.

The table pins what the articles actually say; the hypothesis properties pin what must hold
for every date (round trips through ``format_date_range``, year inference staying near the
reference date, no crash on any text).
"""

from __future__ import annotations

import calendar
from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.articles.dates import (
    MONTHS_GENITIVE,
    DateMention,
    find_dates,
    format_date_range,
    parse_publication_date,
)
from tests.support import SEEDS

REF = date(2024, 10, 16)  # seed 004's publication date
PROPS = settings(max_examples=200, deadline=None)

D = date


def one(text: str, ref: date | None = REF) -> DateMention:
    found = find_dates(text, ref)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "start", "end", "kind", "explicit"),
    [
        # single days
        (
            "16 октября 2024 года в Тюмени начала работу",
            D(2024, 10, 16),
            D(2024, 10, 16),
            "day",
            True,
        ),
        ("18 октября в Тюмени завершилась", D(2024, 10, 18), D(2024, 10, 18), "day", False),
        ("1 марта 2027 г.", D(2027, 3, 1), D(2027, 3, 1), "day", True),
        ("5 окт. 2024", D(2024, 10, 5), D(2024, 10, 5), "day", True),
        ("Форум пройдёт 3 Марта 2025 года", D(2025, 3, 3), D(2025, 3, 3), "day", True),
        # ranges
        (
            "С 23 по 25 октября специалисты встретятся в Тюмени снова.",
            D(2024, 10, 23),
            D(2024, 10, 25),
            "range",
            False,
        ),
        (
            "состоится здесь же, в Тюмени, c 23 по 25 октября.",
            D(2024, 10, 23),
            D(2024, 10, 25),
            "range",
            False,
        ),  # Latin c
        ("23–25 октября 2024 г.", D(2024, 10, 23), D(2024, 10, 25), "range", True),
        ("16-18 октября", D(2024, 10, 16), D(2024, 10, 18), "range", False),
        ("16 — 18 октября", D(2024, 10, 16), D(2024, 10, 18), "range", False),
        ("с 30 сентября по 2 октября", D(2024, 9, 30), D(2024, 10, 2), "range", False),
        ("с 28 ноября по 1 декабря 2026 года", D(2026, 11, 28), D(2026, 12, 1), "range", True),
        ("с 28 декабря по 10 января 2027 года", D(2026, 12, 28), D(2027, 1, 10), "range", True),
        ("30 сентября – 2 октября 2024", D(2024, 9, 30), D(2024, 10, 2), "range", True),
        ("с 18.06.2024 по 20.06.2024", D(2024, 6, 18), D(2024, 6, 20), "range", True),
        ("с 3 до 5 марта 2027 года", D(2027, 3, 3), D(2027, 3, 5), "range", True),
        # bounds
        (
            "Стажировочная площадка будет работать до 18 октября",
            D(2024, 10, 18),
            D(2024, 10, 18),
            "until",
            False,
        ),
        ("заявки принимаются не позднее 1 ноября", D(2024, 11, 1), D(2024, 11, 1), "until", False),
        # months
        ("в марте 2027 года", D(2027, 3, 1), D(2027, 3, 31), "month", True),
        ("в мае", D(2025, 5, 1), D(2025, 5, 31), "month", False),
        ("в декабре", D(2024, 12, 1), D(2024, 12, 31), "month", False),
        ("Март 2027", D(2027, 3, 1), D(2027, 3, 31), "month", True),
        ("в феврале 2028 года", D(2028, 2, 1), D(2028, 2, 29), "month", True),
        # numeric
        ("18/06/2024", D(2024, 6, 18), D(2024, 6, 18), "day", True),
        ("18.06.2024", D(2024, 6, 18), D(2024, 6, 18), "day", True),
        ("2025-12-24", D(2025, 12, 24), D(2025, 12, 24), "day", True),
        ("18.06.24", D(2024, 6, 18), D(2024, 6, 18), "day", True),
    ],
)
def test_phrases(text, start, end, kind, explicit):
    m = one(text)
    assert (m.start, m.end, m.kind, m.year_explicit) == (start, end, kind, explicit)
    assert text[m.span[0] : m.span[1]].strip()


def test_seed_004_sentence_has_bound_and_range():
    s = (
        "Стажировочная площадка будет работать до 18 октября, вторая очная встреча "
        "специалистов состоится здесь же, в Тюмени, c 23 по 25 октября."
    )
    found = find_dates(s, REF)
    assert [(m.kind, m.start, m.end) for m in found] == [
        ("until", D(2024, 10, 18), D(2024, 10, 18)),
        ("range", D(2024, 10, 23), D(2024, 10, 25)),
    ]
    assert s[found[0].span[0] : found[0].span[1]] == "до 18 октября"
    assert s[found[1].span[0] : found[1].span[1]] == "c 23 по 25 октября"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Вебинар пройдёт 12 января 2027 года в 10:00 (МСК).", time(10, 0)),
        ("12 января 2027, 10:00 МСК", time(10, 0)),
        ("встреча 5 ноября в 15.30 в актовом зале", time(15, 30)),
        ("В 9:30 1 марта 2027 г. откроется форум", time(9, 30)),
        ("1 марта 2027 г. Центр работает с 9:00 до 20:00.", time(9, 0)),
    ],
)
def test_times_attach_to_the_date_of_their_sentence(text, expected):
    assert one(text).time == expected


def test_time_in_another_sentence_is_not_attached():
    found = find_dates("Форум пройдёт 1 марта 2027 года. Регистрация откроется в 10:00.", None)
    assert found[0].time is None


def test_prices_are_not_times():
    assert one("1 марта 2027 г. билет стоит 12.50 руб").time is None


@pytest.mark.parametrize(
    "text",
    [
        "Конкурс проводится с 2011 года.",
        "собралось около 700 участников из 70 регионов России",
        "форума «Профи-2025»",
        "Приказ № 203 от министерства",
        "в 10:00",
        "Звонок бесплатный, номер 8-800-2000-122.",
        "+7 (495) 123-45-67",
        "в режиме 24 на 7",
        "до конца 2024 года Семейные МФЦ откроются",
        "детей в возрасте до 4-х лет",
        "31 февраля 2025 года",
        "30.02.2024",
        "версия 1.2.24",
        "по 15 номинациям: 9 – лучшие практики",
        "",
    ],
)
def test_not_dates(text):
    assert find_dates(text, REF) == []


def test_impossible_range_is_rejected():
    assert find_dates("с 25 по 23 октября", REF) == []
    assert find_dates("с 30 по 31 февраля 2025 года", REF) == []


def test_no_year_and_no_reference_gives_nothing():
    assert find_dates("18 октября в Тюмени завершилась стажировка", None) == []
    assert find_dates("в марте", None) == []
    assert find_dates("С 23 по 25 октября специалисты встретятся", None) == []
    # a written year needs no reference
    assert one("16 октября 2024 года", None).start == D(2024, 10, 16)


@pytest.mark.parametrize(
    ("text", "ref", "expected"),
    [
        ("в марте", D(2026, 11, 20), D(2027, 3, 1)),  # an announcement looks ahead
        ("16–18 октября", D(2024, 10, 16), D(2024, 10, 16)),
        ("18 декабря", D(2025, 2, 5), D(2024, 12, 18)),  # a report looks back a little
        ("в ноябре", D(2026, 11, 20), D(2026, 11, 1)),  # the current month
        ("10 января", D(2026, 12, 1), D(2027, 1, 10)),
        ("с 28 декабря по 10 января", D(2026, 12, 20), D(2026, 12, 28)),
    ],
)
def test_year_inference(text, ref, expected):
    assert one(text, ref).start == expected


def test_range_across_new_year_without_year():
    m = one("с 28 декабря по 10 января", D(2026, 12, 20))
    assert (m.start, m.end) == (D(2026, 12, 28), D(2027, 1, 10))


def test_several_mentions_in_order():
    text = "Первый этап — 16 октября 2024 года, второй — с 23 по 25 октября, итоги в декабре."
    found = find_dates(text, REF)
    assert [m.kind for m in found] == ["day", "range", "month"]
    assert [m.span for m in found] == sorted(m.span for m in found)


# ---------------------------------------------------------------- publication date


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("000", D(2025, 12, 24)),  # header « date 2025-12-24 …»
        ("001", None),  # «18 октября» without a year: never invented
        ("002", D(2024, 6, 18)),  # a bare line «18/06/2024» below the body
        ("003", None),  # no date at all
        ("004", D(2024, 10, 16)),  # «16 октября 2024 года в Тюмени начала работу…»
    ],
)
def test_publication_date_of_seeds(prefix, expected):
    assert parse_publication_date(seed(prefix)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Вебинар\n\nОпубликовано 1 декабря 2026 года\n\nТекст статьи.", D(2026, 12, 1)),
        ("Дата публикации: 18.06.2024\nТекст", D(2024, 6, 18)),
        ("Заголовок\n18.06.2024 10:35\nТекст", D(2024, 6, 18)),
        ("Заголовок\n16 октября 2024 года\nТекст", D(2024, 10, 16)),
        # a title with a date is not the first paragraph; the lede here has no full date
        (
            (
                "Форум пройдёт 1 марта 2027 года\n"
                "Специалисты из разных регионов соберутся в Казани весной, чтобы обсудить работу."
            ),
            None,
        ),
        (
            (
                "Новости\n\nВ Тюмени 16 октября 2024 года начала работу площадка для специалистов "
                "ведомств системы профилактики."
            ),
            D(2024, 10, 16),
        ),
        ("", None),
    ],
)
def test_publication_date(text, expected):
    assert parse_publication_date(text) == expected


# ---------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("start", "end", "t", "expected"),
    [
        (D(2024, 10, 23), D(2024, 10, 25), None, "23–25 октября 2024"),
        (D(2024, 9, 30), D(2024, 10, 2), None, "30 сентября – 2 октября 2024"),
        (D(2027, 1, 12), D(2027, 1, 12), time(10, 0), "12 января 2027, 10:00 МСК"),
        (D(2027, 3, 1), D(2027, 3, 31), None, "март 2027"),
        (D(2026, 12, 28), D(2027, 1, 10), None, "28 декабря 2026 – 10 января 2027"),
        (D(2024, 10, 16), None, None, "16 октября 2024"),
    ],
)
def test_format_date_range(start, end, t, expected):
    assert format_date_range(start, end, t) == expected


# ---------------------------------------------------------------- properties

dates = st.dates(min_value=D(1900, 1, 1), max_value=D(2099, 12, 31))
refs = st.dates(min_value=D(1950, 1, 1), max_value=D(2090, 12, 31))


@PROPS
@given(d=dates, ref=st.none() | refs)
def test_full_date_parses_back(d, ref):
    phrase = f"{d.day} {MONTHS_GENITIVE[d.month - 1]} {d.year} года"
    m = one(f"Мероприятие пройдёт {phrase} в Москве.", ref)
    assert (m.start, m.end, m.kind, m.year_explicit) == (d, d, "day", True)


@PROPS
@given(d=dates, fmt=st.sampled_from(["%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d"]))
def test_numeric_dates_parse_back(d, fmt):
    assert one(d.strftime(fmt), None).start == d


@PROPS
@given(
    start=st.dates(min_value=D(1900, 1, 1), max_value=D(2098, 12, 31)),
    days=st.integers(min_value=0, max_value=400),
    t=st.none() | st.times().map(lambda x: x.replace(second=0, microsecond=0)),
)
def test_format_round_trips(start, days, t):
    end = start + timedelta(days=days)
    text = format_date_range(start, end, t)
    m = one(text, None)
    assert (m.start, m.end) == (start, end)
    assert m.year_explicit
    whole_month = (
        start.day == 1
        and start.month == end.month
        and start.year == end.year
        and (end.day == calendar.monthrange(end.year, end.month)[1])
        and days > 0
    )
    assert m.kind == ("month" if whole_month else "day" if days == 0 else "range")
    if not whole_month:
        assert m.time == t


@PROPS
@given(d=dates, ref=refs)
def test_inferred_year_is_near_ref(d, ref):
    found = find_dates(f"встреча {d.day} {MONTHS_GENITIVE[d.month - 1]}", ref)
    if (d.month, d.day) == (2, 29):
        assert len(found) <= 1
        if not found:
            return
    assert len(found) == 1
    m = found[0]
    assert (m.start.month, m.start.day) == (d.month, d.day)
    assert abs(m.start.year - ref.year) <= 1
    assert not m.year_explicit
    # the future is preferred: up to ~4 months back, ~8 months ahead
    assert -123 <= (m.start - ref).days <= 245


@PROPS
@given(d=dates.filter(lambda x: x.day <= 25), span=st.integers(0, 3), ref=refs)
def test_same_month_range_without_year(d, span, ref):
    m = one(f"с {d.day} по {d.day + span} {MONTHS_GENITIVE[d.month - 1]}", ref)
    assert (m.end - m.start).days == span
    assert (m.start.month, m.start.day) == (d.month, d.day)
    assert abs(m.start.year - ref.year) <= 1


_WORDS = [
    "с",
    "c",
    "по",
    "до",
    "в",
    "во",
    "18",
    "23",
    "2024",
    "2024 года",
    "г.",
    "–",
    "-",
    ".",
    "/",
    ":",
    "октября",
    "марте",
    "март",
    "10:00",
    "15.30",
    "МСК",
    "31",
    "февраля",
    "№",
    "не позднее",
    "12.05.24",
    "2025-12-24",
    "\n",
    "«",
    "»",
    "0",
    "00",
    "99",
    "9999",
]


@PROPS
@given(text=st.text() | st.lists(st.sampled_from(_WORDS)).map(" ".join), ref=st.none() | refs)
def test_never_raises(text, ref):
    found = find_dates(text, ref)
    for m in found:
        assert m.start <= m.end
        assert 0 <= m.span[0] < m.span[1] <= len(text)
        assert m.kind in ("day", "range", "until", "month")
        if ref is None:
            assert m.year_explicit
    assert [m.span for m in found] == sorted(m.span for m in found)
    parse_publication_date(text)
