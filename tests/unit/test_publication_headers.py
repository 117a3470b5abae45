"""Publication dates and sources of pages pasted the way admins paste them (issue #18).

Headers and footers as regional news sites print them: the page's URL above or below the
text, datelines with «г.», «Опубликовано 27.11.26 10:15», «Дата публикации: 27 нояб. 2026»,
a date only in the URL's path. What an editor sees: the headline as the title, the site as
the source, the day the page was published — never an event's day, never after the upload.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.articles.dates import parse_publication_date, standalone_date, url_date
from bot.articles.parse import parse_document

UPLOADED = date(2026, 11, 30)
LEAD = (
    "Специалисты центра помогут родителям оформить пособия, получить консультацию "
    "психолога и юриста, записать ребёнка в кружки."
)


def read(text: str, uploaded: date | None = UPLOADED):
    return parse_document(text.encode("utf-8"), "paste.txt", uploaded)


def test_url_on_the_first_line_is_the_source_not_the_title():
    article = read(
        "https://www.nsk.kp.ru/online/news/2026/11/27/family-centre/\n"
        "В Новосибирске открылся семейный многофункциональный центр\n"
        f"{LEAD}\n"
    )
    assert article.title == "В Новосибирске открылся семейный многофункциональный центр"
    assert article.source_url == "https://www.nsk.kp.ru/online/news/2026/11/27/family-centre/"
    assert article.published == date(2026, 11, 27)  # only the URL's path says it
    assert "https://" not in article.body


def test_url_on_the_second_line_is_not_glued_to_the_title_and_dateline_wins_over_event():
    article = read(
        "Форум приёмных семей пройдёт в Новосибирске\n"
        "https://nso.ru/news/74121\n"
        "Новосибирск, 27 ноября 2026 г.\n"
        "10 декабря 2026 года в Новосибирске пройдёт областной форум приёмных семей. "
        "Участие бесплатное, регистрация открыта на сайте министерства.\n"
    )
    assert article.title == "Форум приёмных семей пройдёт в Новосибирске"
    assert article.source_url == "https://nso.ru/news/74121"
    assert article.published == date(2026, 11, 27)
    assert [e.start for e in article.events] == [date(2026, 12, 10)]
    assert "27 ноября 2026 г." not in article.body


def test_published_label_with_two_digit_year_and_time():
    article = read(
        "Опубликовано 27.11.26 10:15\n"
        "В Тюмени заработала горячая линия для родителей подростков\n"
        f"{LEAD}\n"
    )
    assert article.title == "В Тюмени заработала горячая линия для родителей подростков"
    assert article.published == date(2026, 11, 27)


@pytest.mark.parametrize(
    "footer",
    ["Дата публикации: 27 нояб. 2026", "Дата: 27 ноя 2026", "Опубликовано: 27.11.2026 г."],
)
def test_footer_date_in_any_written_form(footer):
    article = read(
        "Кузбасс: семьи с детьми-инвалидами получат выплату\n"
        "Выплата назначается на каждого ребёнка. Заявление принимают МФЦ и Госуслуги, "
        "решение приходит в течение десяти рабочих дней.\n"
        "Прием заявлений продлится до 20 декабря 2026 года, подробности на сайте министерства.\n"
        f"{footer}\n"
    )
    assert article.published == date(2026, 11, 27)
    assert footer not in article.body


def test_url_in_the_footer_is_the_source():
    article = read(
        "Семейный МФЦ открылся в Оренбурге\n"
        f"{LEAD}\n"
        "Оренбург, 26 ноября 2026 г.\n"
        "Источник фото: пресс-служба\n"
        "orenburg.example/news/20261126/mfc\n"
    )
    assert article.source_url is None  # no scheme, no www: not an address line
    article = read(
        f"Семейный МФЦ открылся в Оренбурге\n{LEAD}\nhttps://orenburg.example/news/20261126/mfc\n"
    )
    assert article.source_url == "https://orenburg.example/news/20261126/mfc"
    assert article.published == date(2026, 11, 26)


def test_a_publication_date_after_the_upload_is_not_stored():
    text = (
        "Опубликовано: 05.12.2026\n"
        "Конференция по профилактике сиротства\n"
        "5 марта 2027 года в Казани пройдёт конференция по профилактике социального "
        "сиротства для специалистов опеки.\n"
    )
    assert read(text).published is None
    assert read(text, uploaded=date(2026, 12, 6)).published == date(2026, 12, 5)


def test_an_event_date_in_the_lead_is_not_the_publication_date():
    article = read(
        "Конференция по профилактике сиротства\n"
        "5 марта 2027 года в Казани пройдёт конференция по профилактике социального "
        "сиротства для специалистов опеки.\n"
    )
    assert article.published is None
    assert [e.start for e in article.events] == [date(2027, 3, 5)]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Новосибирск, 27 ноября 2026 г.", date(2026, 11, 27)),
        ("г. Тюмень, 16.10.2024", date(2024, 10, 16)),
        ("Нижний Новгород, 27 нояб. 2026, 10:15", date(2026, 11, 27)),
        ("Опубликовано 27.11.26 10:15", date(2026, 11, 27)),
        ("Дата публикации 27 ноя 2026", date(2026, 11, 27)),
        ("Размещено: 1 декабря 2026 года", date(2026, 12, 1)),
        ("Семинар, 10 декабря 2026 г. в 10:00, онлайн", None),
        ("Приём заявлений до 27 ноября 2026 г.", None),
        ("Обновлено: 27.11.2026", None),
    ],
)
def test_standalone_date_lines(line, expected):
    assert standalone_date(line) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://tass.ru/obschestvo/2024/12/28/semya", date(2024, 12, 28)),
        ("https://ria.ru/20241228/mfc-1991234567.html", date(2024, 12, 28)),
        ("https://72.ru/text/family/2024-12-28/news", date(2024, 12, 28)),
        ("https://nso.ru/news/74121", None),
        ("https://site.ru/news/2024/13/45/", None),
        (None, None),
    ],
)
def test_url_date(url, expected):
    assert url_date(url) == expected


def test_parse_publication_date_skips_candidates_after_the_upload():
    text = "Опубликовано: 05.12.2026\nЧто-то\n18/06/2024\n"
    assert parse_publication_date(text) == date(2026, 12, 5)
    assert parse_publication_date(text, not_after=UPLOADED) == date(2024, 6, 18)
