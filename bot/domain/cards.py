"""Service cards: curated facts in data/cards.toml (TOML: readable by a non-programmer).

Validated at load with pydantic: an unknown or missing key, or an «as of» date that is not
a date, stops the start with one line naming the file, the card and the problem — instead
of loading and then failing in every reply that shows the card.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.datafile import DataFileError, describe


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FactSpec(_Strict):
    text: str = Field(min_length=1)
    about: str = ""


class LinkSpec(_Strict):
    text: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://\S+$")


class CardSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]{1,20}$")
    title: str = Field(min_length=1)
    phone: str = ""
    dial: str = ""
    summary: str = Field(min_length=1)
    facts: list[str | FactSpec] = []
    links: list[LinkSpec] = []
    keywords: list[str] = []
    # Words that alone make a question about this service («пособие», «выплата»): when the
    # search finds nothing better, such a question gets this card rather than «не нашёл».
    topics: list[str] = []
    source: str = Field(min_length=1)
    as_of: dt.date

    @field_validator("as_of", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"дата «{value}» должна быть в виде ГГГГ-ММ-ДД") from None
        return value


class CardsFile(_Strict):
    card: list[CardSpec] = Field(min_length=1)


def load_cards(path: Path) -> list[dict]:
    """Cards in file order, as plain dicts (stored as JSON): facts as lines, with the
    questions each answers in `fact_about`, and `as_of` as an ISO string."""
    try:
        spec = CardsFile.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        line = describe(exc)
        loc = exc.errors()[0]["loc"]
        if len(loc) >= 2 and loc[0] == "card" and isinstance(loc[1], int):
            raw = tomllib.loads(path.read_text(encoding="utf-8"))["card"][loc[1]]
            line = line.replace(f"card.{loc[1]}.", f"card «{raw.get('id', loc[1])}».", 1)
        raise DataFileError(f"{path}: {line}") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataFileError(f"{path}: {exc}") from None
    ids = [c.id for c in spec.card]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise DataFileError(f"{path}: card id «{duplicated[0]}» повторяется")
    cards = []
    for c in spec.card:
        facts = [f if isinstance(f, FactSpec) else FactSpec(text=f) for f in c.facts]
        card = c.model_dump(exclude={"facts", "links", "as_of"})
        card.update(
            facts=[f.text for f in facts],
            fact_about=[f.about for f in facts],
            links=[link.model_dump() for link in c.links],
            as_of=c.as_of.isoformat(),
        )
        cards.append({k: v for k, v in card.items() if v != ""})
    return cards
