"""Errors of the curated data files in data/: one line naming the file, key and problem.

Every loader validates its file with a pydantic model (unknown keys, missing keys, bad
dates) and raises `DataFileError`; `python -m bot` prints that line and exits non-zero, so
a misspelt key can never load silently into a bot that answers «не нашёл».
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.paths import DEFAULT_DATA_DIR  # data/ in a checkout, bot/_data when installed


class DataFileError(ValueError):
    """A curated data file that cannot be used."""


def describe(exc: ValidationError) -> str:
    """The most useful single problem: a misspelt key shows as an unknown key *and* a
    missing one; the unknown key is named first, with the missing one it probably meant."""
    errors = exc.errors()
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    where = ".".join(str(p) for p in first["loc"]) or "(файл)"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key"
        parent = first["loc"][:-1]
        missing = [
            str(e["loc"][-1]) for e in errors if e["type"] == "missing" and e["loc"][:-1] == parent
        ]
        if missing:
            message += f" (missing: {', '.join(missing)} — misspelt?)"
    return f"{where}: {message}"


def validation_line(path: Path, exc: ValidationError) -> str:
    return f"{path}: {describe(exc)}"


# ---------------------------------------------------------------------- where the files are


def data_dir() -> Path:
    """DATA_DIR (the setting, also read by worker processes through the environment), or
    the project's data/ folder. Every loader asks here, so DATA_DIR is honoured everywhere."""
    return Path(os.environ.get("DATA_DIR") or DEFAULT_DATA_DIR)


def data_path(name: str) -> Path:
    return data_dir() / name


# ---------------------------------------------------------------------- schemas
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _regexes(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"«{pattern}» is not a valid regular expression: {exc}") from None
    return patterns


class _DropSpec(_Strict):
    exact: list[str] = []
    patterns: list[str] = []
    _check = field_validator("patterns")(lambda cls, v: _regexes(v))


class _CutSpec(_Strict):
    exact: list[str] = []
    patterns: list[str] = []
    min_words_before: int = Field(30, ge=0)
    _check = field_validator("patterns")(lambda cls, v: _regexes(v))


class _MetadataSpec(_Strict):
    date_header: str
    date_only: list[str] = []
    photo_url: str
    source: str
    _check = field_validator("date_only")(lambda cls, v: _regexes(v))
    _one = field_validator("date_header", "photo_url", "source")(lambda cls, v: _regexes([v])[0])


class BoilerplateSpec(_Strict):
    drop: _DropSpec
    cut: _CutSpec
    metadata: _MetadataSpec


class _KindSpec(_Strict):
    name: str = Field(min_length=1)
    title: str = ""
    generic: bool = False
    triggers: list[str] = Field(min_length=1)


class EventKindsSpec(_Strict):
    kind: list[_KindSpec] = Field(min_length=1)


class _PlaceSpec(_Strict):
    name: str = Field(min_length=1)
    aliases: list[str] = []


class PlacesSpec(_Strict):
    exclude: list[str] = []
    not_places: list[str] = []
    place: list[_PlaceSpec] = []
    regions: dict[str, str] = {}


class SearchSpec(_Strict):
    stopwords: str = ""
    number_words: list[str] = []
    synonyms: list[list[str]] = []
    short_forms: dict[str, str] = {}


def read_data(path: Path, model: type[BaseModel]) -> dict[str, Any]:
    """A curated TOML file, validated: its content as plain data, or DataFileError."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return model.model_validate(raw).model_dump()
    except ValidationError as exc:
        raise DataFileError(validation_line(path, exc)) from None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: {exc}") from None


SCHEMAS: dict[str, type[BaseModel]] = {
    "boilerplate.toml": BoilerplateSpec,
    "event_kinds.toml": EventKindsSpec,
    "places.toml": PlacesSpec,
    "search.toml": SearchSpec,
}


def validate_data_files(folder: Path | None = None) -> None:
    """Check every curated file whose loader is lazy (read on first use, maybe inside an
    upload): a bad one must stop the start, not the first upload."""
    folder = folder or data_dir()
    for name, model in SCHEMAS.items():
        read_data(folder / name, model)


# ---------------------------------------------------------------------- regions.toml
class _RegionSpec(_Strict):
    code: int = Field(ge=1, le=99)
    name: str = Field(min_length=1)
    capital: str = Field(min_length=1)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class RegionsSpec(_Strict):
    """data/regions.toml: each region's administrative centre, for a shared location.
    Codes and names are unique (a code is what a region button carries); the popular
    regions are names of the list. Whether the names are those of places.toml is checked
    by the loader (`bot.domain.regions.RegionBook.load`), which knows that table."""

    popular: list[str] = []
    regions: list[_RegionSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> RegionsSpec:
        for what, values in (
            ("code", [str(r.code) for r in self.regions]),
            ("name", [r.name for r in self.regions]),
        ):
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise ValueError(f"{what} repeated: {', '.join(repeated)}")
        names = {r.name for r in self.regions}
        unknown = [p for p in self.popular if p not in names]
        if unknown:
            raise ValueError(f"popular names a region the list lacks: {', '.join(unknown)}")
        return self
