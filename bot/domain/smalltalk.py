"""Small talk: «привет», «спасибо», «меню», «что ты умеешь», «пока» get a short friendly
reply with the menu instead of a search that can only say «не нашёл».

The words live in ``data/smalltalk.toml`` (validated at load). A message is small talk
only when every word of it is a small-talk or filler word, so «привет, где МФЦ» still
goes to the search. One typo is forgiven in words of six letters or more.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rapidfuzz.distance import Levenshtein

from bot.datafile import DataFileError, validation_line
from bot.text.normalize import words

FUZZY_MIN_LENGTH = 6
LENIENT_WORDS = 6


class _GroupSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(min_length=1)
    words: list[str] = Field(min_length=1)
    reply: str = Field(min_length=1)


class _FileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filler: list[str] = []
    group: list[_GroupSpec] = Field(min_length=1)


@dataclass(frozen=True)
class SmallTalk:
    key: str
    reply: str


class SmallTalkReader:
    def __init__(self, spec: _FileSpec) -> None:
        self.filler = frozenset(w for f in spec.filler for w in words(f))
        self.groups = [
            (g.key, g.reply, frozenset(w for p in g.words for w in words(p))) for g in spec.group
        ]
        self.phrases = [
            (g.key, g.reply, [" ".join(words(p)) for p in g.words if words(p)]) for g in spec.group
        ]
        self.vocabulary = frozenset(w for _, _, ws in self.groups for w in ws)
        self._long = sorted(w for w in self.vocabulary if len(w) >= FUZZY_MIN_LENGTH)

    @classmethod
    def from_file(cls, path: Path) -> SmallTalkReader:
        try:
            spec = _FileSpec.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
        except ValidationError as exc:
            raise DataFileError(validation_line(path, exc)) from None
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise DataFileError(f"{path}: {exc}") from None
        return cls(spec)

    def _lenient(self, typed: list[str]) -> SmallTalk | None:
        """A whole small-talk phrase, with more than half of the message made of it and
        filler («а ты живой человек или робот»)."""
        if not typed or len(typed) > LENIENT_WORDS:
            return None
        padded = f" {' '.join(typed)} "
        for key, reply, phrases in self.phrases:
            for phrase in phrases:
                if f" {phrase} " not in padded:
                    continue
                covered = len(phrase.split()) + sum(
                    1 for w in typed if w in self.filler and w not in phrase.split()
                )
                if covered * 2 > len(typed):
                    return SmallTalk(key, reply)
        return None

    def _known(self, word: str) -> str | None:
        if word in self.vocabulary:
            return word
        if len(word) >= FUZZY_MIN_LENGTH:
            for cand in self._long:
                if abs(len(cand) - len(word)) <= 1 and Levenshtein.distance(word, cand) <= 1:
                    return cand
        return None

    def read(self, text: str, lenient: bool = False) -> SmallTalk | None:
        """The small-talk group of a message made only of small-talk words, else None.

        `lenient` (when the search found nothing): other words may stand around them in
        a message of up to LENIENT_WORDS words."""
        typed = words(text)
        if lenient:
            return self._lenient(typed)
        if not typed or len(typed) > 8:
            return None
        found: set[str] = set()
        for word in typed:
            known = self._known(word)
            if known is not None:
                found.add(known)
            elif word not in self.filler:
                return None
        if not found:
            return None
        for key, reply, vocabulary in self.groups:
            if found & vocabulary:
                return SmallTalk(key, reply)
        return None
