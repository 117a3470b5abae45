"""Crisis detection: the check that runs before any other reading of a message.

Why a hand-written lexicon and not the search index or a classifier: a child writing
«папа бьет меня» must get 112 and the helpline every time, in any inflection, with typos,
without punctuation, in the wrong keyboard layout, in Latin letters, in English, in the
middle of a long message — and a non-programmer must be able to see why something fired
and add a phrase. So the rules live in ``data/crisis.toml`` (words and near-each-other
phrases, by lemma), validated at load, and this module only compiles and applies them.

How a message is read:

1. The message is read as typed and, when it has Latin letters, also re-typed on the
   Russian layout and read back from transliteration — the same repairs the search
   makes (``bot.text.layout``), plus the Latin habits no table has («xochu», «wkola»,
   «o4en»); a repaired reading counts only when most of its words are Russian, so
   English is not read as layout noise. English rules in the lexicon match the message
   as typed. Emoji that stand for a word («🔪» — «нож») are read as that word.
2. ``words`` splits it into lower-case words (ё→е), exactly as the search does; HTML
   entities are decoded first and Latin look-alike letters inside Cyrillic words are
   folded back («мeня» with a Latin «e»); a held key («помогитеее») counts once.
3. Each word goes through the ``[spelling]`` table («бют» → «бьют», «нехочу» → «не хочу»).
   A word pymorphy3 does not know is then read «by ear» — unstressed о/а and е/и/я
   merged, soft signs and doubled letters dropped («памагите», «сибя», «прасыпаеца») —
   and matched to the inflected forms of the lexicon words, exactly or within one edit
   from 5 letters, two from 10 (trigger words first, then ignore words); failing that it
   is cut into known words («хочуумереть», «янемогубольшежить»). A lexicon word typed
   without its soft sign («жит», «sdohnut») gets it back.
4. Every word is turned into the set of its possible lemmas (all pymorphy3 parses, not only
   the first, so an ambiguous form never hides a trigger) and intersected with the lexicon
   vocabulary, giving the positions of each lexicon word in the message («=я» in a rule
   stands for the word «я» as written, not for «меня»).
5. Rules are checked category by category (file order = priority): every slot of a rule
   must be found, on distinct words, within ``window`` consecutive words (and in the
   written order for an ``ordered`` rule). A match is dropped when an ``ignore`` phrase of
   the same category, or one of the shared ``ignore`` phrases at the top of the file,
   matches on a word it shares («бить рекорд», «вебинар по профилактике насилия»), and
   the next occurrence is tried. In a message that laughs («😂», «ахах», «))») a match
   made only of ``joke.words`` («мама меня убьёт») does not count. A category marked
   ``alone`` (a bare «помогите») fires only when the rest of the message is filler; a
   message of distress emoji alone («😢😢😢», «🔪») fires it too.
6. Who is writing: ``adult_voice`` rules («сын», «дочь», «муж») pick the wording for adults.

Besides the categories, ``soft`` rules mark messages that read as distress without being
a crisis («мне страшно», «плачу»): ``distressed`` is true for them, and the answering
layer then leads with the helpline whatever else it says.

Everything per word is cached, so a repeated message costs microseconds and a fresh
4,000-character one a few milliseconds. ``detect`` never raises: a crash here would drop
the one reply that matters, so unexpected errors are logged and fall back to a plain
substring check of the single-word triggers.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import pickle
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.datafile import DEFAULT_DATA_DIR, DataFileError, describe
from bot.text import layout, morph
from bot.text import normalize as normalize_module
from bot.text.layout import en_to_ru, has_latin, translit_to_ru
from bot.text.morph import is_known_word, lemma, parses
from bot.text.normalize import normalize, words

log = logging.getLogger(__name__)

DEFAULT_LEXICON = DEFAULT_DATA_DIR / "crisis.toml"


def default_cache_dir() -> Path:
    """Where the compiled lexicon is kept between starts: systemd's CacheDirectory=
    ($CACHE_DIRECTORY), else $XDG_CACHE_HOME or ~/.cache under family-support-bot."""
    if os.environ.get("CACHE_DIRECTORY"):
        return Path(os.environ["CACHE_DIRECTORY"].split(":")[0])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "family-support-bot"


# Latin letters that look like Cyrillic ones; folded only inside words that mix scripts.
_HOMOGLYPHS = str.maketrans("aceopxyk", "асеорхук")
_CACHE_LIMIT = 100_000


# ---------------------------------------------------------------------- the file's schema
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PhraseSpec(_Strict):
    phrase: str = Field(min_length=1)
    window: int | None = Field(None, ge=1, le=30)
    ordered: bool = False


RuleSpec = str | PhraseSpec


class SettingsSpec(_Strict):
    window: int = Field(default=5, ge=1, le=30)
    ignore_window: int = Field(default=4, ge=1, le=30)
    fuzzy_min_length: int = Field(default=5, ge=3)
    fuzzy_max_edits: int = Field(default=1, ge=0, le=2)
    fuzzy_long_length: int = Field(default=10, ge=4)
    fuzzy_long_max_edits: int = Field(default=2, ge=0, le=3)


class CategorySpec(_Strict):
    title: str = Field(min_length=1)
    lead: Literal["112", "helpline"] = "112"
    alone: bool = False
    reply: str = Field(min_length=1)
    reply_adult: str = Field(min_length=1)
    triggers: list[RuleSpec] = Field(min_length=1)
    ignore: list[RuleSpec] = []


class ReplySpec(_Strict):
    danger: str = Field(min_length=1)
    danger_adult: str = Field(min_length=1)
    helpline: str = Field(min_length=1)
    helpline_adult: str = Field(min_length=1)
    adult: str = Field(min_length=1)
    soft: str = Field(min_length=1)


class JokeSpec(_Strict):
    markers: list[str] = []
    words: list[str] = []


class LexiconSpec(_Strict):
    settings: SettingsSpec = SettingsSpec()
    categories: dict[str, CategorySpec] = Field(min_length=1)
    ignore: list[RuleSpec] = []
    joke: JokeSpec = Field(default_factory=JokeSpec)
    spelling: dict[str, str] = {}
    emoji_words: dict[str, str] = {}
    filler: list[str] = []
    emoji: list[str] = []
    adult_voice: list[RuleSpec] = []
    soft: list[RuleSpec] = []
    reply: ReplySpec

    @field_validator("spelling")
    @classmethod
    def _one_word_keys(cls, value: dict[str, str]) -> dict[str, str]:
        for wrong in value:
            if len(words(wrong)) != 1:
                raise ValueError(f"«{wrong}»: слева должно быть одно слово")
        return value


def check_lexicon(path: Path) -> None:
    """Validate the lexicon file's shape without compiling it (cheap: no morphology)."""
    try:
        with open(path, "rb") as fh:
            LexiconSpec.model_validate(tomllib.load(fh))
    except ValidationError as exc:
        raise LexiconError(f"{path}: {describe(exc)}") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LexiconError(f"{path}: {exc}") from None


