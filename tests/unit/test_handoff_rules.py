"""The rules of a hand-off that need no Telegram: asking for a person in words, the hours."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.handoff import SupportHours, asks_for_person
from bot.search.analysis import Message
from bot.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    "text",
    [
        "хочу поговорить с человеком",
        "Можно поговорить с живым человеком?",
        "позовите оператора",
        "оператор",
        "живой человек",
        "хочу поговорить с психологом",
        "как связаться со специалистом",
        "соедините со специалистом пожалуйста",
        "мне нужен психолог",
    ],
)
def test_asking_for_a_person_in_words(text: str) -> None:
    assert asks_for_person(Message(text)), text


@pytest.mark.parametrize(
    "text",
    [
        "стажировка для психологов",
        "когда форум для специалистов",
        "телефон доверия",
        "что такое семейный мфц",
        "сколько человек работает в центре",
        "как связаться со специалистом семейного мфц",
        "психолог в школе обязан сообщать родителям о моих проблемах, и я не знаю что делать "
        "потому что боюсь",
    ],
)
def test_questions_about_people_are_not_requests_for_one(text: str) -> None:
    assert not asks_for_person(Message(text)), text


def test_support_hours_open_and_next_opening() -> None:
    hours = SupportHours.parse("9-18 Europe/Moscow")
    msk = hours.tz
    assert hours.is_open(dt.datetime(2026, 11, 30, 10, 0, tzinfo=msk))
    assert not hours.is_open(dt.datetime(2026, 11, 30, 18, 0, tzinfo=msk))
    late = dt.datetime(2026, 11, 30, 22, 15, tzinfo=msk)
    assert hours.next_opening(late) == dt.datetime(2026, 12, 1, 9, 0, tzinfo=msk)
    early = dt.datetime(2026, 11, 30, 7, 0, tzinfo=msk)
    assert hours.next_opening(early) == dt.datetime(2026, 11, 30, 9, 0, tzinfo=msk)
    assert SupportHours.parse("9:30-17:45 Asia/Yekaterinburg").start == dt.time(9, 30)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("с 9 до 18", "time zone"),
        ("18-9 Europe/Moscow", "after the start"),
        ("9-18 Mars/Olympus", "unknown time zone"),
        ("25-26 Europe/Moscow", "hours are"),
    ],
)
def test_bad_support_hours_stop_the_start_with_one_line(value: str, reason: str) -> None:
    with pytest.raises(SettingsError, match=reason):
        load_settings(support_hours=value)


def test_support_chat_must_be_a_group_id() -> None:
    with pytest.raises(SettingsError, match="supergroup"):
        load_settings(support_chat_id="12345")
    assert load_settings(support_chat_id="-1001234567890").support_chat_id == -1001234567890
