"""The directory of centres: admins upload it (/centres), families ask where the nearest is.

Uploads. An admin sends a .csv or .xlsx with the caption /centres; the file is read and
checked in the upload worker (`bot.domain.centre_table`, time and memory limits). A file
with no bad row is stored at once: every region it names replaces that region's rows, the
other regions stay. A file with bad rows stores nothing; the reply lists every bad row, and
when some rows are good their copy waits in the store (`centre_uploads`, status 'pending')
for the button «Сохранить N верных строк». In the store rather than in memory: the button
may be pressed after a restart or a deploy, it carries only the upload's id (Telegram
allows 64 bytes), and nothing grows in the bot's memory when it is never pressed (pending
copies older than PENDING_TTL are dropped at the next upload). A pending copy is refused
when any upload was saved after it was sent: saving it would undo newer data. Every
upload, refusal and confirmation is audited.

Questions. `read_question` decides whether a message asks *where* a centre is: a word of
place («где», «адрес», «ближайший», «рядом», «куда обратиться») together with a word of a
kind of centre («мфц», «кцсон», «опека», «центр», or a kind the directory holds) — or «куда
обратиться» with «в нашем районе» or a named place — and nothing else but words of those
kinds, polite filler and one place name (a city or region of data/places.toml, or a town
the directory lists), in at most MAX_WORDS words. «где ещё откроется семейный мфц в
белгородской области» has words of its own and goes to the search. The place comes from
the question, else from the region the person saved (`store.chat_region`). The answer
holds only rows of the uploaded directory — the bot never makes up an address; with none,
it says so and routes to the Семейный МФЦ card, the regional social protection body and
Госуслуги.

`centres_near(lat, lon, kind)` serves a shared location: the directory's centres with
coordinates, nearest first by the haversine distance.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import ClassVar, Literal, cast

from bot.articles.errors import DocumentError
from bot.articles.worker import Job, ParseWorker
from bot.domain.answers import Answer
from bot.domain.centre_table import (
    CentreTable,
    find_city,
    find_region,
    name_key,
    read_centres_table,
)
from bot.domain.regions import distance_km
from bot.search.analysis import Message
from bot.store import Store
from bot.store.base import CentreRow
from bot.text.morph import is_function_word, lemma
from bot.text.normalize import words

PENDING_TTL = 24 * 3600.0  # a file waiting for «Сохранить N верных строк» waits a day
MAX_SHOWN = 5
# A question of where a centre is fits a line («здравствуйте, подскажите, где у нас в
# Нижнем Тагиле находится семейный мфц» is 12 words); a longer message is a story.
MAX_WORDS = 16

# ---- the words of a question about where a centre is ------------------------------------
# Lemmas (pymorphy3: «ближайший» → «близкий», «находится» → «находиться»).
PLACE_WORDS = frozenset(
    {
        "где",
        "адрес",
        "близкий",
        "рядом",
        "поблизости",
        "недалеко",
        "находиться",
        "располагаться",
        "найти",
        "телефон",
        "контакт",
    }
)
# «куда» asks for a place only with a verb of going: «куда обратиться», «куда пойти».
GO_WORDS = frozenset({"обратиться", "обращаться", "пойти", "идти", "сходить", "прийти"})
# A kind of centre named in a question.
KIND_WORDS = frozenset({"мфц", "кцсон", "опека", "попечительство", "соцзащита", "собес", "центр"})
# Words that qualify a kind («семейный мфц», «центр помощи семье», «орган опеки»).
QUALIFIERS = frozenset(
    {
        "семейный",
        "семья",
        "помощь",
        "социальный",
        "защита",
        "обслуживание",
        "население",
        "комплексный",
        "многофункциональный",
        "орган",
        "отдел",
        "отделение",
        "управление",
        "учреждение",
        "служба",
        "ребенок",
    }
)
# «в нашем районе», «рядом»: the person's own area, when no kind is named.
LOCAL_WORDS = frozenset(
    {"район", "город", "поселок", "село", "рядом", "поблизости", "близкий", "недалеко"}
)
# Polite and asking words that change nothing.
FILLER = frozenset(
    {
        "подсказать",
        "сказать",
        "пожалуйста",
        "есть",
        "часы",
        "работа",
        "режим",
        "сайт",
        "дом",
        "ближе",
        "всего",
        "здравствуйте",
        "добрый",
        "день",
    }
)
# Kind phrases folded into one word, on both sides of a match: a question's «семейный мфц»
# finds a row of kind «Семейный многофункциональный центр», «кцсон» finds «Комплексный
# центр социального обслуживания населения».
FOLDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("комплексный", "центр", "социальный", "обслуживание"), "кцсон"),
    (("многофункциональный", "центр"), "мфц"),
    (("социальный", "защита"), "соцзащита"),
    (("собес",), "соцзащита"),
    (("попечительство",), "опека"),
    (("семейный",), "семья"),
)
# Words every kind may share: they rank a match but never decide it alone when a question
# names a distinctive word («мфц», «кцсон»).
GENERIC = (QUALIFIERS - {"семейный", "многофункциональный"}) | {"центр"}


def fold(lemmas: Iterable[str]) -> list[str]:
    """The lemmas with kind phrases folded (FOLDS), function words left out."""
    seq = [w for w in lemmas if not is_function_word(w)]
    out: list[str] = []
    i = 0
    while i < len(seq):
        for phrase, word in FOLDS:
            if tuple(seq[i : i + len(phrase)]) == phrase:
                out.append(word)
                i += len(phrase)
                break
        else:
            out.append(seq[i])
            i += 1
    return out


def kind_terms(text: str) -> frozenset[str]:
    """A kind as written («Семейный МФЦ», «мфц») as folded lemmas, for `matches`."""
    return frozenset(fold(lemma(w) for w in words(text)))


def _row_terms(row: CentreRow) -> frozenset[str]:
    return kind_terms(f"{row.kind} {row.name}")


def match_score(row: CentreRow, terms: frozenset[str]) -> int:
    """How well a row answers the asked kind: 0 when it does not (a distinctive word of the
    question is missing, or no word is shared), else the number of shared words. Any row
    answers a question that names no kind."""
    if not terms:
        return 1
    have = _row_terms(row)
    if not terms - GENERIC <= have:
        return 0
    return len(terms & have)


@dataclass(frozen=True)
class CentresRequest:
    """A question about where a centre is: the kind (folded lemmas, and as read) and the
    place it names, if any."""

    terms: frozenset[str]
    asked: str
    city: str | None = None
    region: str | None = None


@dataclass(kw_only=True)
class CentresAnswer(Answer):
    """Centres of the directory that answer a question, best (or nearest) first; none when
    the directory has none there (`region` None: the place is unknown)."""

    kind: ClassVar[str] = "centres"
    centres: list[CentreRow]
    distances: list[float] = field(default_factory=list)  # km, with a shared location
    asked: str = ""  # the kind as the question put it («семейного мфц»); '' for any
    region: str | None = None
    city: str | None = None  # the city the question named
    in_city: bool = False  # the centres shown are in `city`
    total: int = 0  # how many answer, shown or not
    region_from_chat: bool = False  # the region is the one the person saved (/region)
    other_kinds: list[tuple[str, int]] = field(default_factory=list)  # in the region
    near: bool = False  # ordered by distance from a shared location


@dataclass(frozen=True)
class RegionChange:
    region: str
    before: int
    after: int


@dataclass
class UploadOutcome:
    """What became of a /centres file: refused whole (`error`), stored (`saved`), or its bad
    rows listed, the good ones waiting for the button (`pending_id`)."""

    filename: str
    error: str | None = None
    table: CentreTable | None = None
    saved: list[RegionChange] = field(default_factory=list)
    pending_id: int | None = None


@dataclass(frozen=True)
class ConfirmOutcome:
    status: Literal["saved", "gone", "stale"]
    saved: list[RegionChange]


@dataclass(frozen=True)
class RegionCount:
    region: str
    total: int
    kinds: list[tuple[str, int]]


def table_worker(timeout_s: float, memory_mb: int) -> ParseWorker:
    """The upload worker process for directory files (started at the first upload)."""
    # The worker hands back whatever its job returns; its annotation names the article job.
    return ParseWorker(timeout_s, memory_mb, job=cast(Job, read_centres_table))


def _changes(before: dict[str, int], rows: Iterable[CentreRow]) -> list[RegionChange]:
    after = Counter(r.region for r in rows)
    return [RegionChange(region, before.get(region, 0), after[region]) for region in sorted(after)]


class CentreDirectory:
    def __init__(
        self,
        store: Store,
        worker: ParseWorker | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.worker = worker  # None: parsed in a thread (the local tools)
        self.clock = clock

    async def close(self) -> None:
        if self.worker is not None:
            await self.worker.close()

    # ---- uploads ------------------------------------------------------------------------
    async def upload(self, admin_id: int, data: bytes, filename: str) -> UploadOutcome:
        try:
            table = await self._read(data, filename)
        except DocumentError as exc:
            await self.refused(admin_id, filename, str(exc))
            return UploadOutcome(filename, error=str(exc))
        now = self.clock()
        if not table.bad:
            before = await self.store.save_centres(admin_id, filename, table.rows, now)
            changes = _changes(before, table.rows)
            await self.store.audit(admin_id, "centres", f"{filename}: saved {_summary(changes)}")
            return UploadOutcome(filename, table=table, saved=changes)
        pending = None
        if table.rows:
            pending = await self.store.stage_centres(
                admin_id, filename, table.rows, now, PENDING_TTL
            )
        numbers = ", ".join(str(b.number) for b in table.bad[:20])
        await self.store.audit(
            admin_id,
            "centres",
            f"{filename}: refused, {len(table.bad)} bad of {table.total} (rows {numbers})"
            + (f"; #{pending} waits for confirmation" if pending else ""),
        )
        return UploadOutcome(filename, table=table, pending_id=pending)

    async def refused(self, admin_id: int, filename: str, reason: str) -> None:
        """Audit a file refused whole (before or after reading it)."""
        await self.store.audit(admin_id, "centres", f"{filename}: refused: {reason}")

    async def confirm(self, admin_id: int, upload_id: int) -> ConfirmOutcome:
        saved = await self.store.confirm_centres(upload_id, self.clock(), PENDING_TTL)
        changes = _changes(saved.before, saved.rows) if saved.status == "saved" else []
        detail = f"#{upload_id}: {saved.status}"
        if changes:
            detail += f" {_summary(changes)}"
        await self.store.audit(admin_id, "centres confirm", detail)
        return ConfirmOutcome(saved.status, changes)

    async def overview(self, admin_id: int) -> list[RegionCount]:
        """Centres per region and kind, for /centres without a file."""
        by_region: dict[str, list[tuple[str, int]]] = {}
        for region, kind, count in await self.store.centre_counts():
            by_region.setdefault(region, []).append((kind, count))
        await self.store.audit(admin_id, "centres list")
        return [
            RegionCount(region, sum(n for _, n in kinds), kinds)
            for region, kinds in sorted(by_region.items())
        ]

    async def _read(self, data: bytes, filename: str) -> CentreTable:
        if self.worker is None:
            return await asyncio.to_thread(read_centres_table, data, filename)
        return cast(CentreTable, await self.worker.parse(data, filename))

    # ---- questions ----------------------------------------------------------------------
    async def read_question(self, message: Message) -> CentresRequest | None:
        """A question about where a centre is, or None (see the module docstring)."""
        lemmas = message.lemmas
        if len(lemmas) > MAX_WORDS:
            return None
        present = set(lemmas)
        going = "куда" in present and present & GO_WORDS
        if not (present & PLACE_WORDS or going):
            return None
        kinds = await self.store.centre_kinds()
        stored = [kind_terms(k) - GENERIC for k in kinds]
        folded = set(fold(lemmas))
        named = bool(present & KIND_WORDS) or any(t and t <= folded for t in stored)
        if not named and not going:
            return None  # «где …» with no kind of centre is some other question
        kind_vocabulary = KIND_WORDS | QUALIFIERS | {lemma(w) for k in kinds for w in words(k)}
        kind_vocabulary |= frozenset().union(*stored)
        allowed = PLACE_WORDS | GO_WORDS | LOCAL_WORDS | FILLER | kind_vocabulary
        rest = [i for i, w in enumerate(lemmas) if w not in allowed and not is_function_word(w)]
        city = region = None
        if rest:
            span = range(rest[0], rest[-1] + 1)
            if any(lemmas[i] in allowed for i in span):
                return None  # words of its own between: not just a place name
            place = await self.place(" ".join(message.tokens[i] for i in span))
            if place is None:
                return None
            city, region = place
        if not named:
            # «куда обратиться в нашем районе», «куда обратиться в Тюмени»: any kind.
            return (
                CentresRequest(frozenset(), "", city, region)
                if (present & LOCAL_WORDS or region)
                else None
            )
        terms = frozenset(w for w in fold(lemmas) if w in kind_vocabulary)
        at = [i for i, w in enumerate(lemmas) if w in kind_vocabulary]
        asked = " ".join(message.tokens[at[0] : at[-1] + 1])
        return CentresRequest(terms, asked, city, region)

    async def place(self, text: str) -> tuple[str | None, str] | None:
        """(city or None, region) of a place named in a question: a region or a city of
        data/places.toml, or a town the directory lists."""
        found = find_city(text)
        if found is not None:
            return found
        region = find_region(text)
        if region is not None:
            return None, region
        key = name_key(text) - {"в", "во", "г", "город"}
        for city, its_region in await self.store.centre_places():
            if key and name_key(city) == key:
                return city, its_region
        return None

    async def find(
        self, request: CentresRequest, region: str | None, from_chat: bool = False
    ) -> CentresAnswer:
        """The centres of the asked kind in the asked city (else its region), best first."""
        answer = CentresAnswer(
            centres=[],
            asked=request.asked,
            region=region,
            city=request.city,
            region_from_chat=from_chat,
        )
        if region is None:
            return answer
        rows = await self.store.centres_in(region)
        scored = [(match_score(r, request.terms), r) for r in rows]
        matched = [r for s, r in sorted(scored, key=lambda p: -p[0]) if s > 0]
        if request.city:
            here = [r for r in matched if name_key(r.city) == name_key(request.city)]
            if here:
                matched, answer.in_city = here, True
        if not matched:
            answer.other_kinds = Counter(r.kind for r in rows).most_common()
        answer.centres, answer.total = matched[:MAX_SHOWN], len(matched)
        return answer

    async def centres_in_region(self, region: str, kind: str | None = None) -> CentresAnswer:
        """The centres of a region (of `kind`, when given), as an answer to render."""
        request = CentresRequest(kind_terms(kind) if kind else frozenset(), kind or "")
        return await self.find(request, region)

    async def centres_near(
        self,
        lat: float,
        lon: float,
        kind: str | None = None,
        region: str | None = None,
        limit: int = MAX_SHOWN,
    ) -> CentresAnswer:
        """The directory's centres (of `kind`, when given) nearest to a shared location,
        by haversine distance; only centres with coordinates can be measured. With none of
        those, the centres of `region` (when the caller knows it) without distances."""
        terms = kind_terms(kind) if kind else frozenset()
        located = [r for r in await self.store.located_centres() if match_score(r, terms)]
        if not located and region is not None:
            answer = await self.find(CentresRequest(terms, kind or ""), region)
            answer.near = True
            return answer
        pairs = sorted(
            ((distance_km(lat, lon, r.lat or 0.0, r.lon or 0.0), r) for r in located),
            key=lambda p: p[0],
        )
        shown = pairs[:limit]
        return CentresAnswer(
            centres=[r for _, r in shown],
            distances=[d for d, _ in shown],
            asked=kind or "",
            region=shown[0][1].region if shown else region,
            total=len(pairs),
            near=True,
        )


def _summary(changes: list[RegionChange]) -> str:
    return ", ".join(f"{c.region} {c.before}→{c.after}" for c in changes)
