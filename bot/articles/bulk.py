"""Bulk import: many files parsed in N worker processes, stored in batches.

``python -m bot ingest --jobs N DIR…`` (N > 1) is for filling a store with hundreds or
thousands of articles; an admin's upload and ``ingest`` with one job go through
``Library.add`` one article at a time instead (one transaction each). What differs here:

* parsing runs in N ``ParseWorker`` processes at once — the uploads' own workers, so every
  file has the same time limit and memory cap as an upload (``PARSE_TIMEOUT_S``,
  ``PARSE_MEMORY_MB``), and a file that exceeds them is killed with its worker and reported,
  never the run; files are read here, bounded by ``MAX_UPLOAD_MB`` like ``add_file``. The
  worker also makes the index text (``parse_for_store``): the lemmatising is spread over
  the N processes instead of piling up in the one that writes;
* results are taken in the order of the files (sorted, so ids and output are deterministic)
  while the workers run ahead, at most ``AHEAD`` files;
* articles are stored ``BATCH`` at a time with ``Store.add_articles``: one transaction, one
  change of the generation, document frequencies counted once per batch. Should a batch
  fail as a whole (say an admin uploaded one of its texts meanwhile: the content hash is
  unique), its articles are stored one by one, each reported for itself;
* duplicates: by content hash against the store and within the run (the same text in two
  files, any encoding or format, as the upload path finds them). The upload path's
  near-duplicate check (``ArticleService.find_duplicate``: the five best title matches
  compared by ``similar_text``) is optional (``near_duplicates``, ``ingest
  --near-duplicates``): it runs in this one process and cost 2.8 ms of CPU a file on 1,000
  bench articles — as much as parsing one — taking ``--jobs 2`` from ~310 to ~150 files/s.
  With it, a file is compared with the store as it was before its batch: two near copies
  within one batch are both stored.

What the caller does after each batch (notifications) and at the end (a search refresh)
is the caller's: this module knows the store and the parser only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

from bot.articles.errors import DocumentError
from bot.articles.extract_events import ExtractedEvent
from bot.articles.ingest import ArticleService, DocumentParser, IngestOutcome, new_article
from bot.articles.limits import read_bounded
from bot.articles.parse import ParsedArticle, parse_document
from bot.articles.readers import KNOWN_EXTENSIONS
from bot.search.analysis import index_text
from bot.store import Store
from bot.store.base import NewArticle

log = logging.getLogger(__name__)

BATCH = 100  # articles per transaction
AHEAD = 4 * BATCH  # files parsed and not yet stored, at most


def collect_files(paths: Sequence[Path]) -> list[Path]:
    """The files to import: a file as given (its format is judged when it is read), a
    folder walked recursively for the formats the readers know, in sorted order. Hidden
    files and folders (a leading dot) are left out; symbolic links to folders are not
    followed."""
    out: list[Path] = []
    for path in paths:
        if not path.is_dir():
            out.append(path)
            continue
        found: list[Path] = []
        for folder, subfolders, names in os.walk(path):
            subfolders[:] = [name for name in subfolders if not name.startswith(".")]
            found.extend(
                Path(folder, name)
                for name in names
                if not name.startswith(".") and Path(name).suffix.lower() in KNOWN_EXTENSIONS
            )
        out.extend(sorted(found))
    return out


@dataclass(frozen=True)
class IndexedArticle(ParsedArticle):
    """A parsed article with its index text, both made in the worker process: the
    lemmatising is not left to the one process that writes."""

    index_title: str = ""
    index_body: str = ""


def parse_for_store(data: bytes, filename: str, uploaded: dt.date | None = None) -> IndexedArticle:
    """The bulk import's job in a ``ParseWorker``: ``parse_document`` and ``index_text``."""
    parsed = parse_document(data, filename, uploaded)
    values = {f.name: getattr(parsed, f.name) for f in fields(ParsedArticle)}
    return IndexedArticle(
        **values, index_title=index_text(parsed.title), index_body=index_text(parsed.body)
    )


def _new_article(parsed: ParsedArticle, origin: str) -> NewArticle:
    """The store's row, with the index text the worker made when it did."""
    if isinstance(parsed, IndexedArticle):
        return new_article(parsed, origin, (parsed.index_title, parsed.index_body))
    return new_article(parsed, origin)


@dataclass
class BulkCounts:
    stored: int = 0
    duplicates: int = 0
    failed: int = 0

    @property
    def files(self) -> int:
        return self.stored + self.duplicates + self.failed


@dataclass
class _Pending:
    """A file's outcome waiting for its batch to be written."""

    outcome: IngestOutcome
    article: NewArticle | None = None  # to store
    events: Sequence[ExtractedEvent] = ()
    same_as: _Pending | None = None  # a duplicate of this one, stored in the same batch


