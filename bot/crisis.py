"""Crisis detection: the check that runs before any other reading of a message.

Why a hand-written lexicon and not the search index or a classifier: a child writing
«папа бьет меня» must get 112 and the helpline every time, in any inflection, with typos,
without punctuation, in the middle of a long message — and a non-programmer must be able
to see why something fired and add a phrase. So the rules live in ``data/crisis.toml``
(words and near-each-other phrases, by lemma) and this module only compiles and applies
them.

How a message is read:

1. ``normalize``/``words`` split it into lower-case words (ё→е), exactly as the search does;
   HTML entities are decoded first and Latin look-alike letters inside Cyrillic words are
   folded back («мeня» with a Latin «e»).
2. Each word goes through the ``[spelling]`` table («бют» → «бьют», «нехочу» → «не хочу»).
   A word pymorphy3 does not know is then corrected against the inflected forms of the
   lexicon words (rapidfuzz, one edit from 5 letters, two from 10: «изнасилавал»,
   «суецида»), or, failing that, split into two known words («хочуумереть»).
3. Every word is turned into the set of its possible lemmas (all pymorphy3 parses, not only
   the first, so an ambiguous form never hides a trigger) and intersected with the lexicon
   vocabulary, giving the positions of each lexicon word in the message.
4. Rules are checked category by category (file order = priority): every slot of a rule
   must be found, on distinct words, within ``window`` consecutive words. A match is
   dropped when an ``ignore`` phrase of the same category matches on a word it shares
   («бить рекорд»), and the next occurrence is tried.

Everything per word is cached, so a repeated message costs microseconds and a fresh
4,000-character one a few milliseconds. ``detect`` never raises: a crash here would drop
the one reply that matters, so unexpected errors are logged and fall back to a plain
substring check of the single-word triggers.
"""

from __future__ import annotations

import html
import logging
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.text.morph import analyzer, is_known_word, lemma
from bot.text.normalize import normalize, words

log = logging.getLogger(__name__)

DEFAULT_LEXICON = Path(__file__).resolve().parent.parent / "data" / "crisis.toml"

# Latin letters that look like Cyrillic ones; folded only inside words that mix scripts.
_HOMOGLYPHS = str.maketrans("aceopxyk", "асеорхук")
_CACHE_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class CrisisMatch:
    """What fired: the category key (``suicide``, ``violence``…) and the rule as written in
    the lexicon (``"не хотеть|хотеться жить"``), so logs and admins can trace it back.
    ``words`` holds the message words that matched, as read (after spelling and typo
    fixes: «бют» shows as «бьют»), for debugging and tests."""

    category: str
    trigger: str
    words: str = ""


@dataclass(frozen=True, slots=True)
class _Rule:
    text: str
    slots: tuple[frozenset[str], ...]
    window: int


@dataclass(slots=True)
class _Category:
    key: str
    title: str
    triggers: list[_Rule] = field(default_factory=list)
    ignore: list[_Rule] = field(default_factory=list)


def _cyrillic(word: str) -> bool:
    return any("а" <= ch <= "я" for ch in word)


def _latin(word: str) -> bool:
    return any("a" <= ch <= "z" for ch in word)


