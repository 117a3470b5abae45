"""Events by date: what is coming, what was, what is planned without dates."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.contract.builders import article, event

D = dt.date(2024, 10, 10)


def day(offset: int) -> dt.date:
    return D + dt.timedelta(days=offset)


@pytest.fixture
async def calendar(store):
    """Events around D (by title), from two articles; some 'planned' (no dates given)."""
    first = await store.add_article(
        article(1, title="Первая", source_url="https://example.org/1"),
        [
            event(day(-10), day(-8), title="past-long"),
            event(day(-3), title="past"),
            event(day(-2), day(0), title="ends-today"),  # ends on D: not over yet
            event(day(0), title="today", time=dt.time(9, 5)),
            event(day(5), title="soon"),
            event(day(-1), title="planned-recent", status="planned"),
            event(day(-400), title="planned-old", status="planned"),
        ],
    )
    second = await store.add_article(
        article(2, title="Вторая"),
        [
            event(day(5), title="soon-too", status="report"),
            event(day(30), day(32), title="later"),
            event(day(-1), day(-1), title="yesterday"),
            event(day(-30), title="planned-month", status="planned"),
        ],
    )
    return first, second


def titles(rows) -> list[str]:
    return [e.title for e in rows]


async def test_events_from_gives_what_has_not_ended_soonest_first(store, calendar):
    rows = await store.events_from(D)
    assert titles(rows) == ["ends-today", "today", "soon", "soon-too", "later"]
    # ties on the start day come in the order they were stored
    assert rows[2].id < rows[3].id
    assert titles(await store.events_from(D, limit=2)) == ["ends-today", "today"]
    assert titles(await store.events_from(day(1))) == ["soon", "soon-too", "later"]
    assert titles(await store.events_from(day(33))) == []


async def test_events_before_gives_what_has_ended_latest_first(store, calendar):
    assert titles(await store.events_before(D)) == ["yesterday", "past", "past-long"]
    assert titles(await store.events_before(D, limit=1)) == ["yesterday"]
    assert titles(await store.events_before(day(1))) == [
        "today",
        "ends-today",
        "yesterday",
        "past",
        "past-long",
    ]
    assert titles(await store.events_before(day(-10))) == []


async def test_planned_events_are_only_recent_plans(store, calendar):
    assert titles(await store.planned_events(D)) == ["planned-recent", "planned-month"]
    assert titles(await store.planned_events(D, within_days=7)) == ["planned-recent"]
    assert titles(await store.planned_events(D, within_days=1)) == ["planned-recent"]
    assert titles(await store.planned_events(D, within_days=500)) == [
        "planned-recent",
        "planned-month",
        "planned-old",
    ]
    assert all(e.status == "planned" for e in await store.planned_events(D, 500))


async def test_planned_events_are_at_most_fifty(store):
    await store.add_article(
        article("many"), [event(day(-n), title=f"p{n}", status="planned") for n in range(60)]
    )
    rows = await store.planned_events(D)
    assert len(rows) == 50
    assert titles(rows) == [f"p{n}" for n in range(50)]


async def test_events_starting_between_is_inclusive_and_skips_plans(store, calendar):
    assert titles(await store.events_starting_between(day(-3), day(0))) == [
        "past",
        "ends-today",
        "yesterday",
        "today",
    ]
    rows = await store.events_starting_between(day(5), day(5))
    assert sorted(titles(rows)) == ["soon", "soon-too"]
    assert titles(await store.events_starting_between(day(6), day(29))) == []
    assert titles(await store.events_starting_between(day(-500), day(-4))) == ["past-long"]


async def test_events_of_article_and_get_event_include_plans(store, calendar):
    first, second = calendar
    rows = await store.events_of_article(second)
    assert titles(rows) == ["planned-month", "yesterday", "soon-too", "later"]
    assert {e.article_id for e in rows} == {second}
    planned = rows[0]
    assert await store.get_event(planned.id) == planned
    assert await store.get_event(999_999) is None


async def test_an_event_row_carries_its_article(store, calendar):
    first, _ = calendar
    [today] = [e for e in await store.events_from(D) if e.title == "today"]
    assert today.article_id == first
    assert today.article_title == "Первая"
    assert today.source_url == "https://example.org/1"
    assert (today.start, today.end, today.time) == (D, D, "09:05")
    assert await store.get_event(today.id) == today
    [later] = [e for e in await store.events_from(D) if e.title == "later"]
    assert later.article_title == "Вторая"
    assert later.source_url is None
    assert (later.start, later.end) == (day(30), day(32))
    assert later.status == "announce"
