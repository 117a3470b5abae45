"""Errors of the curated data files in data/: one line naming the file, key and problem.

Every loader validates its file with a pydantic model (unknown keys, missing keys, bad
dates) and raises `DataFileError`; `python -m bot` prints that line and exits non-zero, so
a misspelt key can never load silently into a bot that answers «не нашёл».
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError


class DataFileError(ValueError):
    """A curated data file that cannot be used."""


def validation_line(path: Path, exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(файл)"
    return f"{path}: {where}: {first['msg']}"
