"""Service cards: curated facts in data/cards.toml (TOML: readable by a non-programmer)."""

from __future__ import annotations

import tomllib
from pathlib import Path


def load_cards(path: Path) -> list[dict]:
    """Cards in file order; each has at least id, title, summary, source and as_of."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    cards = raw.get("card", [])
    for card in cards:
        missing = [k for k in ("id", "title", "summary", "source", "as_of") if not card.get(k)]
        if missing:
            raise ValueError(f"{path.name}: card {card.get('id', '?')} lacks {', '.join(missing)}")
        card["as_of"] = str(card["as_of"])
        # A fact is a line, or {text, about}: `about` lists the questions it answers
        # («сколько центров»), so a question gets the fact rather than the whole card.
        facts = [f if isinstance(f, dict) else {"text": f} for f in card.get("facts", [])]
        card["facts"] = [f["text"] for f in facts]
        card["fact_about"] = [f.get("about", "") for f in facts]
    return cards
