"""The region a person chose to tell: typed, picked by a button or read from a shared
location — kept per chat as a region name only, changed at will, deleted by /forget.

Why a region at all: events, benefits and centres differ by region, and a person who tells
theirs sees that region's events first and can get its announcements. Why only the name:
a location is read once to find the nearest regional centre and then forgotten — a point on
a map says where a family lives, a region name says little more than the questions do.

Names are those of the [regions] table of data/places.toml, which events, subscriptions
and typed places already speak; data/regions.toml adds each region's administrative centre
(for a shared location) and a short number (for buttons, whose data is ≤ 64 bytes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.articles.places import region_names, region_of
from bot.datafile import DataFileError, RegionsSpec, data_path, read_data
from bot.store import Store
from bot.text.normalize import normalize

EARTH_RADIUS_KM = 6371.0
# Farther than this from every regional centre is not a place in Russia: the farthest a
# Russian settlement lies from the nearest centre (Franz Josef Land, from Arkhangelsk) is
# about 1,900 km. Beyond it the person is asked to type their city instead.
MAX_DISTANCE_KM = 2000.0
# Words around a place when a person answers «where do you live» («я живу в Тюмени», «мы
# из Казани», «мой город — Киров»); region_of itself drops the prepositions.
_FILLER = {
    "я",
    "мы",
    "живу",
    "живем",
    "живём",
    "мой",
    "моя",
    "наш",
    "наша",
    "город",
    "регион",
    "—",
    "-",
}


@dataclass(frozen=True, slots=True)
class Region:
    code: int
    name: str
    capital: str
    lat: float
    lon: float


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine): exact enough for «which centre is nearest», and
    right across the antimeridian (Chukotka)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class RegionBook:
    """data/regions.toml, checked against places.toml: every name must be a region the
    [regions] table knows (a misspelt name could be found by location and then match no
    event). A region of places.toml without coordinates is only not found by location —
    typing still works — and the data test makes sure the shipped files cover all of them."""

    regions: tuple[Region, ...]
    popular: tuple[Region, ...]

    @classmethod
    def load(cls, path: Path | None = None) -> RegionBook:
        path = path or data_path("regions.toml")
        data = read_data(path, RegionsSpec)
        known = set(region_names())
        regions = tuple(Region(**r) for r in data["regions"])
        for index, region in enumerate(regions):
            if region.name not in known:
                raise DataFileError(
                    f"{path}: regions.{index}.name: «{region.name}» is not a region of the "
                    "[regions] table of places.toml"
                )
        by_name = {r.name: r for r in regions}
        return cls(regions, tuple(by_name[name] for name in data["popular"]))

    def by_code(self, code: int) -> Region | None:
        return next((r for r in self.regions if r.code == code), None)

    def by_name(self, name: str) -> Region | None:
        return next((r for r in self.regions if r.name == name), None)

    def nearest(self, lat: float, lon: float) -> tuple[Region, float] | None:
        """The region whose centre is nearest, with the distance in km; None when every
        centre is farther than MAX_DISTANCE_KM (not in Russia) or the point is no point."""
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        region, km = min(
            ((r, distance_km(lat, lon, r.lat, r.lon)) for r in self.regions),
            key=lambda pair: pair[1],
        )
        return (region, km) if km <= MAX_DISTANCE_KM else None


@lru_cache(maxsize=4096)
def _region_of_place(places_file: Path, place: str) -> str | None:
    return region_of(place)


def region_of_place(place: str | None) -> str | None:
    """The region an event's place lies in («Тюмень» → «Тюменская область», a region → itself),
    or None. Cached per places file: a listing asks it of every event."""
    if not place:
        return None
    return _region_of_place(data_path("places.toml"), place)


@dataclass(frozen=True)
class RegionChoice:
    """A region now kept for the chat. `subscribed`: the chat already gets that region's
    events (so the «subscribe» offer is left out). From a shared location: the nearest
    centre and how far it is (the reply says how the region was found)."""

    region: str
    subscribed: bool
    centre: str | None = None
    km: float | None = None


@dataclass(frozen=True)
class Forgotten:
    """What /forget deleted: the region (None: none was kept), and whether a subscription
    to that region's events remains (it is the person's to cancel, and they are told)."""

    region: str | None
    subscribed: bool


class Regions:
    def __init__(self, store: Store, book: RegionBook) -> None:
        self.store = store
        self.book = book

    async def current(self, chat_id: int) -> str | None:
        return await self.store.chat_region(chat_id)

    async def _keep(
        self, chat_id: int, region: str, centre: str | None = None, km: float | None = None
    ) -> RegionChoice:
        await self.store.set_chat_region(chat_id, region)
        return RegionChoice(region, await self._subscribed(chat_id, region), centre, km)

    async def _subscribed(self, chat_id: int, region: str) -> bool:
        """Has the chat a subscription to this region («/subscribe регион» stores its name)?"""
        topics = await self.store.subscriptions_of(chat_id)
        return normalize(region) in {normalize(t) for t in topics}

    async def choose_text(self, chat_id: int, text: str) -> RegionChoice | None:
        """A typed city or region in any inflection («в Тюмени», «свердловская область»,
        «мы из Казани»); None (nothing changes) when the text is no place places.toml knows
        — a text with words of its own is a question, never a place."""
        place = " ".join(w for w in text.split() if normalize(w.strip(".,!")) not in _FILLER)
        region = region_of(place) if place.strip() else None
        return await self._keep(chat_id, region) if region else None

    async def choose_code(self, chat_id: int, code: int) -> RegionChoice | None:
        """A region button; None for a code the data no longer has (a stale button)."""
        region = self.book.by_code(code)
        return await self._keep(chat_id, region.name) if region else None

    async def choose_location(self, chat_id: int, lat: float, lon: float) -> RegionChoice | None:
        """A shared location → the region of the nearest centre. The coordinates are not
        kept anywhere, not even in a log line. None: too far from every centre."""
        found = self.book.nearest(lat, lon)
        if found is None:
            return None
        region, km = found
        return await self._keep(chat_id, region.name, region.capital, km)

    async def forget(self, chat_id: int) -> Forgotten:
        region = await self.store.chat_region(chat_id)
        if region is None:
            return Forgotten(None, False)
        await self.store.forget_chat_region(chat_id)
        return Forgotten(region, await self._subscribed(chat_id, region))
