"""Sentences and places of a text, worked out once per parse of a document.

The stages of the pipeline read the same text several times: the summary and the events
both split every paragraph into sentences (razdel), the dates split a sentence again to
attach times, and the events look for places in the same sentence once per date it holds,
in the sentence before it and in the title. Each of those is a pure function of the text,
so inside ``shared_analysis()`` (``parse_raw`` holds it for one document) the first answer
for a text is kept and given again; outside it nothing is kept. The memo lives as long as
one document's parse and no longer: a worker parsing upload after upload holds nothing of
the previous one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import razdel

T = TypeVar("T")

_local = threading.local()  # parsing is synchronous: one document per thread at a time


@contextmanager
def shared_analysis() -> Iterator[None]:
    """Within the block, a text's sentences (and places) are worked out once."""
    outer = getattr(_local, "memo", None)
    if outer is None:
        _local.memo = {}
    try:
        yield
    finally:
        if outer is None:
            _local.memo = None


def memoised(kind: str, text: str, compute: Callable[[str], T]) -> T:
    """``compute(text)``, remembered under (kind, text) inside ``shared_analysis()``.
    Callers must not change what they get (it may be handed out again)."""
    memo: dict[tuple[str, str], Any] | None = getattr(_local, "memo", None)
    if memo is None:
        return compute(text)
    key = (kind, text)
    try:
        return memo[key]
    except KeyError:
        value = memo[key] = compute(text)
        return value


def _split(text: str) -> tuple[Any, ...]:
    return tuple(razdel.sentenize(text))


def sentenize(text: str) -> tuple[Any, ...]:
    """razdel's sentences of ``text`` (its ``Substring``: start, stop, text), split once per
    parse."""
    return memoised("sentences", text, _split)