@dataclass
class BulkImport:
    store: Store
    parsers: Sequence[DocumentParser]  # one per job
    upload_limit: int  # bytes: MAX_UPLOAD_MB
    today: Callable[[], dt.date] | None = None
    near_duplicates: bool = False
    batch: int = BATCH
    # Called once per written batch with its stored outcomes (notifications).
    on_stored: Callable[[list[IngestOutcome]], Awaitable[None]] | None = None
    counts: BulkCounts = field(default_factory=BulkCounts)

    async def run(self, files: Sequence[Path]) -> AsyncIterator[IngestOutcome]:
        """Every file's outcome, in the order of ``files``, as its batch is written."""
        loop = asyncio.get_running_loop()
        results: list[asyncio.Future[IngestOutcome]] = [loop.create_future() for _ in files]
        # A permit per file taken and not yet consumed: the workers run at most AHEAD files
        # ahead of the writer. Taken before the file is, so the file the writer waits for
        # is always being parsed (no deadlock).
        window = asyncio.Semaphore(max(self.batch, AHEAD))
        indexes = iter(range(len(files)))

        async def work(parser: DocumentParser) -> None:
            while True:
                await window.acquire()
                index = next(indexes, None)
                if index is None:
                    window.release()
                    return
                try:
                    outcome = await self._parse(parser, files[index])
                except BaseException as exc:  # cancelled: the writer must not wait forever
                    results[index].set_exception(exc)
                    raise
                results[index].set_result(outcome)

        workers = [asyncio.create_task(work(parser)) for parser in self.parsers]
        checker = ArticleService(self.store)
        batch: list[_Pending] = []
        waiting: dict[str, _Pending] = {}  # content hash → the file storing it in this batch
        try:
            for future in results:
                outcome = await future
                window.release()
                pending = _Pending(outcome)
                batch.append(pending)
                if outcome.error is None:
                    await self._dedupe(pending, waiting, checker)
                if len(waiting) >= self.batch:
                    for done in await self._write(batch):
                        yield done
                    batch, waiting = [], {}
            for done in await self._write(batch):
                yield done
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    async def _parse(self, parser: DocumentParser, path: Path) -> IngestOutcome:
        outcome = IngestOutcome(name=str(path))
        data = read_bounded(path, self.upload_limit)  # on the loop, as Library.add_file reads
        if isinstance(data, str):
            outcome.error = data
            return outcome
        try:
            uploaded = self.today() if self.today is not None else None
            outcome.parsed = await parser.parse(data, path.name, uploaded)
        except DocumentError as exc:
            outcome.error = str(exc)
        except Exception:  # never the run: this file is reported, the next one goes on
            log.exception("parsing %s failed", path)
            outcome.error = "Не удалось разобрать файл: внутренняя ошибка, она записана в журнал"
        return outcome

    async def _dedupe(
        self, pending: _Pending, waiting: dict[str, _Pending], checker: ArticleService
    ) -> None:
        """Mark the file a duplicate (of an article stored, earlier in this run too, or of a
        file waiting in this batch), or give it the row to store."""
        outcome = pending.outcome
        parsed = outcome.parsed
        assert parsed is not None
        first = waiting.get(parsed.content_hash)
        if first is not None:  # its id is known once the batch is written
            pending.same_as = first
            return
        if self.near_duplicates:
            existing = await checker.find_duplicate(parsed)
        else:
            existing = await self.store.article_id_by_hash(parsed.content_hash)
        if existing is not None:
            outcome.duplicate_of = existing
            return
        pending.article = _new_article(parsed, origin=f"ingest:{Path(outcome.name).name}")
        pending.events = parsed.events
        waiting[parsed.content_hash] = pending

    async def _write(self, batch: list[_Pending]) -> list[IngestOutcome]:
        """Store the batch's articles (one transaction; one by one should it fail), then
        settle its duplicates and counts; the batch's outcomes in order."""
        to_store = [p for p in batch if p.article is not None]
        if to_store:
            rows = [(p.article, p.events) for p in to_store if p.article is not None]
            try:
                ids = await self.store.add_articles(rows)
            except Exception:
                log.exception("a batch of %d articles failed: storing them one by one", len(rows))
                for pending in to_store:
                    await self._write_one(pending)
            else:
                for pending, article_id in zip(to_store, ids, strict=True):
                    pending.outcome.article_id = article_id
            for pending in to_store:
                article = pending.article
                assert article is not None
                pending.outcome.index_text = (article.index_title, article.index_body)
        for pending in batch:
            if pending.same_as is not None:  # the same text as a file before it
                first = pending.same_as.outcome
                if first.error is not None:
                    pending.outcome.error = first.error
                else:
                    pending.outcome.duplicate_of = first.duplicate_of or first.article_id
        outcomes = [p.outcome for p in batch]
        stored = [o for o in outcomes if o.stored]
        if stored and self.on_stored is not None:
            try:
                await self.on_stored(stored)
            except Exception:  # the articles are stored: the run goes on
                log.exception("after storing a batch of %d articles", len(stored))
        for outcome in outcomes:
            if outcome.error:
                self.counts.failed += 1
            elif outcome.duplicate_of is not None:
                self.counts.duplicates += 1
            else:
                self.counts.stored += 1
        return outcomes

    async def _write_one(self, pending: _Pending) -> None:
        outcome, article = pending.outcome, pending.article
        assert article is not None and outcome.parsed is not None
        try:
            outcome.article_id = await self.store.add_article(article, outcome.parsed.events)
        except Exception as exc:
            existing = await self.store.article_id_by_hash(article.content_hash)
            if existing is not None:  # stored meanwhile, by an admin's upload say
                outcome.duplicate_of = existing
                return
            log.exception("storing %s failed", outcome.name)
            outcome.error = f"не удалось сохранить в базу ({type(exc).__name__})"
