"""Events extracted from the seed articles (pinned) and from typical announcement phrases."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.articles.dates import parse_publication_date
from bot.articles.extract_events import ExtractedEvent, extract_events
from tests.support import SEEDS

D = date


def seed(prefix: str) -> str:
    """The seed text with the scraper's header « date YYYY-MM-DD» stripped (the real cleaner
    lives in bot/articles/cleaning.py; these tests only need the body)."""
    text = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    return re.sub(r"^\s*date \d{4}-\d{2}-\d{2}\s*", "", text)


def seed_events(prefix: str) -> list[ExtractedEvent]:
    raw = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    return extract_events(seed(prefix), parse_publication_date(raw))


def brief(events: list[ExtractedEvent]) -> list[tuple]:
    return [(e.kind, e.start, e.end, e.place, e.status) for e in events]


def test_seed_004_training_in_tyumen():
    events = seed_events("004")
    assert brief(events) == [
        # «16 октября 2024 года … начала работу» + «будет работать до 18 октября»
        ("стажировка", D(2024, 10, 16), D(2024, 10, 18), "Тюмень", "announce"),
        # «вторая очная встреча специалистов состоится здесь же, в Тюмени, c 23 по 25 октября»
        ("стажировка", D(2024, 10, 23), D(2024, 10, 25), "Тюмень", "announce"),
    ]
    assert [e.title for e in events] == ["Стажировочная площадка в Тюмени"] * 2
    assert events[0].sentence.startswith("16 октября 2024 года в Тюмени начала работу")
    assert "c 23 по 25 октября" in events[1].sentence


def test_seed_000_undated_report_takes_publication_date():
    events = seed_events("000")
    assert brief(events) == [
        ("форум", D(2025, 12, 24), D(2025, 12, 24), "Мурманская область", "report")
    ]
    # «мероприятие «Профи-2025»» is called «форум «Профи-2025»» later in the article
    assert events[0].title == "Форум «Профи-2025»"
    assert "состоялось" in events[0].sentence


def test_seed_000_without_stripping_the_header_gives_the_same_event():
    raw = next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8")
    events = extract_events(raw, D(2025, 12, 24))
    assert brief(events) == [
        ("форум", D(2025, 12, 24), D(2025, 12, 24), "Мурманская область", "report")
    ]


def test_seed_002_orenburg_contest():
    events = seed_events("002")
    assert brief(events) == [
        ("конкурс", D(2024, 6, 18), D(2024, 6, 18), "Оренбургская область", "report")
    ]
    assert events[0].title == "Конкурс профессионального мастерства"


def test_seed_003_forum_has_no_date_so_no_event():
    # «В Великом Новгороде прошел форум» — the article states no date and has no
    # publication date: an undated event is not returned.
    assert seed_events("003") == []


def test_seed_001_year_unknown_so_no_events():
    # «18 октября», «С 23 по 25 октября» and no publication date: the year cannot be known.
    assert seed_events("001") == []


def test_seed_001_with_a_known_publication_date():
    events = extract_events(seed("001"), D(2024, 10, 18))
    # the repeated paragraphs give each event once
    assert brief(events) == [
        # «18 октября … завершилась трёхдневная стажировочная площадка»
        ("стажировка", D(2024, 10, 16), D(2024, 10, 18), "Тюмень", "report"),
        # «С 23 по 25 октября специалисты встретятся в Тюмени снова.» — kind from two
        # sentences back («…по итогам работы стажировочной площадки…»)
        ("стажировка", D(2024, 10, 23), D(2024, 10, 25), "Тюмень", "announce"),
        # «Далее в маршрутном графике работа стажировочных площадок в Краснодарском крае и
        # Московской области.» — next stops with no dates: planned, dated by the article
        ("стажировка", D(2024, 10, 18), D(2024, 10, 18), "Краснодарский край", "planned"),
        ("стажировка", D(2024, 10, 18), D(2024, 10, 18), "Московская область", "planned"),
    ]


def test_next_stops_without_dates_are_planned_not_guessed():
    text = (
        "27 ноября 2026 года в Калуге завершился семинар для специалистов опеки. "
        "Следующий семинар пройдёт в Перми, сроки сообщат дополнительно."
    )
    events = extract_events(text, D(2026, 11, 28))
    planned = [e for e in events if e.status == "planned"]
    assert [(e.kind, e.place) for e in planned] == [("семинар", "Пермь")]
    # a next stop that has a date is an announcement, not a plan
    dated = extract_events(
        "Семинар прошёл в Калуге. Следующий семинар пройдёт в Перми 3 марта 2027 года.",
        D(2026, 11, 28),
    )
    assert all(e.status != "planned" for e in dated)


def test_year_comes_from_an_explicit_date_when_publication_is_unknown():
    text = (
        "16 октября 2024 года в Тюмени начала работу стажировочная площадка. "
        "С 23 по 25 октября специалисты встретятся в Тюмени снова."
    )
    events = extract_events(text, None)
    assert [(e.start, e.end) for e in events] == [
        (D(2024, 10, 16), D(2024, 10, 16)),
        (D(2024, 10, 23), D(2024, 10, 25)),
    ]


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        (
            "1 марта 2027 г. в 10:00 МСК состоится вебинар «Как помочь подростку».",
            D(2026, 12, 1),
            (
                "вебинар",
                "Вебинар «Как помочь подростку»",
                D(2027, 3, 1),
                D(2027, 3, 1),
                time(10, 0),
                None,
                "announce",
            ),
        ),
        (
            (
                "Всероссийский форум специалистов по поддержке семей «Семья и дети» "
                "пройдёт в Казани с 3 по 5 марта 2027 года."
            ),
            None,
            (
                "форум",
                "Форум «Семья и дети»",
                D(2027, 3, 3),
                D(2027, 3, 5),
                None,
                "Казань",
                "announce",
            ),
        ),
        (
            "В марте 2027 года в Казани пройдёт Всероссийский форум семейных МФЦ.",
            D(2026, 11, 20),
            ("форум", "Форум в Казани", D(2027, 3, 1), D(2027, 3, 31), None, "Казань", "announce"),
        ),
        (
            "С 28 ноября по 1 декабря 2026 года в Москве пройдёт конференция по профилактике.",
            D(2026, 11, 1),
            (
                "конференция",
                "Конференция в Москве",
                D(2026, 11, 28),
                D(2026, 12, 1),
                None,
                "Москва",
                "announce",
            ),
        ),
        (
            "Круглый стол прошёл 5 декабря в Самаре.",
            D(2026, 12, 6),
            (
                "круглый стол",
                "Круглый стол в Самаре",
                D(2026, 12, 5),
                D(2026, 12, 5),
                None,
                "Самара",
                "report",
            ),
        ),
        (
            "Трёхдневный семинар пройдёт 5 мая во Владимире.",
            D(2027, 4, 1),
            (
                "семинар",
                "Семинар во Владимире",
                D(2027, 5, 5),
                D(2027, 5, 7),
                None,
                "Владимир",
                "announce",
            ),
        ),
        (
            "Мастер-класс для приёмных родителей состоится 10 декабря в Перми.",
            D(2026, 12, 1),
            (
                "мастер-класс",
                "Мастер-класс в Перми",
                D(2026, 12, 10),
                D(2026, 12, 10),
                None,
                "Пермь",
                "announce",
            ),
        ),
        # ended before publication → report, whatever the verb
        (
            "Конкурс пройдёт 5 ноября в Самаре.",
            D(2026, 12, 1),
            (
                "конкурс",
                "Конкурс в Самаре",
                D(2026, 11, 5),
                D(2026, 11, 5),
                None,
                "Самара",
                "report",
            ),
        ),
    ],
)
def test_typical_announcements(text, published, expected):
    events = extract_events(text, published)
    assert len(events) == 1, events
    e = events[0]
    assert (e.kind, e.title, e.start, e.end, e.time, e.place, e.status) == expected
    assert e.sentence == text


def test_two_events_in_one_sentence_get_their_own_kind_and_place():
    text = (
        "В Перми 10 декабря состоится мастер-класс для приёмных родителей, "
        "а 12 декабря — круглый стол в Кирове."
    )
    events = extract_events(text, D(2026, 12, 1))
    assert [(e.kind, e.start, e.place) for e in events] == [
        ("мастер-класс", D(2026, 12, 10), "Пермь"),
        ("круглый стол", D(2026, 12, 12), "Киров"),
    ]


def test_deadlines_are_not_events():
    assert (
        extract_events(
            "Заявки на участие в конкурсе принимаются до 1 февраля 2027 года.", D(2026, 12, 1)
        )
        == []
    )
    assert (
        extract_events("Приём заявок на конкурс продлится до 1 марта 2027 г.", D(2026, 12, 1)) == []
    )


def test_a_date_without_an_event_word_is_not_an_event():
    assert extract_events("18 октября в Тюмени было солнечно.", D(2024, 10, 18)) == []


def test_title_gives_the_kind_and_place():
    events = extract_events(
        "Специалисты встретятся 12 января 2027 года.",
        D(2026, 12, 1),
        title="Вебинар для специалистов органов опеки в Перми",
    )
    assert [(e.kind, e.place) for e in events] == [("вебинар", "Пермь")]


def test_title_sentence_is_used_when_not_in_the_text():
    events = extract_events(
        "Подробности на сайте.",
        D(2026, 12, 1),
        title="Форум «Семья и дети» пройдёт в Казани 3 марта 2027 года",
    )
    assert [(e.kind, e.title, e.start) for e in events] == [
        ("форум", "Форум «Семья и дети»", D(2027, 3, 3))
    ]


def test_undated_rule_needs_a_publication_date_and_a_past_verb():
    assert extract_events("В Великом Новгороде прошел форум.", None) == []
    assert extract_events("В Великом Новгороде пройдёт форум.", D(2024, 5, 1)) == []
    events = extract_events("В Великом Новгороде прошел форум.", D(2024, 5, 1))
    assert brief(events) == [("форум", D(2024, 5, 1), D(2024, 5, 1), "Великий Новгород", "report")]


def test_publication_stamp_line_is_not_an_event_date():
    text = "Победители конкурса будут представлять регион.\n18/06/2024\n"
    assert extract_events(text, D(2024, 6, 18)) == []


_PIECES = [
    "форум",
    "стажировка",
    "пройдёт",
    "прошёл",
    "состоится",
    "до",
    "с",
    "c",
    "по",
    "18",
    "23",
    "октября",
    "2024 года",
    "в Тюмени",
    "«Профи-2025»",
    ".",
    "\n",
    "трёхдневная",
    "завершилась",
    "начала работу",
    "10:00",
    "мероприятие",
    "в марте",
]


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(max_size=300) | st.lists(st.sampled_from(_PIECES)).map(" ".join),
    published=st.none() | st.dates(min_value=D(1950, 1, 1), max_value=D(2090, 12, 31)),
)
def test_never_raises_and_events_are_well_formed(text, published):
    for e in extract_events(text, published):
        assert e.start <= e.end
        assert e.status in ("announce", "report")
        assert e.title and e.sentence


def test_an_application_deadline_goes_with_its_own_event():
    """A webinar, its registration, then a seminar with its own deadline: each deadline
    shows with its event, never with the other one; a deadline before the contest's
    stages goes with the contest."""
    text = (
        "Вебинар пройдёт 10 декабря 2026 года в 11:00. "
        "Регистрация открыта до 8 декабря. "
        "Семинар пройдёт 21 января 2027 года в Новосибирске. "
        "Заявки принимаются до 15 января 2027 года."
    )
    by_kind = {e.kind: e.sentence for e in extract_events(text, D(2026, 11, 24))}
    assert "до 8 декабря" in by_kind["вебинар"] and "до 15 января" not in by_kind["вебинар"]
    assert "до 15 января" in by_kind["семинар"] and "до 8 декабря" not in by_kind["семинар"]
    contest = extract_events(
        "Стартовал конкурс «Социальный работник года». Заявки принимаются до 15 февраля "
        "2027 года. Заочный этап конкурса продлится до 15 марта 2027 года.",
        D(2026, 11, 23),
    )
    assert any("до 15 февраля" in e.sentence for e in contest)
