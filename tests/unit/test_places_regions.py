"""The [regions] table of data/places.toml: cities mapped to their federal subjects."""

from __future__ import annotations

import re
import tomllib

import pytest

from tests.support import DATA

PLACES_FILE = DATA / "places.toml"

FEDERAL_CITIES = {"Москва", "Санкт-Петербург", "Севастополь"}
# Republics whose official name does not start with «Республика».
ADJECTIVE_REPUBLICS = {
    "Чувашская Республика",
    "Удмуртская Республика",
    "Кабардино-Балкарская Республика",
    "Карачаево-Черкесская Республика",
    "Чеченская Республика",
    "Донецкая Народная Республика",
    "Луганская Народная Республика",
}


@pytest.fixture(scope="module")
def regions() -> dict[str, str]:
    data = tomllib.loads(PLACES_FILE.read_text(encoding="utf-8"))
    assert "regions" in data, "data/places.toml has no [regions] table"
    return data["regions"]


def _plausible_subject(name: str) -> bool:
    return (
        name.endswith(("область", "край", "округ", "Югра"))
        or name.startswith("Республика ")
        or name in FEDERAL_CITIES
        or name in ADJECTIVE_REPUBLICS
    )


def test_regions_table_is_large_enough(regions: dict[str, str]) -> None:
    assert len(regions) >= 200


def test_every_value_is_a_federal_subject(regions: dict[str, str]) -> None:
    bad = {city: region for city, region in regions.items() if not _plausible_subject(region)}
    assert not bad


def test_distinct_regions(regions: dict[str, str]) -> None:
    assert 85 <= len(set(regions.values())) <= 89


def test_no_duplicate_keys() -> None:
    # tomllib already rejects a repeated key; check the raw text too, so the test says which.
    text = PLACES_FILE.read_text(encoding="utf-8")
    section = text.split("\n[regions]\n", 1)[1].split("\n[", 1)[0]
    keys = re.findall(r'^"([^"]+)"\s*=', section, flags=re.MULTILINE)
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert not duplicates
    assert len(keys) == len(set(keys))


def test_federal_cities_map_to_themselves(regions: dict[str, str]) -> None:
    for city in FEDERAL_CITIES:
        assert regions[city] == city


@pytest.mark.parametrize(
    ("city", "region"),
    [
        ("Мончегорск", "Мурманская область"),
        ("Оренбург", "Оренбургская область"),
        ("Тюмень", "Тюменская область"),
        ("Великий Новгород", "Новгородская область"),
        ("Казань", "Республика Татарстан"),
        ("Калуга", "Калужская область"),
    ],
)
def test_known_pairs(regions: dict[str, str], city: str, region: str) -> None:
    assert regions[city] == region


def test_regions_use_the_gazetteer_names(regions: dict[str, str]) -> None:
    """A region written with a noun or in several words must be the [[place]] canonical name."""
    data = tomllib.loads(PLACES_FILE.read_text(encoding="utf-8"))
    aliases = {alias for place in data.get("place", []) for alias in place.get("aliases", [])}
    used_aliases = sorted(set(regions.values()) & aliases)
    assert not used_aliases