class LexiconError(DataFileError):
    """A crisis lexicon that cannot be used; the message names the file, key and problem."""


# ---------------------------------------------------------------------- compiled form
@dataclass(frozen=True, slots=True)
class CrisisMatch:
    """What fired: the category key (``suicide``, ``violence``…) and the rule as written in
    the lexicon (``"не хотеть|хотеться жить"``), so logs and admins can trace it back.
    ``words`` holds the message words that matched, as read (after spelling and typo
    fixes: «бют» shows as «бьют»), for debugging and tests; ``adult`` is true when the
    writer reads as an adult worried about a child (the reply then says «вы»)."""

    category: str
    trigger: str
    words: str = ""
    adult: bool = False


@dataclass(frozen=True, slots=True)
class Assessment:
    """A message read once (`CrisisDetector.assess`): the crisis rule it matches, whether a
    soft rule marks it as distress, and the readings later stages reuse."""

    match: CrisisMatch | None
    soft: bool
    readings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Rule:
    text: str
    slots: tuple[frozenset[str], ...]
    window: int
    ordered: bool = False


@dataclass(slots=True)
class Category:
    key: str
    title: str
    lead: str = "112"
    alone: bool = False
    reply: str = ""
    reply_adult: str = ""
    triggers: list[_Rule] = field(default_factory=list)
    ignore: list[_Rule] = field(default_factory=list)


# Russian typed in Latin letters by habit rather than by any table: «xochu», «wkola»,
# «o4en», «6kola», «jit» (j before i/y as «ж»).
_TRANSLIT_HABIT = {"x": "h", "w": "sh", "4": "ch", "6": "sh", "ji": "zhi", "jy": "zhy"}
_TRANSLIT_HABITS = re.compile("ji|jy|[xw46]")

# Three or more of the same letter in a row.
_RUNS = re.compile(r"(\w)\1{2,}")

# Function words a glued message is cut into («янемогу» → «я не могу»); other pieces must
# be dictionary words of three letters or more, so «ст» or «ом» never come out of a cut.
_SHORT_WORDS = frozenset(
    "я и в с к о у а не ни на по за из от до он мы вы ты их ее же ли бы то ну мне".split()
)

