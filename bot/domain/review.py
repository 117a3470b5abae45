"""The editors' queue (/review): what found nothing and what was rated 👎, grouped by wording.

Occurrences come from the query log (questions that found nothing) and the ratings (👎 on
an article or card answer), without who asked or rated. They are grouped by wording
(`bot.search.phrases`: one key per wording, alike keys joined), the most frequent first,
with counts and first and last dates. An editor can, per group:

* link it to an article or a card: the group's wordings become learned phrases, and the
  search puts that document first for them at once, in every process (the store's
  generation moves);
* mark it handled: it leaves the queue until the same wording comes again;
* open the document a 👎 answer showed.

Buttons name a group by one of its occurrences (a query-log row or an answer row), never by
its text: the group is worked out again when a button is pressed, so a queue that moved
meanwhile cannot make a button act on another group. Every link and mark is audited.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from bot.search.analysis import lemmatize, tokenize
from bot.search.engine import SearchEngine
from bot.search.phrases import group_keys, phrase_key, word_weight
from bot.store import Store
from bot.store.base import DocRef, HandledMark, ReviewRow

PAGE = 5
ROWS = 2000  # newest occurrences read of each kind: the queue is about what people ask now
VARIANTS = 3
CANDIDATES = 5

Source = Literal["q", "a"]
LinkStatus = Literal["linked", "gone", "no_doc", "not_linkable"]


@dataclass
class ReviewGroup:
    """Alike wordings with their counts. `source` and `row` name its newest occurrence:
    what its buttons carry."""

    keys: list[str]
    wording: str
    variants: list[str]
    missed: int
    disliked: int
    first: dt.datetime
    last: dt.datetime
    source: Source
    row: int
    shown: list[DocRef] = field(default_factory=list)  # what the 👎 answers showed
    reasons: dict[str, int] = field(default_factory=dict)  # why 👎, when people said

    @property
    def count(self) -> int:
        return self.missed + self.disliked

    @property
    def linkable(self) -> bool:
        """A group has words to link (a 👎 on an answer opened by a button has none)."""
        return any(not k.startswith("@") for k in self.keys)


@dataclass
class QueuePage:
    groups: list[ReviewGroup]
    total: int
    offset: int
    has_more: bool


@dataclass
class LinkChoice:
    """What an editor may link a group to: the search's candidates and the cards."""

    group: ReviewGroup
    candidates: list[tuple[DocRef, str]]


@dataclass
class LinkOutcome:
    status: LinkStatus
    group: ReviewGroup | None = None
    doc: DocRef | None = None
    title: str = ""


def _visible(row: ReviewRow, mark: HandledMark | None) -> bool:
    """Not handled, or come again since the group was marked handled."""
    if mark is None:
        return True
    return row.id > mark.query_id if row.source == "q" else row.rated_at > mark.rated_at


