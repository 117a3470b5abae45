"""data/regions.toml and the nearest region: every region of places.toml has its centre's
coordinates, each centre is found as its own region, distances are real, and a broken file
stops the start with one line naming the file and the problem."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.articles.places import region_names
from bot.datafile import DataFileError
from bot.domain.regions import RegionBook, distance_km
from bot.domain.subscriptions import asks_for_region
from tests.support import DATA

BOOK = RegionBook.load(DATA / "regions.toml")


def test_every_region_of_places_has_its_centre():
    assert {r.name for r in BOOK.regions} == set(region_names())
    assert len(BOOK.regions) == 89
    # The centre is the capital places.toml lists first for its region.
    table = tomllib.loads((DATA / "places.toml").read_text(encoding="utf-8"))["regions"]
    first: dict[str, str] = {}
    for city, region in table.items():
        first.setdefault(region, city)
    assert {r.name: r.capital for r in BOOK.regions} == first


def test_each_centre_is_nearest_to_itself_and_inside_russia():
    for region in BOOK.regions:
        found = BOOK.nearest(region.lat, region.lon)
        assert found is not None and found[0] == region and found[1] < 0.01, region
        assert 41 <= region.lat <= 70 and (19 <= region.lon <= 180), region


@pytest.mark.parametrize(
    ("lat", "lon", "region"),
    [
        (56.84, 60.61, "Свердловская область"),  # Екатеринбург
        (58.20, 68.25, "Тюменская область"),  # Тобольск
        (67.94, 32.92, "Мурманская область"),  # Мончегорск
        (54.71, 20.51, "Калининградская область"),
        (64.73, 177.51, "Чукотский автономный округ"),  # Анадырь
        (65.0, -179.0, "Чукотский автономный округ"),  # across the antimeridian
        (44.95, 34.10, "Республика Крым"),
    ],
)
def test_nearest_region(lat, lon, region):
    found = BOOK.nearest(lat, lon)
    assert found is not None and found[0].name == region


def test_real_distances_and_far_points():
    moscow, spb = BOOK.by_name("Москва"), BOOK.by_name("Санкт-Петербург")
    assert moscow and spb
    assert 630 < distance_km(moscow.lat, moscow.lon, spb.lat, spb.lon) < 640
    assert BOOK.nearest(-33.87, 151.21) is None  # Sydney
    assert BOOK.nearest(0.0, 0.0) is None
    assert BOOK.nearest(91.0, 0.0) is None  # no such point


def test_popular_regions_and_codes():
    assert [r.name for r in BOOK.popular][:3] == ["Москва", "Санкт-Петербург", "Московская область"]
    assert BOOK.by_code(72) and BOOK.by_code(72).name == "Тюменская область"  # type: ignore[union-attr]
    assert BOOK.by_code(98) is None


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = (DATA / "regions.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "regions.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ('name = "Республика Адыгея"', 'nam = "Республика Адыгея"', "nam"),
        ("lat = 44.6098", "lat = 144.6098", "lat"),
        ("code =  2,", "code =  1,", "code repeated: 1"),
        ('name = "Республика Адыгея"', 'name = "Адыгейская республика"', "Адыгейская"),
        (
            '    "Тюменская область",\n    "Кировская',
            '    "Тюменская обл",\n    "Кировская',
            "Тюменская обл",
        ),
    ],
)
def test_a_broken_file_is_one_line_naming_the_problem(tmp_path, old, new, named):
    with pytest.raises(DataFileError) as info:
        RegionBook.load(_broken(tmp_path, old, new))
    line = str(info.value)
    assert "\n" not in line and "regions.toml" in line and named in line, line


@pytest.mark.parametrize(
    ("topic", "region"),
    [("регион", True), ("мой регион", True), ("по моему региону", True), ("Тюмень", False)],
)
def test_subscribe_region_words(topic, region):
    assert asks_for_region(topic) is region