class CrisisDetector:
    """Compiled crisis lexicon. Build once (``from_file``) and share; ``detect`` is pure."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        settings = config.get("settings", {})
        self.window = int(settings.get("window", 5))
        self.ignore_window = int(settings.get("ignore_window", 4))
        self.fuzzy_min_length = int(settings.get("fuzzy_min_length", 5))
        self.fuzzy_max_edits = int(settings.get("fuzzy_max_edits", 1))
        self.fuzzy_long_length = int(settings.get("fuzzy_long_length", 10))
        self.fuzzy_long_max_edits = int(settings.get("fuzzy_long_max_edits", 2))
        self.reply: dict[str, str] = {k: str(v) for k, v in config.get("reply", {}).items()}

        self.spelling: dict[str, tuple[str, ...]] = {}
        for wrong, right in config.get("spelling", {}).items():
            key = words(str(wrong))
            if len(key) == 1:
                self.spelling[key[0]] = tuple(words(str(right)))

        self.categories: list[_Category] = []
        for key, body in config.get("categories", {}).items():
            cat = _Category(key=key, title=str(body.get("title", key)))
            cat.triggers = [self._rule(e, self.window) for e in body.get("triggers", [])]
            cat.ignore = [self._rule(e, self.ignore_window) for e in body.get("ignore", [])]
            cat.triggers = [r for r in cat.triggers if r.slots]
            cat.ignore = [r for r in cat.ignore if r.slots]
            self.categories.append(cat)

        self.vocabulary: frozenset[str] = frozenset(
            w
            for cat in self.categories
            for rule in (*cat.triggers, *cat.ignore)
            for slot in rule.slots
            for w in slot
        )
        # Only trigger words are typo targets: correcting «рекрд» to «рекорд» would only ever
        # cancel a match, never find one.
        trigger_words = {
            w for cat in self.categories for r in cat.triggers for slot in r.slots for w in slot
        }
        self._fuzzy_by_length = self._inflected_forms(trigger_words)
        # Single-word triggers, for the last-resort substring check if matching ever fails.
        # Stems (the word minus its last two letters), so «самоубийстве» still hits.
        self._fallback = tuple(
            sorted(
                {
                    normalize(r.text)[:-2]
                    for c in self.categories
                    for r in c.triggers
                    if len(r.slots) == 1 and "|" not in r.text and len(r.text) >= 6
                }
            )
        )
        self._token_cache: dict[str, tuple[str, ...]] = {}
        self._forms_cache: dict[str, frozenset[str]] = {}

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_file(cls, path: str | Path = DEFAULT_LEXICON) -> CrisisDetector:
        """Read and compile the TOML lexicon (once per process; keep the instance)."""
        with open(path, "rb") as fh:
            return cls(tomllib.load(fh))

    def _rule(self, entry: Any, default_window: int) -> _Rule:
        """Compile ``"a|b c"`` or ``{phrase = "a|b c", window = N}`` into lemma slots.

        Each written word stands for itself and for its lemma, so an editor who writes an
        inflected form («бьют») still gets what they meant; ``!word`` stands for that exact
        form only («!порезы» — plural cuts on the arms, unlike one kitchen cut)."""
        if isinstance(entry, Mapping):
            text = str(entry.get("phrase", ""))
            window = int(entry.get("window", default_window))
        else:
            text, window = str(entry), default_window
        slots = []
        for part in normalize(text).split():
            slot: set[str] = set()
            for alt in part.split("|"):
                exact = alt.startswith("!")  # «!порезы»: this form only, not its lemma
                for w in words(alt):
                    slot.add(w)
                    if not exact:
                        slot.add(lemma(w))
            if slot:
                slots.append(frozenset(slot))
        return _Rule(text=text.strip(), slots=tuple(slots), window=max(window, len(slots)))

    def _inflected_forms(self, vocab: set[str]) -> dict[int, list[str]]:
        """Every inflected form of the lexicon words, grouped by length, for typo matching.

        Matching the misspelled word against forms («изнасилавал» ~ «изнасиловал») works
        where matching pymorphy3's guessed lemma would not: a guess from a wrong ending
        drifts by several letters."""
        morph = analyzer()
        forms: set[str] = set()
        for word in vocab:
            if len(word) < self.fuzzy_min_length - 1 or not _cyrillic(word):
                continue
            forms.add(word)
            for parse in morph.parse(word):
                if parse.normal_form.replace("ё", "е") == word:
                    forms.update(f.word.replace("ё", "е") for f in parse.lexeme)
        by_length: dict[int, list[str]] = {}
        for form in forms:
            by_length.setdefault(len(form), []).append(form)
        for bucket in by_length.values():
            bucket.sort()
        return by_length

    # ------------------------------------------------------------------ words
    def _tokens(self, text: str) -> list[str]:
        text = html.unescape(text)
        out: list[str] = []
        for raw in words(text):
            cached = self._token_cache.get(raw)
            if cached is None:
                cached = self._expand(raw)
                if len(self._token_cache) > _CACHE_LIMIT:
                    self._token_cache.clear()
                self._token_cache[raw] = cached
            out.extend(cached)
        return out

    def _expand(self, raw: str) -> tuple[str, ...]:
        """One written word → the word(s) to look up: spelling table, typo fix, split."""
        word = raw
        if _cyrillic(word) and _latin(word):
            word = word.translate(_HOMOGLYPHS)
        if word in self.spelling:
            return self.spelling[word]
        if not _cyrillic(word) or _latin(word) or len(word) < self.fuzzy_min_length:
            return (word,)
        if self._forms(word) & self.vocabulary or is_known_word(word):
            return (word,)
        fixed = self._fuzzy(word)
        if fixed:
            return (fixed,)
        split = self._split(word)
        return split or (word,)

    def _fuzzy(self, word: str) -> str | None:
        """The closest inflected lexicon form within the allowed edits, if any."""
        edits = (
            self.fuzzy_long_max_edits
            if len(word) >= self.fuzzy_long_length
            else self.fuzzy_max_edits
        )
        best, best_distance = None, edits + 1
        for length in range(len(word) - edits, len(word) + edits + 1):
            bucket = self._fuzzy_by_length.get(length)
            if not bucket:
                continue
            found = process.extractOne(
                word, bucket, scorer=Levenshtein.distance, score_cutoff=best_distance - 1
            )
            if found is not None and found[1] < best_distance:
                best, best_distance = found[0], found[1]
        return best

    def _split(self, word: str) -> tuple[str, ...] | None:
        """Split a glued word («нехочу», «хочуумереть») into two known words when one of
        them belongs to the lexicon; ties go to the most balanced split."""
        best: tuple[str, ...] | None = None
        best_score = 0
        for i in range(2, len(word) - 1):
            left, right = word[:i], word[i:]
            if not (is_known_word(left) and is_known_word(right)):
                continue
            if not ((self._forms(left) | self._forms(right)) & self.vocabulary):
                continue
            score = min(len(left), len(right))
            if score > best_score:
                best, best_score = (left, right), score
        return best

    def _forms(self, word: str) -> frozenset[str]:
        """The word and all its possible lemmas (every pymorphy3 parse, ё→е).

        All parses only for dictionary words (cheap, and «стали», «дома» are ambiguous);
        for unknown words pymorphy3's guesses are slow and noisy, so the first one is
        enough (it is shared with the search through ``lemma``'s cache)."""
        forms = self._forms_cache.get(word)
        if forms is None:
            forms = {word, lemma(word)}
            if _cyrillic(word) and is_known_word(word):
                forms.update(p.normal_form.replace("ё", "е") for p in analyzer().parse(word))
            forms = frozenset(forms)
            if len(self._forms_cache) > _CACHE_LIMIT:
                self._forms_cache.clear()
            self._forms_cache[word] = forms
        return forms

    # ------------------------------------------------------------------ matching
    def detect(self, text: str) -> CrisisMatch | None:
        """The first crisis rule the message matches, or None. Never raises."""
        try:
            if not isinstance(text, str):
                text = "" if text is None else str(text)
            if not text:
                return None
            return self._detect(text)
        except Exception:  # noqa: BLE001 — the crisis check must not take the bot down
            log.exception("crisis detector failed; falling back to substring check")
            try:
                flat = normalize(str(text))
                for trigger in self._fallback:
                    if trigger in flat:
                        return CrisisMatch("unknown", trigger, trigger)
            except Exception:  # noqa: BLE001
                pass
            return None

    def _detect(self, text: str) -> CrisisMatch | None:
        tokens = self._tokens(text)
        positions: dict[str, list[int]] = {}
        for i, token in enumerate(tokens):
            for form in self._forms(token) & self.vocabulary:
                positions.setdefault(form, []).append(i)
        if not positions:
            return None
        for cat in self.categories:
            cancelled: set[int] | None = None  # computed lazily, once per category
            for rule in cat.triggers:
                for found in _matches(rule, positions):
                    if cancelled is None:
                        cancelled = _ignored_positions(cat.ignore, positions)
                    if cancelled and not cancelled.isdisjoint(found):
                        continue
                    shown = " ".join(tokens[i] for i in sorted(found))
                    return CrisisMatch(cat.key, rule.text, shown)
        return None


def _slot_positions(slot: frozenset[str], positions: Mapping[str, list[int]]) -> list[int]:
    found: set[int] = set()
    for word in slot:
        found.update(positions.get(word, ()))
    return sorted(found)


def _matches(rule: _Rule, positions: Mapping[str, list[int]]) -> Iterator[frozenset[int]]:
    """Every way the rule's slots sit on distinct words within its window."""
    lists = []
    for slot in rule.slots:
        pos = _slot_positions(slot, positions)
        if not pos:
            return
        lists.append(pos)
    if len(lists) == 1:
        for p in lists[0]:
            yield frozenset((p,))
        return
    lists.sort(key=len)
    span = rule.window - 1

    def extend(k: int, chosen: list[int], lo: int, hi: int) -> Iterator[frozenset[int]]:
        if k == len(lists):
            yield frozenset(chosen)
            return
        for p in lists[k]:
            if p in chosen:
                continue
            new_lo, new_hi = min(lo, p), max(hi, p)
            if new_hi - new_lo <= span:
                chosen.append(p)
                yield from extend(k + 1, chosen, new_lo, new_hi)
                chosen.pop()

    for first in lists[0]:
        yield from extend(1, [first], first, first)


def _ignored_positions(rules: list[_Rule], positions: Mapping[str, list[int]]) -> set[int]:
    """Positions of the words taken by an ignore phrase («бьют рекорды»)."""
    out: set[int] = set()
    for rule in rules:
        for found in _matches(rule, positions):
            out |= found
    return out
