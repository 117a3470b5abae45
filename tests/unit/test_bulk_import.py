"""The bulk import (bot.articles.bulk) on a real store with the real parser, in-process:
outcomes in the files' order, duplicates within a batch and across batches, bad files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.articles.bulk import BulkImport, collect_files
from bot.articles.ingest import InProcessParser
from bot.store.sqlite import SqliteStore
from tests.support import FIXTURES


def texts(folder: Path) -> None:
    (folder / "sub").mkdir()
    (folder / "a.txt").write_text(
        "Форум приёмных семей\n\nФорум пройдёт в Казани 3 марта 2027 года.", encoding="utf-8"
    )
    (folder / "b.md").write_text(
        "Вебинар для специалистов\n\nВебинар пройдёт 12 января 2027 года онлайн.",
        encoding="utf-8",
    )
    (folder / "sub" / "a_copy.txt").write_bytes(  # the same text as a.txt, in CP1251
        (folder / "a.txt").read_text(encoding="utf-8").encode("cp1251")
    )
    (folder / "c.txt").write_text("", encoding="utf-8")  # empty: refused
    (folder / "image.png").write_bytes(b"\x89PNG\r\n")  # not walked
    (folder / ".draft.txt").write_text("черновик", encoding="utf-8")  # hidden: not walked


def test_folders_are_walked_in_sorted_order_for_known_formats(tmp_path):
    texts(tmp_path)
    lone = FIXTURES / "junk.txt"
    assert collect_files([tmp_path, lone]) == [
        tmp_path / "a.txt",
        tmp_path / "b.md",
        tmp_path / "c.txt",
        tmp_path / "sub" / "a_copy.txt",
        lone,  # a file given by name is taken whatever its name
    ]


async def test_outcomes_in_order_duplicates_found_in_and_across_batches(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    texts(folder)
    files = collect_files([folder])
    store = await SqliteStore.open(tmp_path / "s.sqlite3")
    try:
        for batch in (1, 100):  # a batch per article, and all in one
            await store.close()
            (tmp_path / "s.sqlite3").unlink()
            store = await SqliteStore.open(tmp_path / "s.sqlite3")
            batches: list[list[int]] = []

            async def stored(outcomes, batches=batches):
                batches.append([o.article_id for o in outcomes])

            bulk = BulkImport(
                store,
                [InProcessParser(), InProcessParser()],
                upload_limit=1024 * 1024,
                today=lambda: dt.date(2026, 11, 23),
                batch=batch,
                on_stored=stored,
            )
            outcomes = [o async for o in bulk.run(files)]
            assert [o.name for o in outcomes] == [str(f) for f in files]
            a, b, c, copy = outcomes
            assert a.stored and b.stored and a.article_id != b.article_id
            assert c.error and c.article_id is None
            assert copy.duplicate_of == a.article_id and not copy.stored
            assert (bulk.counts.stored, bulk.counts.duplicates, bulk.counts.failed) == (2, 1, 1)
            assert await store.count("articles") == 2
            assert [i for ids in batches for i in ids] == [a.article_id, b.article_id]
            assert len(batches) == (2 if batch == 1 else 1)
            assert [e.kind for e in await store.events_of_article(a.article_id)] == ["форум"]

        # Again: everything is there already.
        again = BulkImport(store, [InProcessParser()], upload_limit=1024 * 1024)
        outcomes = [o async for o in again.run(files)]
        first, second = a.article_id, b.article_id
        assert [o.duplicate_of for o in outcomes] == [first, second, None, first]
        assert await store.count("articles") == 2
    finally:
        await store.close()