# Spelling by ear: unstressed «о» reads «а», «е/я/э» read «и», «ы» after ж/ш reads «и»,
# «ю» reads «у», «ц» in «-еца» is «тс», «щ» is «сч» («ищезнуть» from «ischeznut»); soft and
# hard signs and doubled letters drop.
_FOLD = str.maketrans(
    {
        "о": "а",
        "е": "и",
        "ё": "и",
        "я": "и",
        "э": "и",
        "ы": "и",
        "ю": "у",
        "ц": "тс",
        "щ": "сч",
        "ь": None,
        "ъ": None,
    }
)


def _fold(word: str) -> str:
    folded = word.translate(_FOLD)
    return "".join(ch for i, ch in enumerate(folded) if i == 0 or ch != folded[i - 1])


_NOT_PLAIN = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr", "Init"})


def _plain_word(piece: str) -> bool:
    """A dictionary word that is not only a name or an abbreviation («яне», «ст» are not
    words a glued message is made of)."""
    if not is_known_word(piece):
        return False
    return any(not (_NOT_PLAIN & p.tag.grammemes) for p in parses(piece))


def _noun_itself(word: str) -> bool:
    """True when the word reads as a noun in the nominative («удар», «мат»)."""
    return any({"NOUN", "nomn"} <= p.tag.grammemes for p in parses(word))


@dataclass(frozen=True, slots=True)
class _TypoTier:
    """Inflected lexicon forms for typo correction, keyed by how they sound when spelled
    by ear («памагите», «сибя», «прасыпаеца»)."""

    folded: dict[str, tuple[str, ...]]
    # folded forms by (length, first letter): a typo seldom hits the first letter, and
    # the buckets stay small enough for a fresh 4,000-character message
    buckets: dict[tuple[int, str], list[str]]

    def form(self, key: str, word: str) -> str:
        """The lexicon form behind a folded key that is closest to the word as written
        («жыт» is «жить», not «жжет», though both sound «жит»)."""
        heard = word.translate(_FOLD)
        return min(
            self.folded[key],
            key=lambda form: (
                Levenshtein.distance(heard, form.translate(_FOLD)),
                Levenshtein.distance(word, form),
            ),
        )

    @classmethod
    def of(cls, forms: set[str]) -> _TypoTier:
        grouped: dict[str, list[str]] = {}
        for form in sorted(forms):
            grouped.setdefault(_fold(form), []).append(form)
        folded = {key: tuple(group) for key, group in grouped.items()}
        buckets: dict[tuple[int, str], list[str]] = {}
        for key in sorted(folded):
            buckets.setdefault((len(key), key[0]), []).append(key)
        return cls(folded, buckets)


def _cyrillic(word: str) -> bool:
    return any("а" <= ch <= "я" for ch in word)


def _latin(word: str) -> bool:
    return any("a" <= ch <= "z" for ch in word)