class ReviewDesk:
    def __init__(
        self, store: Store, search: SearchEngine, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.search = search
        self.clock = clock

    def key(self, row: ReviewRow) -> str | None:
        """The wording's key; a 👎 without a question (opened by a button) is grouped by the
        document; None for a question of stop words only («а?»), which nothing can answer."""
        stopwords = self.search.analyzer.vocab.stopwords
        key = phrase_key(lemmatize(tokenize(row.text)), stopwords)
        if key:
            return key
        if row.source == "a" and row.doc is not None:
            return f"@{row.doc}"
        return None

    async def _groups(self) -> list[ReviewGroup]:
        marks = await self.store.handled_marks()
        rows: dict[str, list[ReviewRow]] = {}
        for row in await self.store.review_rows(ROWS):
            key = self.key(row)
            if key is not None and _visible(row, marks.get(key)):
                rows.setdefault(key, []).append(row)
        order = sorted(
            rows, key=lambda k: (-len(rows[k]), -max(r.at for r in rows[k]).timestamp(), k)
        )
        idf = self.search.analyzer.idf
        leader = group_keys(
            [k for k in order if not k.startswith("@")], lambda w: word_weight(w, idf)
        )
        members: dict[str, list[str]] = {}
        for key in order:
            members.setdefault(leader.get(key, key), []).append(key)
        groups = [
            self._group(keys, [r for k in keys for r in rows[k]]) for keys in members.values()
        ]
        groups.sort(key=lambda g: (-g.count, -g.last.timestamp(), g.keys[0]))
        return groups

    @staticmethod
    def _group(keys: list[str], rows: list[ReviewRow]) -> ReviewGroup:
        wordings = Counter(" ".join(r.text.split()) for r in rows if r.text.strip())
        by_text: dict[str, str] = {}
        for text, _ in wordings.most_common():
            by_text.setdefault(text.lower().replace("ё", "е"), text)
        texts = list(by_text.values())
        newest = max(rows, key=lambda r: (r.at, r.source, r.id))
        shown = Counter(r.doc for r in rows if r.source == "a" and r.doc is not None)
        reasons = Counter(r.reason for r in rows if r.source == "a" and r.reason)
        return ReviewGroup(
            keys=keys,
            wording=texts[0] if texts else "",
            variants=texts[1 : 1 + VARIANTS],
            missed=sum(r.source == "q" for r in rows),
            disliked=sum(r.source == "a" for r in rows),
            first=min(r.at for r in rows),
            last=newest.at,
            source=newest.source,
            row=newest.id,
            shown=[d for d, _ in shown.most_common()],
            reasons=dict(reasons.most_common()),
        )

    async def queue(self, offset: int = 0) -> QueuePage:
        groups = await self._groups()
        offset = max(0, min(offset, max(0, len(groups) - 1)))
        return QueuePage(
            groups[offset : offset + PAGE], len(groups), offset, len(groups) > offset + PAGE
        )

    async def open(self, editor_id: int) -> QueuePage:
        """/review: the first page, audited (as /stats is; turning pages is not)."""
        page = await self.queue()
        await self.store.audit(editor_id, "review", f"groups: {page.total}")
        return page

    async def group_of(self, source: Source, row_id: int) -> ReviewGroup | None:
        """The group an occurrence belongs to now; the occurrence alone when its group has
        left the queue meanwhile (handled by someone else); None when it is gone."""
        row = await self.store.review_row(source, row_id)
        key = self.key(row) if row is not None else None
        if row is None or key is None:
            return None
        for group in await self._groups():
            if key in group.keys:
                return group
        return self._group([key], [row])

    async def choices(self, source: Source, row_id: int) -> LinkChoice | None:
        """The search's candidates for the group's wording (except what a 👎 was given to),
        then every card."""
        group = await self.group_of(source, row_id)
        if group is None:
            return None
        docs: list[DocRef] = []
        if group.wording:
            result = await self.search.search(group.wording, limit=CANDIDATES)
            docs = [h.doc for h in result.hits if h.doc not in group.shown]
        cards = await self.store.get_cards()
        docs += [DocRef.card(c) for c in cards if DocRef.card(c) not in docs + group.shown]
        titles = await self.titles(docs)
        return LinkChoice(group, [(d, titles[d]) for d in docs if d in titles])

    async def titles(self, docs: list[DocRef]) -> dict[DocRef, str]:
        cards = await self.store.get_cards()
        ids = [d.article_id for d in docs if d.article_id is not None]
        articles = await self.store.get_articles(ids)
        out: dict[DocRef, str] = {}
        for doc in docs:
            if doc.article_id is not None and doc.article_id in articles:
                out[doc] = articles[doc.article_id].title
            elif doc.is_card and doc.key in cards:
                out[doc] = cards[doc.key]["title"]
        return out

    async def link(self, editor_id: int, source: Source, row_id: int, doc: DocRef) -> LinkOutcome:
        """Teach the search the group's wordings → `doc`, and take the group off the queue."""
        group = await self.group_of(source, row_id)
        if group is None:
            return LinkOutcome("gone")
        if not group.linkable:
            return LinkOutcome("not_linkable", group)
        title = (await self.titles([doc])).get(doc)
        if title is None:
            return LinkOutcome("no_doc", group, doc)
        phrases = [k for k in group.keys if not k.startswith("@")]
        await self.store.learn_phrases(phrases, doc, group.wording)
        await self.store.mark_handled(group.keys, self.clock())
        await self.store.audit(editor_id, "review_link", f"«{group.wording}» → {doc}")
        return LinkOutcome("linked", group, doc, title)

    async def mark_handled(self, editor_id: int, source: Source, row_id: int) -> ReviewGroup | None:
        group = await self.group_of(source, row_id)
        if group is None:
            return None
        await self.store.mark_handled(group.keys, self.clock())
        await self.store.audit(editor_id, "review_handled", f"«{group.wording or group.keys[0]}»")
        return group
