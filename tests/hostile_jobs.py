"""Worker jobs for tests/bot/test_hostile_uploads.py, in a module of their own.

A worker imports its job by name; from here that costs the parsing modules it already has,
where importing the test module would pull in pytest, the harness and aiogram in every fresh
worker.
"""

from __future__ import annotations

from datetime import date

from bot.articles.parse import ParsedArticle, parse_document

SPIN = b"SPIN: parse me forever"
HOG = b"HOG: eat memory"


def spin_or_hog(data: bytes, filename: str, uploaded: date | None = None) -> ParsedArticle:
    """The real pipeline, except for two marker files: what no honest file does the same
    way on every machine — spin until killed, or eat memory until the cap."""
    if data.startswith(SPIN):
        while True:  # what a parser stuck in a pathological input looks like from outside
            pass
    if data.startswith(HOG):
        hoard = []
        while True:
            hoard.append(bytearray(64 * 1024 * 1024))
    return parse_document(data, filename, uploaded)
