"""Shared helpers of the benchmarks: paths, settings, percentiles."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
TODAY = dt.date(2024, 10, 10)
CORPUS_SEED = 1


def settings_for(db: Path | str, **overrides: Any):
    """Settings of a bench bot on the store `db`: a SQLite file, or a postgresql:// URL."""
    from bot.settings import load_settings

    if isinstance(db, str) and db.startswith(("postgresql://", "postgres://")):
        url = db
    else:
        db = Path(db)
        url = f"sqlite:///{db.resolve()}" if not str(db).startswith("/") else f"sqlite:///{db}"
    values: dict[str, Any] = {
        "database_url": url,
        "admin_ids": "",
        "bot_today": TODAY,
        "flood_limit": 0,
        "bot_token": None,
        "telegram_api_base": None,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return load_settings(**values)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[k]


def store_key(size: int, seed: int) -> str:
    """Cache key of a built store: size, seed, the corpus code and the index version.

    Not the schema version: Store.open applies new migrations to a cached store."""
    from bot.search.analysis import INDEX_VERSION

    corpus = hashlib.sha256((BENCH / "corpus.py").read_bytes()).hexdigest()[:8]
    return f"{size}_s{seed}_c{corpus}_i{INDEX_VERSION}"
