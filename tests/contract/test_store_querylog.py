"""The query log (redacted questions, no one's id), the crisis counter, the audit log."""

from __future__ import annotations

import datetime as dt

from bot.store.base import WeekShare


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def test_query_stats_counts_questions_and_misses(store):
    for text, found in [
        ("mfc address", True),
        ("MFC Address", True),  # the same question, other case
        ("mfc address", False),
        ("opeka", False),
        ("opeka", False),
        ("school", True),
    ]:
        await store.log_query(text, "search", found)
    stats = await store.query_stats(utcnow() - dt.timedelta(days=1))
    assert stats["total"] == 6
    assert stats["top"] == [("mfc address", 3), ("opeka", 2), ("school", 1)]
    assert stats["missed"] == [("opeka", 2), ("mfc address", 1)]
    assert stats["crisis"] == 0
    top = await store.query_stats(utcnow() - dt.timedelta(days=1), top=1)
    assert top["top"] == [("mfc address", 3)]
    assert top["missed"] == [("opeka", 2)]
    later = await store.query_stats(utcnow() + dt.timedelta(minutes=5))
    assert (later["total"], later["top"], later["missed"]) == (0, [], [])


async def test_query_stats_ties_are_in_text_order(store):
    for text in ["bb", "aa", "cc", "aa", "bb", "cc"]:
        await store.log_query(text, "search", False)
    stats = await store.query_stats(utcnow() - dt.timedelta(days=1))
    assert stats["top"] == [("aa", 2), ("bb", 2), ("cc", 2)]


async def test_the_crisis_counter_is_counted_by_day(store):
    today = utcnow().date()
    await store.count_crisis(today)
    await store.count_crisis(today)
    await store.count_crisis(today - dt.timedelta(days=1))
    await store.count_crisis(today - dt.timedelta(days=10))
    since_yesterday = utcnow() - dt.timedelta(days=1)
    assert (await store.query_stats(since_yesterday))["crisis"] == 3
    assert (await store.query_stats(utcnow() - dt.timedelta(days=30)))["crisis"] == 4
    assert (await store.query_stats(utcnow()))["crisis"] == 2
    assert (await store.query_stats(utcnow() + dt.timedelta(days=2)))["crisis"] == 0
    assert (await store.query_stats(since_yesterday))["total"] == 0  # not questions


async def test_long_questions_are_cut_at_500(store):
    await store.log_query("x" * 700, "search", False)
    [(text, n)] = (await store.query_stats(utcnow() - dt.timedelta(days=1)))["top"]
    assert (text, n) == ("x" * 500, 1)


async def test_purge_queries_removes_older_rows(store):
    await store.log_query("first", "search", True)
    await store.log_query("second", "search", False)
    assert await store.purge_queries(utcnow() - dt.timedelta(hours=1)) == 0
    assert await store.purge_queries(utcnow() + dt.timedelta(minutes=1)) == 2
    assert (await store.query_stats(utcnow() - dt.timedelta(days=1)))["total"] == 0
    assert await store.purge_queries(utcnow() + dt.timedelta(minutes=1)) == 0


async def test_missed_by_week_counts_questions_of_monday_weeks(store):
    await store.log_query("a", "search", True)
    await store.log_query("b", "search", False)
    await store.log_query("c", "centres", False)
    today = utcnow().date()
    monday = today - dt.timedelta(days=today.weekday())
    weeks = await store.missed_by_week(today - dt.timedelta(weeks=4))
    assert weeks == [WeekShare(monday, 3, 2)]
    assert type(weeks[0].start) is dt.date
    assert weeks[0].start.weekday() == 0
    assert await store.missed_by_week(today + dt.timedelta(days=1)) == []


async def log_at(raw, ts: str, text: str, found: bool) -> None:
    """A question logged at `ts` (the store logs with the clock's time only)."""
    await raw(
        "INSERT INTO query_log(ts, text, intent, found) "
        f"VALUES('{ts}', '{text}', 'search', {'true' if found else 'false'})"
    )


async def test_weeks_start_on_monday_utc(store, raw):
    await log_at(raw, "2024-09-29T12:00:00+00:00", "before since", False)  # a Sunday
    await log_at(raw, "2024-10-01T00:00:00+00:00", "tuesday", True)
    await log_at(raw, "2024-10-06T23:59:59+00:00", "sunday night", False)
    await log_at(raw, "2024-10-07T00:00:00+00:00", "monday", False)
    await log_at(raw, "2024-10-20T10:00:00+00:00", "two weeks on", True)
    assert await store.missed_by_week(dt.date(2024, 10, 1)) == [
        WeekShare(dt.date(2024, 9, 30), 2, 1),
        WeekShare(dt.date(2024, 10, 7), 1, 1),
        WeekShare(dt.date(2024, 10, 14), 1, 0),  # weeks without questions are left out
    ]
    assert await store.missed_by_week(dt.date(2024, 9, 1)) == [
        WeekShare(dt.date(2024, 9, 23), 1, 1),
        WeekShare(dt.date(2024, 9, 30), 2, 1),
        WeekShare(dt.date(2024, 10, 7), 1, 1),
        WeekShare(dt.date(2024, 10, 14), 1, 0),
    ]


async def test_purge_and_stats_bounds_are_to_the_second(store, raw):
    await log_at(raw, "2024-10-01T10:00:00+00:00", "old", False)
    await log_at(raw, "2024-10-01T10:00:01+00:00", "new", False)
    bound = dt.datetime(2024, 10, 1, 10, 0, 1, tzinfo=dt.UTC)
    stats = await store.query_stats(bound)
    assert (stats["total"], stats["top"]) == (1, [("new", 1)])  # from `since` on
    assert await store.purge_queries(bound) == 1  # before it
    assert (await store.query_stats(bound - dt.timedelta(days=1)))["top"] == [("new", 1)]


async def test_audit_newest_first(store):
    await store.audit(777, "delete", "#12")
    await store.audit(778, "stats")
    await store.audit(777, "upload", "y" * 700)
    rows = await store.recent_audit()
    assert [(aid, action, detail) for _, aid, action, detail in rows] == [
        (777, "upload", "y" * 500),
        (778, "stats", ""),
        (777, "delete", "#12"),
    ]
    ts = rows[0][0]
    assert isinstance(ts, str)  # the stats view shows ts[:16]
    when = dt.datetime.fromisoformat(ts)
    assert abs((utcnow() - when.replace(tzinfo=when.tzinfo or dt.UTC)).total_seconds()) < 120
    assert [r[2] for r in await store.recent_audit(limit=2)] == ["upload", "stats"]
