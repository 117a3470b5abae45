"""What the rest of the bot may ask of a store: row models and one Protocol per concern.

The rows are plain frozen dataclasses, free of any database driver, so the domain and the
views never see `aiosqlite.Row` (or asyncpg's `Record`). A backend implements the
Protocols below (`bot.store.sqlite.SqliteStore` today); nothing outside `bot/store/` writes
SQL or full-text syntax — search hands the store a `TermQuery`, not an FTS expression.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Literal, Protocol

DocKind = Literal["a", "c", "e"]
MAX_ID_DIGITS = 15  # SQLite's INTEGER holds 18 digits; nothing we store comes close


def as_id(text: str) -> int | None:
    """A store id from text (a button, a stored subject), or None: ASCII digits only
    («²» is a digit to str.isdigit), and small enough for SQLite's INTEGER."""
    if text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS:
        return int(text)
    return None


@dataclass(frozen=True, slots=True, order=True)
class DocRef:
    """A reference to a document: `a` an article id, `c` a card id, `e` event ids.

    Its text form («a:12», «c:mfc», «e:3,4») is what the store keeps as a chat's subject,
    what the search index holds per row and what an «open» button carries."""

    kind: DocKind
    key: str

    @classmethod
    def article(cls, article_id: int) -> DocRef:
        return cls("a", str(article_id))

    @classmethod
    def card(cls, card_id: str) -> DocRef:
        return cls("c", card_id)

    @classmethod
    def events(cls, event_ids: list[int]) -> DocRef:
        return cls("e", ",".join(map(str, event_ids)))

    @classmethod
    def parse(cls, text: str | None) -> DocRef | None:
        """The reference a text form names, or None for anything else (never raises:
        subjects and button data come from outside)."""
        kind, sep, key = (text or "").partition(":")
        if not sep or not key or kind not in ("a", "c", "e"):
            return None
        return cls(kind, key)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"

    @property
    def is_card(self) -> bool:
        return self.kind == "c"

    @property
    def article_id(self) -> int | None:
        return as_id(self.key) if self.kind == "a" else None

    @property
    def event_ids(self) -> list[int]:
        if self.kind != "e":
            return []
        return [i for i in map(as_id, self.key.split(",")) if i is not None]


_FTS_TOKEN = re.compile(r"[^\W_]+")


def index_terms(title: str, body: str) -> set[str]:
    """The distinct terms of an index row: its text is lemmas separated by spaces, with
    « | » between a card's phrases (not a term). Search counts document frequencies with
    this, and every backend must see the same terms (FTS5's unicode61 tokenizer does)."""
    return set(_FTS_TOKEN.findall(title)) | set(_FTS_TOKEN.findall(body))


@dataclass(frozen=True, slots=True)
class TermQuery:
    """What search asks of the full-text index: documents holding any (or all) of these
    index terms — single lemmas or phrases of lemmas. The backend turns it into its own
    syntax (FTS5 MATCH, a tsquery); user text never reaches that syntax."""

    terms: tuple[str, ...]
    require_all: bool = False


@dataclass(frozen=True, slots=True)
class IndexMatch:
    """One matching index row: the document, its backend rank (lower is better), and the
    index text of its title and body, which the re-ranker reads."""

    doc: DocRef
    rank: float
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class ArticleRow:
    id: int
    title: str
    published: dt.date | None
    source_url: str | None
    places: list[str]
    summary: str
    body: str
    origin: str
    created_at: str
    source_name: str | None = None


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    article_id: int
    kind: str
    title: str
    start: dt.date
    end: dt.date
    time: str | None
    place: str | None
    sentence: str
    status: str
    article_title: str = ""
    source_url: str | None = None


@dataclass(frozen=True, slots=True)
class NewArticle:
    """What the articles pipeline hands to the store (already cleaned and analysed)."""

    title: str
    published: dt.date | None
    source_url: str | None
    places: Sequence[str]
    summary: str
    body: str
    content_hash: str
    origin: str
    fmt: str
    index_title: str
    index_body: str
    source_name: str | None = None


