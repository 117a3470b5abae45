"""The directory of centres: saving replaces every region the rows name; uploads wait
for «Сохранить» and are refused when gone or stale."""

from __future__ import annotations

from bot.store.base import CentreRow, SavedCentres
from tests.contract.builders import centre

TYU = "Тюменская область"
KUR = "Курганская область"
TTL = 86_400.0


async def test_save_centres_replaces_the_regions_named(store):
    first = [
        centre("Центр А", TYU, kind="КЦСОН", lat=57.1522, lon=65.5272),
        centre("Центр Б", TYU, kind="Опека", city="Ишим"),
        centre("Центр В", KUR, kind="КЦСОН", city="Курган"),
    ]
    assert await store.save_centres(777, "a.xlsx", first, 1000.0) == {TYU: 0, KUR: 0}
    assert await store.centres_in(TYU) == first[:2]  # in the order uploaded
    assert await store.centres_in(KUR) == first[2:]
    assert await store.centres_in("Омская область") == []

    second = [centre("Центр Г", TYU, kind="Опека", phones="+7 3452 00-00-00", hours="9–18")]
    assert await store.save_centres(777, "b.xlsx", second, 2000.0) == {TYU: 2}
    assert await store.centres_in(TYU) == second
    assert await store.centres_in(KUR) == first[2:]  # not named: kept


async def test_centre_rows_round_trip(store):
    row = CentreRow(
        name="Семейный МФЦ «Радуга»",
        kind="Семейный МФЦ",
        region=TYU,
        city="Тюмень",
        address="ул. Республики, 1, каб. 5",
        phones="8 (3452) 00-00-00; 8 800 000-00-00",
        hours="пн–пт 9:00–18:00",
        site="https://example.org/радуга",
        lat=57.153012,
        lon=65.534328,
    )
    await store.save_centres(1, "c.xlsx", [row], 1000.0)
    [got] = await store.centres_in(TYU)
    assert got == row
    assert type(got.lat) is float and type(got.lon) is float


async def test_located_kinds_places_and_counts(store):
    rows = [
        centre("А", TYU, kind="КЦСОН", city="Тюмень", lat=57.1, lon=65.5),
        centre("Б", TYU, kind="Опека", city="Ишим"),
        centre("В", TYU, kind="КЦСОН", city="Тюмень", lat=57.2, lon=65.6),
        centre("Г", KUR, kind="Опека", city="Курган", lat=55.4, lon=65.3),
        centre("Д", TYU, kind="Центр", city="Тобольск"),
    ]
    await store.save_centres(1, "d.xlsx", rows, 1000.0)
    assert [c.name for c in await store.located_centres()] == ["А", "В", "Г"]
    assert await store.centre_kinds() == ["КЦСОН", "Опека", "Центр"]
    assert await store.centre_places() == [
        ("Курган", KUR),
        ("Ишим", TYU),
        ("Тобольск", TYU),
        ("Тюмень", TYU),
    ]
    assert await store.centre_counts() == [
        (KUR, "Опека", 1),
        (TYU, "КЦСОН", 2),
        (TYU, "Опека", 1),
        (TYU, "Центр", 1),
    ]


async def test_a_staged_upload_is_saved_once_when_confirmed(store):
    rows = [centre("А", TYU), centre("Б", KUR)]
    upload = await store.stage_centres(777, "e.xlsx", rows, 1000.0, TTL)
    assert isinstance(upload, int)
    assert await store.centres_in(TYU) == []  # nothing saved yet
    saved = await store.confirm_centres(upload, 1060.0, TTL)
    assert saved == SavedCentres("saved", rows, {TYU: 0, KUR: 0})
    assert await store.centres_in(TYU) == rows[:1]
    assert await store.confirm_centres(upload, 1070.0, TTL) == SavedCentres("gone", [], {})
    assert await store.confirm_centres(999_999, 1070.0, TTL) == SavedCentres("gone", [], {})


async def test_an_expired_upload_is_gone(store):
    upload = await store.stage_centres(777, "f.xlsx", [centre("А", TYU)], 1000.0, TTL)
    assert await store.confirm_centres(upload, 1000.0 + TTL + 1, TTL) == SavedCentres(
        "gone", [], {}
    )
    assert await store.centres_in(TYU) == []


async def test_staging_drops_expired_pending_uploads(store):
    old = await store.stage_centres(777, "old.xlsx", [centre("А", TYU)], 1000.0, TTL)
    kept = await store.stage_centres(777, "kept.xlsx", [centre("Б", TYU)], 2000.0, TTL)
    new = await store.stage_centres(777, "new.xlsx", [centre("В", KUR)], 1000.0 + TTL + 5, TTL)
    assert len({old, kept, new}) == 3
    # even with a longer ttl now, the old upload is no more
    assert (await store.confirm_centres(old, 1000.0 + TTL + 6, 10 * TTL)).status == "gone"
    assert await store.centres_in(TYU) == []
    assert (await store.confirm_centres(kept, 1000.0 + TTL + 6, TTL)).status == "saved"


async def test_the_button_of_a_dropped_upload_never_saves_another(store):
    old = await store.stage_centres(777, "old.xlsx", [centre("Старый", TYU)], 1000.0, TTL)
    new = await store.stage_centres(778, "new.xlsx", [centre("Новый", KUR)], 1000.0 + TTL + 5, TTL)
    assert new != old
    assert await store.confirm_centres(old, 1000.0 + TTL + 6, TTL) == SavedCentres("gone", [], {})
    assert await store.centres_in(KUR) == []


async def test_an_upload_older_than_a_saved_one_is_stale(store):
    older = await store.stage_centres(777, "old.xlsx", [centre("Старый", TYU)], 1000.0, TTL)
    newer = await store.stage_centres(778, "new.xlsx", [centre("Новый", TYU)], 1010.0, TTL)
    assert (await store.confirm_centres(newer, 1020.0, TTL)).status == "saved"
    assert await store.confirm_centres(older, 1030.0, TTL) == SavedCentres("stale", [], {})
    assert [c.name for c in await store.centres_in(TYU)] == ["Новый"]

    staged = await store.stage_centres(777, "again.xlsx", [centre("Опять", TYU)], 1040.0, TTL)
    await store.save_centres(779, "direct.xlsx", [centre("Прямо", KUR)], 1050.0)
    assert (await store.confirm_centres(staged, 1060.0, TTL)).status == "stale"
    assert [c.name for c in await store.centres_in(TYU)] == ["Новый"]


async def test_names_are_sorted_by_their_bytes(store):
    """Kinds and places as written in the uploads, in one order on every backend (byte
    order, as SQLite compares text): capitals before small letters, Latin before Cyrillic."""
    rows = [
        centre("А", TYU, kind="опека", city="тюмень"),
        centre("Б", TYU, kind="Семейный МФЦ", city="Тюмень"),
        centre("В", TYU, kind="КЦСОН", city="Ёлкино"),
        centre("Г", TYU, kind="Opeka", city="Ишим"),
        centre("Д", TYU, kind="опека", city="Ишим"),
    ]
    await store.save_centres(1, "g.xlsx", rows, 1000.0)
    assert await store.centre_kinds() == ["Opeka", "КЦСОН", "Семейный МФЦ", "опека"]
    assert await store.centre_places() == [
        ("Ёлкино", TYU),
        ("Ишим", TYU),
        ("Тюмень", TYU),
        ("тюмень", TYU),
    ]
    assert await store.centre_counts() == [
        (TYU, "опека", 2),
        (TYU, "Opeka", 1),
        (TYU, "КЦСОН", 1),
        (TYU, "Семейный МФЦ", 1),
    ]