class CrisisDetector:
    """Compiled crisis lexicon. Build once (``from_file``) and share; ``detect`` is pure."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        try:
            spec = LexiconSpec.model_validate(config)
        except ValidationError as exc:
            raise LexiconError(describe(exc)) from None
        settings = spec.settings
        self.window = settings.window
        self.ignore_window = settings.ignore_window
        self.fuzzy_min_length = settings.fuzzy_min_length
        self.fuzzy_max_edits = settings.fuzzy_max_edits
        self.fuzzy_long_length = settings.fuzzy_long_length
        self.fuzzy_long_max_edits = settings.fuzzy_long_max_edits
        self.reply: dict[str, str] = spec.reply.model_dump()

        self.spelling: dict[str, tuple[str, ...]] = {
            words(wrong)[0]: tuple(words(right)) for wrong, right in spec.spelling.items()
        }
        self.filler: frozenset[str] = frozenset(
            f for w in spec.filler for word in words(w) for f in (word, lemma(word))
        )
        self.emoji: tuple[str, ...] = tuple(spec.emoji)
        # «🔪» is read as the word «нож»: one regex pass per message, longest emoji first.
        self.emoji_words: dict[str, str] = dict(spec.emoji_words)
        by_length = sorted(self.emoji_words, key=len, reverse=True)
        self._emoji_re = (
            re.compile("|".join(re.escape(e) for e in by_length)) if by_length else None
        )
        # Laughter («😂», «ахах», «))») turns «убью», «депрессия» into hyperbole. A marker
        # that is a word matches that word («лол»), «ахах*» any word starting so, anything
        # else («😂», «))») anywhere in the text.
        marks, tokens, prefixes = [], set(), []
        for marker in spec.joke.markers:
            m = normalize(marker.strip())
            if m.endswith("*") and len(words(m)) == 1:
                prefixes.append(words(m)[0])
            elif words(m) == [m]:
                tokens.add(m)
            elif m:
                marks.append(m)
        self.joke_marks: tuple[str, ...] = tuple(marks)
        self.joke_tokens: frozenset[str] = frozenset(tokens)
        self.joke_prefixes: tuple[str, ...] = tuple(prefixes)
        self.joke_words: frozenset[str] = frozenset(
            f for w in spec.joke.words for word in words(w) for f in (word, lemma(word))
        )

        self.categories: list[Category] = []
        for key, body in spec.categories.items():
            cat = Category(
                key=key,
                title=body.title,
                lead=body.lead,
                alone=body.alone,
                reply=body.reply,
                reply_adult=body.reply_adult,
            )
            cat.triggers = [
                r for r in (self._rule(e, self.window) for e in body.triggers) if r.slots
            ]
            cat.ignore = [
                r for r in (self._rule(e, self.ignore_window) for e in body.ignore) if r.slots
            ]
            if not cat.triggers:
                raise LexiconError(f"categories.{key}.triggers: нет ни одного слова")
            self.categories.append(cat)
        self.ignore = [
            r for r in (self._rule(e, self.ignore_window) for e in spec.ignore) if r.slots
        ]
        self.adult_voice = [self._rule(e, self.window) for e in spec.adult_voice]
        self.soft = [self._rule(e, self.window) for e in spec.soft]

        rules = [
            *(r for cat in self.categories for r in (*cat.triggers, *cat.ignore)),
            *self.ignore,
            *self.adult_voice,
            *self.soft,
        ]
        self.vocabulary: frozenset[str] = frozenset(
            w for rule in rules for slot in rule.slots for w in slot
        )
        # Typo targets, in two tiers: the words of triggers first, then those of ignore
        # phrases («семенар по профелактике насилия» must still read as a seminar), so a
        # tie between a trigger and an ignore word goes to the trigger. Not adult_voice.
        trigger_words = {
            w
            for rule in (*(r for c in self.categories for r in c.triggers), *self.soft)
            for slot in rule.slots
            for w in slot
        }
        ignore_words = {
            w
            for rule in (*(r for c in self.categories for r in c.ignore), *self.ignore)
            for slot in rule.slots
            for w in slot
        }
        trigger_forms = self._inflected_forms(trigger_words)
        self._tiers = (
            _TypoTier.of(trigger_forms),
            _TypoTier.of(self._inflected_forms(ignore_words) - trigger_forms),
        )
        # The spelling table read by ear too: «неххочу» is «нехочу».
        self._spelling_folded = {
            _fold(wrong): right for wrong, right in self.spelling.items() if len(wrong) >= 5
        }
        for word in sorted(self.filler):  # and the filler words: «пажалуста», «срочна»
            if len(word) >= 5 and _cyrillic(word):
                self._spelling_folded.setdefault(_fold(word), (word,))
        # Single-word triggers, for the last-resort substring check if matching ever fails.
        # Stems (the word minus its last two letters), so «самоубийстве» still hits.
        self._fallback = tuple(
            sorted(
                {
                    normalize(r.text).lstrip("!=")[:-2]
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
        """Read, validate and compile the TOML lexicon (once per process; keep the instance).

        Any problem raises ``LexiconError`` whose one line names the file, the key and what
        is wrong, so a mistyped key can never load a lexicon with no rules."""
        try:
            with open(path, "rb") as fh:
                config = tomllib.load(fh)
            return cls(config)
        except (OSError, tomllib.TOMLDecodeError, LexiconError) as exc:
            raise LexiconError(f"{path}: {exc}") from None

    @classmethod
    def load(
        cls, path: str | Path = DEFAULT_LEXICON, cache_dir: Path | None = None
    ) -> CrisisDetector:
        """`from_file`, with the compiled detector kept on disk in `cache_dir` between starts.

        Compiling inflects every trigger through pymorphy3 (~0.6 s, the bot's largest share
        of its start-up); reading it back takes ~0.05 s. The file's name is a hash of what
        the compiled detector depends on — the lexicon's bytes, this module's code and the
        morphology's versions — so an edited lexicon, new code or a new dictionary compiles
        afresh. Written by this process only (no code from elsewhere is ever unpickled:
        the cache sits in the bot user's own directory); any problem reading or writing it
        means compiling, never a failed start."""
        if cache_dir is None:
            return cls.from_file(path)
        try:
            key = hashlib.sha256(Path(path).read_bytes())
            for code in (__file__, morph.__file__, normalize_module.__file__, layout.__file__):
                key.update(Path(code or "").read_bytes())
            for package in ("pymorphy3", "pymorphy3-dicts-ru"):
                key.update(metadata.version(package).encode())
        except (OSError, metadata.PackageNotFoundError):
            return cls.from_file(path)  # the real error, or no cache
        cached = cache_dir / f"crisis-{key.hexdigest()[:24]}.pickle"
        try:
            detector = pickle.loads(cached.read_bytes())
            if isinstance(detector, cls):
                return detector
        except Exception:  # noqa: BLE001 — missing, truncated, from other code: compile
            pass
        detector = cls.from_file(path)
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(pickle.dumps(detector, protocol=pickle.HIGHEST_PROTOCOL))
            partial.replace(cached)  # workers starting together never read half a file
            for stale in cache_dir.glob("crisis-*.pickle"):  # earlier lexicons or code
                if stale != cached:
                    stale.unlink(missing_ok=True)
        except OSError as exc:
            log.info("compiled crisis lexicon not kept in %s: %s", cache_dir, exc)
        return detector

    def category(self, key: str) -> Category | None:
        return next((c for c in self.categories if c.key == key), None)

    def _rule(self, entry: RuleSpec | Mapping[str, Any], default_window: int) -> _Rule:
        """Compile ``"a|b c"`` or ``{phrase = "a|b c", window = N, ordered = true}`` into
        lemma slots.

        Each written word stands for itself and for its lemma, so an editor who writes an
        inflected form («бьют») still gets what they meant; ``!word`` stands for that exact
        form only («!порезы» — plural cuts on the arms, unlike one kitchen cut), ``=word``
        for that very word as written, never a lemma («=ребенок» is not «детей»)."""
        ordered = False
        if isinstance(entry, PhraseSpec):
            text, ordered = entry.phrase, entry.ordered
            window = entry.window if entry.window is not None else default_window
        elif isinstance(entry, Mapping):
            text = str(entry.get("phrase", ""))
            window = int(entry.get("window", default_window))
            ordered = bool(entry.get("ordered", False))
        else:
            text, window = str(entry), default_window
        slots = []
        for part in normalize(text).split():
            slot: set[str] = set()
            for alt in part.split("|"):
                if alt.startswith("="):  # «=я»: this very word as typed («я», not «меня»)
                    slot.update("=" + w for w in words(alt))
                    continue
                exact = alt.startswith("!")  # «!порезы»: this form only, not its lemma
                for w in words(alt):
                    slot.add(w)
                    if not exact:
                        slot.add(lemma(w))
            if slot:
                slots.append(frozenset(slot))
        return _Rule(
            text=text.strip(),
            slots=tuple(slots),
            window=max(window, len(slots)),
            ordered=ordered,
        )

    def _inflected_forms(self, vocab: set[str]) -> set[str]:
        """Every inflected form of the lexicon words, for typo matching.

        Matching the misspelled word against forms («изнасилавал» ~ «изнасиловал») works
        where matching pymorphy3's guessed lemma would not: a guess from a wrong ending
        drifts by several letters."""
        forms: set[str] = set()
        for word in vocab:
            word = word.removeprefix("=")  # «=я»: an exact word, still a typo target
            if len(word) < self.fuzzy_min_length - 1 or not _cyrillic(word):
                continue
            forms.add(word)
            if not is_known_word(word):  # a guessed paradigm («бравл») is noise
                continue
            for parse in parses(word):
                if parse.normal_form.replace("ё", "е") == word:
                    forms.update(f.word.replace("ё", "е") for f in parse.lexeme)
        return forms

    # ------------------------------------------------------------------ words
    def _tokens(self, text: str) -> list[str]:
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
        if _RUNS.search(word):  # «помогитеее», «ааааа»: a held key
            word = _RUNS.sub(r"\1", word)
        if word in self.spelling:
            return self.spelling[word]
        if not _cyrillic(word) or _latin(word):
            return (word,)
        if "=" + word + "ь" in self.vocabulary:  # «sdohnut» read back as «сдохнут»
            return (word + "ь",)
        if (
            word in self.filler
            or "=" + word in self.vocabulary
            or self._forms(word) & self.vocabulary
        ):
            return (word,)
        known = is_known_word(word)
        # «жит», «очен», «умерет» typed without the soft sign — but not a noun that is a
        # word of its own («удар» stays «удар», «мат» stays «мат»)
        soft = word + "ь"
        if (
            word[-1] not in "аеиоуыэюяйь"
            and not (known and _noun_itself(word))
            and self._forms(soft) & self.vocabulary
        ):
            return (soft,)
        if len(word) < 3 or known:
            return (word,)
        folded = _fold(word)
        for tier in self._tiers:
            if folded in tier.folded:  # «сибя», «памагите», «никаму»
                return (self._with_soft_sign(tier.form(folded, word)),)
        by_ear_spelling = self._spelling_folded.get(_fold(word))  # «неххочу», «пажалуста»
        if by_ear_spelling:
            return by_ear_spelling
        if len(word) < self.fuzzy_min_length:
            return (word,)
        for tier in self._tiers:
            fixed = self._fuzzy(word, tier)
            if fixed:
                return (self._with_soft_sign(fixed),)
        split = self._split(word)
        return split or (word,)

    def _with_soft_sign(self, word: str) -> str:
        """«сдохнут» → «сдохнуть» when the lexicon asks for that very infinitive: Latin
        transliteration and quick typing drop the soft sign («hochu ischeznut»)."""
        return word + "ь" if "=" + word + "ь" in self.vocabulary else word

    def _fuzzy(self, word: str, tier: _TypoTier) -> str | None:
        """The closest lexicon form within the allowed edits, compared as spelled by ear
        («изнасилавал» ~ «изнасиловал», «прасыпаеца» ~ «просыпается»)."""
        edits = (
            self.fuzzy_long_max_edits
            if len(word) >= self.fuzzy_long_length
            else self.fuzzy_max_edits
        )
        folded = _fold(word)
        best, best_distance = None, edits + 1
        # same length first: on a tie a changed letter («травют» → «травят») is likelier
        # than a lost one («траву»)
        lengths = sorted(
            range(len(folded) - edits, len(folded) + edits + 1), key=lambda n: abs(n - len(folded))
        )
        for length in lengths:
            bucket = tier.buckets.get((length, folded[0]))
            if not bucket:
                continue
            found = process.extractOne(
                folded, bucket, scorer=Levenshtein.distance, score_cutoff=best_distance - 1
            )
            if found is not None and found[1] < best_distance:
                best, best_distance = found[0], found[1]
        return tier.form(best, word) if best is not None else None

    def _split(self, word: str) -> tuple[str, ...] | None:
        """Split a glued word («нехочу», «хочуумереть», «янемогубольшежить») into known
        words, as few as possible, when one of them belongs to the lexicon.

        Dynamic programming over the cut points (a word of n letters costs at most n²/2
        dictionary look-ups, once, then it is cached); a piece is a dictionary word of 3+
        letters or one of the short function words. Ties go to the most balanced split."""
        n = len(word)
        if n < 4:
            return None
        # best[i]: (pieces, -lexicon words, -shortest piece) for word[:i], and the cut
        # before i: fewest pieces, then most lexicon words («помогите мне плохо», not
        # «помоги тем неплохо»), then the most balanced.
        best: list[tuple[int, int, int] | None] = [None] * (n + 1)
        cut = [0] * (n + 1)
        best[0] = (0, 0, -n)
        for i in range(1, n + 1):
            for j in range(max(0, i - 24), i):
                before = best[j]
                if before is None:
                    continue
                piece = word[j:i]
                if not (
                    piece in _SHORT_WORDS
                    or piece in self.spelling  # «нихочужыть»: «жыть» is a known misspelling
                    or (len(piece) >= 3 and _plain_word(piece))
                ):
                    continue
                pieces, neg_hits, neg_short = before
                hit = 1 if self._forms(piece) & self.vocabulary else 0
                score = (pieces + 1, neg_hits - hit, max(neg_short, -len(piece)))
                current = best[i]
                if current is None or score < current:
                    best[i], cut[i] = score, j
        whole = best[n]
        if whole is None or whole[0] < 2:
            return None
        parts: list[str] = []
        i = n
        while i > 0:
            parts.append(word[cut[i] : i])
            i = cut[i]
        parts.reverse()
        if len(parts) > max(2, n // 3):  # «аааааа» is not six words «а»
            return None
        expanded = tuple(w for part in parts for w in self.spelling.get(part, (part,)))
        if not any(self._forms(part) & self.vocabulary for part in expanded):
            return None
        return expanded

    def _forms(self, word: str) -> frozenset[str]:
        """The word and all its possible lemmas (every pymorphy3 parse, ё→е).

        All parses only for dictionary words (cheap, and «стали», «дома» are ambiguous);
        for unknown words pymorphy3's guesses are slow and noisy, so the first one is
        enough (it is shared with the search through ``lemma``'s cache)."""
        forms = self._forms_cache.get(word)
        if forms is None:
            found = {word, lemma(word)}
            if _cyrillic(word) and is_known_word(word):
                found.update(p.normal_form.replace("ё", "е") for p in parses(word))
            forms = frozenset(found)
            if len(self._forms_cache) > _CACHE_LIMIT:
                self._forms_cache.clear()
            self._forms_cache[word] = forms
        return forms

    # ------------------------------------------------------------------ reading variants
    def readings(self, text: str) -> list[str]:
        """The message as typed and, when it has Latin letters, re-typed on the Russian
        layout (Latin chunks only) and read back from transliteration — the usual one and,
        when the text has them, with the other habits of Russian typed in Latin: «x» for
        «х», «w» for «ш», «4» for «ч», «j» for «ж» («xochu», «wkola», «o4en», «jit»).

        A repaired reading is kept only when at least half of the words it repaired are
        Russian words (or misspell a lexicon word): English («kill the lights») re-typed on
        the Russian layout is noise («лшдд еру дшпреы»), and typo correction would find
        lexicon words in noise."""
        text = html.unescape(text)
        out = [text]
        if has_latin(text):
            chunks = text.split()
            layout = [en_to_ru(c) if has_latin(c) else c for c in chunks]
            repaired = [c for c, orig in zip(layout, chunks, strict=True) if c != orig]
            if self._mostly_russian(repaired):
                out.append(" ".join(layout))
            latin = text.lower()
            variants = [latin]
            habits = _TRANSLIT_HABITS.sub(lambda m: _TRANSLIT_HABIT[m.group(0)], latin)
            if habits != latin:
                variants.append(habits)
            for variant in variants:
                translit = translit_to_ru(variant)
                if self._mostly_russian([c for c in translit.split() if _cyrillic(normalize(c))]):
                    out.append(translit)
        return out

    def _mostly_russian(self, chunks: list[str]) -> bool:
        """At least half of the words in `chunks` (not counting one- and two-letter ones,
        which are all «known») are dictionary words or misspell a lexicon word."""
        found = [w for chunk in chunks for w in words(chunk) if _cyrillic(w)]
        found = [w for w in found if len(w) > 2] or found
        if not found:
            return False
        known = sum(
            1
            for w in found
            if is_known_word(w) or any(_fold(w) in tier.folded for tier in self._tiers)
        )
        return 2 * known >= len(found)

    # ------------------------------------------------------------------ matching
    def detect(self, text: str) -> CrisisMatch | None:
        """The first crisis rule the message matches, or None. Never raises."""
        return self.assess(text, soft=False).match

    def distressed(self, text: str) -> bool:
        """True for a crisis and for a message that only reads as distress («мне страшно»,
        «плачу весь день»): such a reply leads with the helpline. Never raises."""
        found = self.assess(text)
        return found.match is not None or found.soft

    def assess(self, text: str, soft: bool = True) -> Assessment:
        """The whole reading of a message, once: its readings (as typed, layout-repaired,
        transliterated), the crisis rule it matches, and — when none does and `soft` is
        asked — whether a soft rule marks it as distress. Never raises: a crash here would
        drop the one reply that matters, so unexpected errors are logged and fall back to a
        plain substring check of the single-word triggers."""
        try:
            if not isinstance(text, str):
                text = "" if text is None else str(text)
            if not text.strip():
                return Assessment(None, False, ())
            readings = tuple(self.readings(text))
            for reading in readings:
                match = self._detect(reading)
                if match is not None:
                    return Assessment(match, False, readings)
            return Assessment(None, soft and any(self._soft(r) for r in readings), readings)
        except Exception:  # noqa: BLE001 — the crisis check must not take the bot down
            log.exception("crisis detector failed; falling back to substring check")
            try:
                flat = normalize(str(text))
                for trigger in self._fallback:
                    if trigger in flat:
                        return Assessment(CrisisMatch("unknown", trigger, trigger), False, ())
            except Exception:  # noqa: BLE001
                pass
            return Assessment(None, False, ())

    def _soft(self, reading: str) -> bool:
        tokens = self._tokens(self._with_emoji_words(reading))
        positions = self._positions(tokens)
        return any(True for rule in self.soft for _ in _matches(rule, positions))

    def _positions(self, tokens: list[str]) -> dict[str, list[int]]:
        positions: dict[str, list[int]] = {}
        for i, token in enumerate(tokens):
            for form in self._forms(token) & self.vocabulary:
                positions.setdefault(form, []).append(i)
            if "=" + token in self.vocabulary:
                positions.setdefault("=" + token, []).append(i)
        return positions

    def _only_filler(self, tokens: list[str], found: frozenset[int]) -> bool:
        """True when every word outside `found` is filler («пожалуйста», «срочно», «мне»)."""
        for i, token in enumerate(tokens):
            if i in found or token in self.filler or lemma(token) in self.filler:
                continue
            return False
        return True

    def _emoji_only(self, text: str) -> bool:
        """Distress emoji and no words («😢😢😢», «🔪»), and no laughter («😭😂»)."""
        return not words(text) and any(e in text for e in self.emoji) and not self._joking(text, [])

    def _with_emoji_words(self, text: str) -> str:
        if self._emoji_re is None:
            return text
        return self._emoji_re.sub(lambda m: f" {self.emoji_words[m.group(0)]} ", text)

    def _joking(self, text: str, tokens: list[str]) -> bool:
        """True when the message laughs («😂», «ахах», «))», «лол»)."""
        if not (self.joke_marks or self.joke_tokens or self.joke_prefixes):
            return False
        low = normalize(text)
        if any(m in low for m in self.joke_marks):
            return True
        return any(
            t in self.joke_tokens or (self.joke_prefixes and t.startswith(self.joke_prefixes))
            for t in tokens
        )

    def _all_joke_words(self, tokens: list[str], found: frozenset[int]) -> bool:
        """The match is made of joke words («убью», «депрессия»), pronouns and filler."""
        return any(self._forms(tokens[i]) & self.joke_words for i in found) and all(
            tokens[i] in self.filler or self._forms(tokens[i]) & self.joke_words for i in found
        )

    def _detect(self, text: str) -> CrisisMatch | None:
        if self._emoji_only(text):
            plea = next((c for c in self.categories if c.alone), None)
            if plea is not None:
                return CrisisMatch(plea.key, "emoji", "")
        tokens = self._tokens(self._with_emoji_words(text))
        positions = self._positions(tokens)
        if not positions:
            return None
        everywhere: set[int] | None = None  # words taken by the shared ignore phrases
        joking: bool | None = None
        for cat in self.categories:
            cancelled: set[int] | None = None  # computed lazily, once per category
            for rule in cat.triggers:
                for found in _matches(rule, positions):
                    if cat.alone and not self._only_filler(tokens, found):
                        continue
                    if cancelled is None:
                        if everywhere is None:
                            everywhere = _ignored_positions(self.ignore, positions)
                        cancelled = everywhere | _ignored_positions(cat.ignore, positions)
                    if cancelled and not cancelled.isdisjoint(found):
                        continue
                    if self.joke_words and self._all_joke_words(tokens, found):
                        if joking is None:
                            joking = self._joking(text, tokens)
                        if joking:
                            continue
                    shown = " ".join(tokens[i] for i in sorted(found))
                    adult = any(True for r in self.adult_voice for _ in _matches(r, positions))
                    return CrisisMatch(cat.key, rule.text, shown, adult)
        return None


def _slot_positions(slot: frozenset[str], positions: Mapping[str, list[int]]) -> list[int]:
    """Positions of the message's words that fill the slot. A message has a handful of
    lexicon words and a slot may list dozens of forms: walk the message's side."""
    if slot.isdisjoint(positions):
        return []
    found: set[int] = set()
    for word, at in positions.items():
        if word in slot:
            found.update(at)
    return sorted(found)


def _matches(rule: _Rule, positions: Mapping[str, list[int]]) -> Iterable[frozenset[int]]:
    """Every way the rule's slots sit on distinct words within its window (and, for an
    ``ordered`` rule, in the order written).

    Nearly every rule misses nearly every message: a slot none of the message's words
    fills settles it here, without starting the search below (~0.15 µs a slot against
    ~1.5 µs to create and run a generator, for every one of hundreds of rules twice a
    message)."""
    for slot in rule.slots:
        if slot.isdisjoint(positions):
            return ()
    return _placements(rule, positions)


def _placements(rule: _Rule, positions: Mapping[str, list[int]]) -> Iterator[frozenset[int]]:
    lists = []
    for index, slot in enumerate(rule.slots):
        pos = _slot_positions(slot, positions)
        if not pos:
            return
        lists.append((index, pos))
    if len(lists) == 1:
        for p in lists[0][1]:
            yield frozenset((p,))
        return
    lists.sort(key=lambda item: len(item[1]))
    span = rule.window - 1
    order = [0] * len(lists)

    def in_order(chosen: list[int]) -> bool:
        for k, (index, _) in enumerate(lists):
            order[index] = chosen[k]
        return all(a < b for a, b in zip(order, order[1:], strict=False))

    def extend(k: int, chosen: list[int], lo: int, hi: int) -> Iterator[frozenset[int]]:
        if k == len(lists):
            if not rule.ordered or in_order(chosen):
                yield frozenset(chosen)
            return
        for p in lists[k][1]:
            if p in chosen:
                continue
            new_lo, new_hi = min(lo, p), max(hi, p)
            if new_hi - new_lo <= span:
                chosen.append(p)
                yield from extend(k + 1, chosen, new_lo, new_hi)
                chosen.pop()

    for first in lists[0][1]:
        yield from extend(1, [first], first, first)


def _ignored_positions(rules: list[_Rule], positions: Mapping[str, list[int]]) -> set[int]:
    """Positions of the words taken by an ignore phrase («бьют рекорды»)."""
    out: set[int] = set()
    for rule in rules:
        for found in _matches(rule, positions):
            out |= found
    return out
