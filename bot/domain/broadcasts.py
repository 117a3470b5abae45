"""Announcements from the admins (/broadcast): who receives them, a preview before anything
is sent, sending through the outbox, and the count of what happened — each step audited.

Who receives an announcement: chats with an active subscription (/subscribe, any topic) —
people who asked the bot to write to them. A chat that only told its region (/region) did
not ask for messages and gets none; /unsubscribe stops announcements too. Limits narrow it:

- `регион=…` (any city or region, read by places.toml): subscribers who told that region
  (/region) or whose subscription names it or one of its cities (`/subscribe Тюмень`);
- `тема=…`: subscribers to that topic (compared as lemmas: «вебинары» = «вебинар»).

Sending is the outbox's job (`bot.telegram.outbox.OutboxSender`): paced, each chat's failures
kept to it, and the dedupe key 'broadcast:<id>:<chat>' makes every message once-only, also
across restarts. «Отправить» moves the draft to 'sending' and queues its messages in one
transaction, so a second press queues nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.articles.places import region_of
from bot.domain.events import EventFilter, clean_topic, topic_lemmas
from bot.store import Store
from bot.store.base import BroadcastRow, Outgoing, broadcast_key
from bot.text.normalize import normalize

# What leaves room, within Telegram's 4096, for the heading and the «how to unsubscribe»
# line recipients see around the text (measured in UTF-16 units, as Telegram counts).
MAX_TEXT = 3800
# «регион=…; тема=…» on the first line: options; the announcement starts on the next line.
_OPTION_LINE = re.compile(r"^\s*[A-Za-zА-Яа-яЁё]+\s*=")
_KEYS = {"регион": "region", "region": "region", "тема": "topic", "topic": "topic"}

Reason = Literal["empty", "too_long", "option", "region", "topic", "nobody"]


class Waker(Protocol):
    def wake_up(self) -> None: ...


@dataclass(frozen=True)
class Audience:
    region: str | None = None  # a region name of places.toml
    topic: str | None = None  # a cleaned subscription topic


@dataclass(frozen=True)
class Problem:
    """Why nothing was drafted: `value` is what the admin typed that could not be used."""

    reason: Reason
    value: str = ""
    audience: Audience = Audience()


@dataclass(frozen=True)
class Draft:
    id: int
    text: str
    audience: Audience
    recipients: int


@dataclass(frozen=True)
class Started:
    """What «Отправить» did: 'started' (with how many messages were queued), 'not_draft'
    (sent or cancelled already), 'gone' (no such broadcast)."""

    status: Literal["started", "not_draft", "gone"]
    queued: int = 0


@dataclass(frozen=True)
class Progress:
    """A broadcast's messages so far: delivered, refused because the chat blocked the bot
    or is gone, failed for good (after the outbox's retries), still queued."""

    total: int
    delivered: int
    blocked: int
    failed: int
    pending: int

    @property
    def done(self) -> bool:
        return self.pending == 0


def read_request(args: str) -> tuple[str, Audience] | Problem:
    """The announcement and its audience from what followed /broadcast: options on the
    first line (`регион=Тюмень; тема=вебинар`), then the text; or the text alone."""
    text = args.strip()
    first, _, rest = text.partition("\n")
    audience = Audience()
    if _OPTION_LINE.match(first):
        for part in re.split(r"[;,]", first):
            key, sep, value = part.partition("=")
            field = _KEYS.get(normalize(key.strip()))
            if not sep or field is None or not value.strip():
                return Problem("option", part.strip())
            if field == "region":
                region = region_of(value)
                if region is None:
                    return Problem("region", value.strip())
                audience = Audience(region, audience.topic)
            else:
                topic = clean_topic(value)
                if not topic_lemmas(topic):
                    return Problem("topic", value.strip())
                audience = Audience(audience.region, topic)
        text = rest.strip()
    if not text:
        return Problem("empty", audience=audience)
    if len(text.encode("utf-16-le")) // 2 > MAX_TEXT:
        return Problem("too_long", str(MAX_TEXT), audience)
    return text, audience


class BroadcastDesk:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.sender: Waker | None = None  # the outbox sender, once it runs

    async def recipients(self, audience: Audience) -> list[int]:
        """Chats with an active subscription, narrowed by the audience (module docstring)."""
        active = await self.store.active_subscriptions()
        if audience.topic is not None:
            wanted = topic_lemmas(audience.topic)
            chats = {chat for chat, topic in active if topic_lemmas(topic) == wanted}
        else:
            chats = {chat for chat, _ in active}
        if audience.region is not None:
            told = set(await self.store.chats_in_region(audience.region))
            places = {topic: EventFilter.read(topic).places for topic in {t for _, t in active}}
            key = normalize(audience.region)
            follows = {chat for chat, topic in active if key in places[topic]}
            chats &= told | follows
        return sorted(chats)

    async def draft(self, admin_id: int, args: str) -> Draft | Problem:
        """A draft to preview, with the number of recipients now; nothing is sent. A request
        that cannot be used (or reaches nobody) stores nothing."""
        request = read_request(args)
        if isinstance(request, Problem):
            return request
        text, audience = request
        count = len(await self.recipients(audience))
        if not count:
            return Problem("nobody", audience=audience)
        broadcast_id = await self.store.add_broadcast(
            admin_id, text, audience.region, audience.topic
        )
        await self.store.audit(
            admin_id, "broadcast_draft", f"№{broadcast_id} {_describe(audience)}: {count}"
        )
        return Draft(broadcast_id, text, audience, count)

    async def get(self, broadcast_id: int) -> BroadcastRow | None:
        return await self.store.get_broadcast(broadcast_id)

    async def send(self, admin_id: int, broadcast_id: int, message: str) -> Started:
        """Queue `message` (the announcement as recipients read it) for the recipients as
        they are now; once only."""
        row = await self.store.get_broadcast(broadcast_id)
        if row is None:
            return Started("gone")
        if row.status != "draft":
            return Started("not_draft")
        chats = await self.recipients(Audience(row.region, row.topic))
        items = [Outgoing(chat, broadcast_key(row.id, chat), text=message) for chat in chats]
        queued = await self.store.start_broadcast(row.id, items)
        if queued is None:  # pressed twice at once: the other press queued it
            return Started("not_draft")
        await self.store.audit(admin_id, "broadcast_send", f"№{row.id}: {queued}")
        if self.sender is not None:
            self.sender.wake_up()
        return Started("started", queued)

    async def cancel(self, admin_id: int, broadcast_id: int) -> bool:
        """False when it is no draft any more (sent, cancelled, or never was)."""
        cancelled = await self.store.cancel_broadcast(broadcast_id)
        if cancelled:
            await self.store.audit(admin_id, "broadcast_cancel", f"№{broadcast_id}")
        return cancelled

    async def progress(self, broadcast_id: int) -> Progress:
        row = await self.store.get_broadcast(broadcast_id)
        counts = await self.store.broadcast_outcome(broadcast_id)
        return Progress(
            total=row.recipients if row else 0,
            delivered=counts.get("sent", 0),
            blocked=counts.get("dropped", 0),
            failed=counts.get("failed", 0),
            pending=counts.get("pending", 0),
        )

    async def finish(self, admin_id: int, broadcast_id: int, progress: Progress) -> None:
        """Mark it done and audit the final count (once, whoever watched it)."""
        if await self.store.finish_broadcast(broadcast_id):
            await self.store.audit(
                admin_id,
                "broadcast_done",
                f"№{broadcast_id}: доставлено {progress.delivered}, "
                f"заблокировали {progress.blocked}, ошибки {progress.failed}",
            )

    async def recent(self, limit: int = 5) -> list[tuple[BroadcastRow, Progress]]:
        """The latest broadcasts with their counts (/broadcast without text): what a restart
        left unwatched can still be read here."""
        rows = await self.store.recent_broadcasts(limit)
        return [(row, await self.progress(row.id)) for row in rows]


def _describe(audience: Audience) -> str:
    parts = [
        f"регион={audience.region}" if audience.region else "",
        f"тема={audience.topic}" if audience.topic else "",
    ]
    return "; ".join(p for p in parts if p) or "все подписчики"