class EventFacts(Protocol):
    """What the store needs of an extracted event (bot.articles.extract_events.ExtractedEvent).

    Read-only members, so that a frozen dataclass (and a narrower type, such as a
    ``Literal`` for ``status``) satisfies it."""

    @property
    def kind(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def start(self) -> dt.date: ...
    @property
    def end(self) -> dt.date: ...
    @property
    def time(self) -> dt.time | None: ...
    @property
    def place(self) -> str | None: ...
    @property
    def sentence(self) -> str: ...
    @property
    def status(self) -> str: ...


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A queued message: either a ready `text` (with `markup`), or a `notice` about
    `event_id` that the sender words when it sends it."""

    id: int
    chat_id: int
    text: str
    markup: dict[str, Any] | None
    attempts: int
    notice: str | None = None
    event_id: int | None = None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message to queue once: `dedupe_key` is unique in the outbox, so planning the same
    notification twice (a restart, two articles announcing one event) queues it once."""

    chat_id: int
    dedupe_key: str
    text: str = ""
    notice: str | None = None  # 'new' | 'remind'
    event_id: int | None = None


@dataclass(frozen=True, slots=True)
class HandoffRow:
    """A conversation handed to the specialists: «Обращение №id». No text is kept."""

    id: int
    chat_id: int
    thread_id: int | None  # the forum topic in the support chat, when it has topics
    status: str  # open | closed
    shared_name: str | None
    opened_at: float
    first_reply_at: float | None


# ---- what a backend implements, one Protocol per concern --------------------------------
Counted = Literal["articles", "events"]


class MetaStore(Protocol):
    """Small facts about the store itself: seeding done, index version, a change counter
    that moves on every content change (so each process knows when to reload)."""

    async def get_meta(self, key: str) -> str | None: ...
    async def set_meta(self, key: str, value: str) -> None: ...
    async def generation(self) -> int: ...
    def exclusive(self, name: str) -> AbstractAsyncContextManager[None]:
        """Held by one process at a time among all that share this store — first-start
        work (migrations done, seeds, cards) and setting the webhook run once when N
        workers start together. PostgreSQL: an advisory lock; SQLite: this process only
        (one `run` per file holds the run lock)."""
        ...


class ArticleStore(Protocol):
    """Articles with their events and index rows, written together or not at all."""

    async def add_article(self, article: NewArticle, events: Iterable[EventFacts]) -> int: ...
    async def add_articles(
        self, items: Sequence[tuple[NewArticle, Sequence[EventFacts]]]
    ) -> list[int]:
        """Several articles with their events and index rows in ONE transaction (the bulk
        import): the same rows, ids and document frequencies as ``add_article`` for each in
        turn, the generation moved once; all of them or, should one fail, none."""
        ...

    async def article_id_by_hash(self, content_hash: str) -> int | None: ...
    async def get_article(self, article_id: int) -> ArticleRow | None: ...
    async def get_articles(self, ids: Sequence[int]) -> dict[int, ArticleRow]: ...
    async def list_articles(self, offset: int = 0, limit: int = 10) -> list[ArticleRow]: ...
    async def event_counts(self, article_ids: Sequence[int]) -> dict[int, int]:
        """How many events each article has (an article without any: absent or 0)."""
        ...

    async def count(self, what: Counted) -> int: ...
    async def delete_article(self, article_id: int) -> bool: ...


class CardStore(Protocol):
    """The service cards (data/cards.toml as loaded), with their index rows."""

    async def replace_cards(
        self,
        cards: Sequence[tuple[str, str, dict, str, str]],
        index_rows: Sequence[tuple[str, str, str]],
    ) -> None: ...
    async def get_cards(self) -> dict[str, dict]: ...


class SearchIndex(Protocol):
    """The full-text index: ranked candidates for the re-ranker, document frequencies."""

    async def match(
        self, query: TermQuery, limit: int, title_weight: float = 5.0
    ) -> list[IndexMatch]: ...
    async def vocabulary(self) -> dict[str, int]: ...
    async def document_count(self) -> int: ...
    async def iter_articles_for_index(self) -> list[tuple[int, str, str]]: ...
    async def reindex_articles(self, rows: Sequence[tuple[int, str, str]]) -> None: ...


class EventStore(Protocol):
    async def events_from(self, day: dt.date, limit: int = 200) -> list[EventRow]: ...
    async def events_before(self, day: dt.date, limit: int = 50) -> list[EventRow]: ...
    async def planned_events(self, today: dt.date, within_days: int = 366) -> list[EventRow]: ...
    async def events_of_article(self, article_id: int) -> list[EventRow]: ...
    async def get_event(self, event_id: int) -> EventRow | None: ...
    async def events_starting_between(self, first: dt.date, last: dt.date) -> list[EventRow]: ...


class SubscriptionStore(Protocol):
    async def subscribe(self, chat_id: int, topic: str) -> bool: ...
    async def unsubscribe(self, chat_id: int) -> int: ...
    async def deactivate_chat(self, chat_id: int) -> None: ...
    async def active_subscriptions(self) -> list[tuple[int, str]]: ...
    async def subscriptions_of(self, chat_id: int) -> list[str]: ...
    async def count_subscribers(self) -> int: ...


class Outbox(Protocol):
    """Messages queued once (by dedupe key) and drained at Telegram's pace, by any number
    of senders (one per worker) without two of them sending one row.

    A sender *claims* due rows for `lease` seconds (PostgreSQL: ``FOR UPDATE SKIP LOCKED``;
    SQLite: one writer at a time), then moves each to 'sending' just before the request
    (`start_sending`: False when its claim expired and another sender took the row) and to
    'sent' when Telegram accepted it. A sender that dies leaves its claimed rows to the
    others once the lease ends (nothing lost); a row it left in 'sending' may have been
    delivered — Telegram has no idempotency key — so it is marked 'failed' («unknown
    outcome»), never resent (nothing doubled), the rule of bot/telegram/retry.py."""

    async def enqueue(self, items: Iterable[Outgoing]) -> int: ...
    async def claim_outbox(
        self, sender: str, now: float, lease: float, limit: int = 50
    ) -> list[OutboxRow]: ...
    async def start_sending(
        self, outbox_id: int, sender: str, now: float, lease: float
    ) -> bool: ...
    async def release_claims(self, sender: str) -> int:
        """Give back the rows `sender` claimed and did not send (still 'pending'): a chat that
        failed mid-batch keeps its other rows, which are due again at their `not_before`."""
        ...

    async def mark_sent(self, outbox_id: int) -> None: ...
    async def mark_retry(
        self, outbox_id: int, not_before: float, error: str, give_up: bool = False
    ) -> None: ...
    async def postpone_chat(self, chat_id: int, not_before: float) -> None: ...
    async def move_chat(self, old: int, new: int) -> None: ...
    async def outbox_counts(self) -> dict[str, int]: ...


class ChatContext(Protocol):
    """What a chat's last answer was about (a DocRef's text form), kept for minutes."""

    async def save_context(self, chat_id: int, subject: str, now: float) -> None: ...
    async def load_context(self, chat_id: int, newer_than: float) -> str | None: ...
    async def purge_context(self, older_than: float) -> int: ...


class QueryLog(Protocol):
    """Questions without who asked (redacted text), crisis messages only counted."""

    async def log_query(self, text: str, intent: str, found: bool) -> None: ...
    async def count_crisis(self, day: dt.date) -> None: ...
    async def purge_queries(self, older_than: dt.datetime) -> int: ...
    async def query_stats(self, since: dt.datetime, top: int = 10) -> dict[str, Any]: ...


class Handoffs(Protocol):
    """Conversations handed to a person (one open per chat) and the support-chat messages
    that belong to each."""

    async def open_handoff(self, chat_id: int, now: float) -> tuple[HandoffRow, bool]: ...
    async def open_handoff_of(self, chat_id: int) -> HandoffRow | None: ...
    async def get_handoff(self, handoff_id: int) -> HandoffRow | None: ...
    async def handoff_by_thread(self, thread_id: int) -> HandoffRow | None: ...
    async def handoff_by_message(self, support_message_id: int) -> HandoffRow | None: ...
    async def add_handoff_message(self, handoff_id: int, support_message_id: int) -> None: ...
    async def set_handoff_thread(self, handoff_id: int, thread_id: int) -> None: ...
    async def mark_handoff_reply(self, handoff_id: int, now: float) -> None: ...
    async def share_handoff_name(self, handoff_id: int, name: str) -> None: ...
    async def close_handoff(self, handoff_id: int, now: float) -> bool: ...
    async def handoffs_since(self, since: float) -> list[HandoffRow]: ...


class ChatRegions(Protocol):
    """The region a person chose to tell (a region name of data/places.toml), per chat."""

    async def set_chat_region(self, chat_id: int, region: str) -> None: ...
    async def chat_region(self, chat_id: int) -> str | None: ...
    async def forget_chat_region(self, chat_id: int) -> bool: ...
    async def chats_in_region(self, region: str) -> list[int]: ...


class AuditLog(Protocol):
    async def audit(self, admin_id: int, action: str, detail: str = "") -> None: ...
    async def recent_audit(self, limit: int = 10) -> list[tuple[str, int, str, str]]: ...


# ---- ratings, the editors' queue, editors (issue #14) ------------------------------------
@dataclass(frozen=True, slots=True)
class AnswerRow:
    """An article or card answer as it was given: what it showed and to what wording."""

    id: int
    doc: DocRef
    question: str  # redacted, as the query log keeps it; '' when opened by a button
    at: float  # unix time


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """One occurrence for the editors' queue: a question that found nothing (source 'q', a
    query-log row) or a 👎 on an answer (source 'a', the answer's row). Never who."""

    source: Literal["q", "a"]
    id: int
    at: dt.datetime
    text: str
    doc: DocRef | None = None  # what the 👎 answer showed
    reason: str | None = None  # why 👎, when the person said
    rated_at: float = 0.0  # 'a': when the 👎 was given (unix time)


@dataclass(frozen=True, slots=True)
class HandledMark:
    """A queue group marked handled: occurrences up to these are hidden, later ones show."""

    query_id: int
    rated_at: float


@dataclass(frozen=True, slots=True)
class RatingCount:
    doc: DocRef
    up: int
    down: int


@dataclass(frozen=True, slots=True)
class WeekShare:
    """Questions of one week (from `start`, a Monday) and how many found nothing."""

    start: dt.date
    total: int
    missed: int


@dataclass(frozen=True, slots=True)
class EditorRow:
    user_id: int
    added_by: int
    added_at: str


class AnswerRatings(Protocol):
    """Answers as given (by id) and one rating per rater per answer."""

    async def record_answer(self, doc: DocRef, question: str, now: float) -> int: ...
    async def get_answer(self, answer_id: int) -> AnswerRow | None: ...
    async def rate_answer(
        self, answer_id: int, rater: str, value: int, now: float
    ) -> tuple[bool, int | None]: ...
    async def set_rating_reason(self, answer_id: int, rater: str, reason: str) -> bool: ...
    async def rating_counts(self, since: float, limit: int = 10) -> list[RatingCount]: ...
    async def purge_answers(self, older_than: float) -> int: ...


class ReviewQueue(Protocol):
    """What the editors' queue reads and writes: occurrences, handled marks, learned
    phrases (a change of those moves the generation: every process's search sees it)."""

    async def review_rows(self, limit: int) -> list[ReviewRow]: ...
    async def review_row(self, source: str, row_id: int) -> ReviewRow | None: ...
    async def handled_marks(self) -> dict[str, HandledMark]: ...
    async def mark_handled(self, phrases: Sequence[str], now: float) -> None: ...
    async def learn_phrases(self, phrases: Sequence[str], doc: DocRef, wording: str) -> None: ...
    async def learned_phrases(self) -> dict[str, DocRef]: ...
    async def missed_by_week(self, since: dt.date) -> list[WeekShare]: ...


class EditorRoles(Protocol):
    async def add_editor(self, user_id: int, added_by: int) -> bool: ...
    async def remove_editor(self, user_id: int) -> bool: ...
    async def is_editor(self, user_id: int) -> bool: ...
    async def list_editors(self) -> list[EditorRow]: ...


# ---- the directory of centres (/centres, issue #15) ---------------------------------------
@dataclass(frozen=True, slots=True)
class CentreRow:
    """One centre of the uploaded directory, as validated (bot.domain.centre_table): the
    region is a region name of data/places.toml; coordinates both or neither."""

    name: str
    kind: str  # free text: «Семейный МФЦ», «КЦСОН», «опека»…
    region: str
    city: str
    address: str
    phones: str = ""
    hours: str = ""
    site: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class SavedCentres:
    """What confirming a pending upload did: 'saved' (with the rows and each replaced
    region's count before), 'gone' (no such pending upload, expired or already saved) or
    'stale' (the directory changed after it was sent: saving it would undo that)."""

    status: Literal["saved", "gone", "stale"]
    rows: list[CentreRow]
    before: dict[str, int]


class Centres(Protocol):
    """The directory of centres by region, and uploads waiting for «Сохранить N верных
    строк». Saving replaces every region the rows name, in one transaction."""

    async def save_centres(
        self, admin_id: int, filename: str, rows: Sequence[CentreRow], now: float
    ) -> dict[str, int]: ...
    async def stage_centres(
        self, admin_id: int, filename: str, rows: Sequence[CentreRow], now: float, ttl: float
    ) -> int: ...
    async def confirm_centres(self, upload_id: int, now: float, ttl: float) -> SavedCentres: ...
    async def centres_in(self, region: str) -> list[CentreRow]: ...
    async def located_centres(self) -> list[CentreRow]: ...
    async def centre_kinds(self) -> list[str]: ...
    async def centre_places(self) -> list[tuple[str, str]]: ...
    async def centre_counts(self) -> list[tuple[str, str, int]]: ...


# ---- announcements (/broadcast, issue #15) ----------------------------------------------
@dataclass(frozen=True, slots=True)
class BroadcastRow:
    """An announcement: the text as the admin wrote it, the audience (a region name and a
    subscription topic, None: not limited) and its state; `recipients` were queued at
    «Отправить» (each an outbox row keyed 'broadcast:<id>:<chat>')."""

    id: int
    admin_id: int
    text: str
    region: str | None
    topic: str | None
    status: str  # draft | sending | done | cancelled
    recipients: int
    created_at: str
    sent_at: str | None = None


def broadcast_key(broadcast_id: int, chat_id: int) -> str:
    """The outbox dedupe key of one announcement to one chat: once-only, also across
    restarts; the store counts a broadcast's delivery by this prefix."""
    return f"broadcast:{broadcast_id}:{chat_id}"


class BroadcastStore(Protocol):
    """Announcements and their delivery. `start_broadcast` moves a draft to 'sending' and
    queues its messages in one transaction — a second press, or a crash in between, can
    neither send twice nor leave a half-queued broadcast."""

    async def add_broadcast(
        self, admin_id: int, text: str, region: str | None, topic: str | None
    ) -> int: ...
    async def get_broadcast(self, broadcast_id: int) -> BroadcastRow | None: ...
    async def start_broadcast(self, broadcast_id: int, items: Sequence[Outgoing]) -> int | None: ...
    async def cancel_broadcast(self, broadcast_id: int) -> bool: ...
    async def finish_broadcast(self, broadcast_id: int) -> bool: ...
    async def broadcast_outcome(self, broadcast_id: int) -> dict[str, int]: ...
    async def recent_broadcasts(self, limit: int = 5) -> list[BroadcastRow]: ...


class Store(
    MetaStore,
    ArticleStore,
    CardStore,
    SearchIndex,
    EventStore,
    SubscriptionStore,
    Outbox,
    ChatContext,
    QueryLog,
    AuditLog,
    Handoffs,
    ChatRegions,
    AnswerRatings,
    ReviewQueue,
    EditorRoles,
    Centres,
    BroadcastStore,
    Protocol,
):
    """Everything the bot keeps. `bot.store.open_store` gives the configured backend."""

    async def close(self) -> None: ...
