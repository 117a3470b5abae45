"""One admin upload: `Library.add` of a ~5 KB article on a copy of a cached store — what
the /upload handler waits for after Telegram's download: parse in the limited worker
process, duplicate checks, one transaction, the search made current, notifications queued.

The articles are the corpus's own, numbered past any cached store (new to it), the ones
whose text is 4.5–6 KB. The first upload also starts the parse worker process; it is
reported apart. Floor, same run: `parse_document` + `index_text` of the same articles in
this process (the parsing alone, no process boundary, no store).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from bench import corpus
from bench.build import copy_store
from bench.common import percentile, settings_for

FIRST_NEW = 1_000_000  # corpus numbers past every cached store


def five_kb_articles(n: int, seed: int = 1) -> list[corpus.Article]:
    out = []
    i = FIRST_NEW
    while len(out) < n:
        a = corpus.article(seed, i)
        if 4500 <= len(a.data) <= 6000:
            out.append(a)
        i += 1
    return out


async def measure(db: Path, n: int = 30, seed: int = 1) -> dict[str, Any]:
    from bot.app import App
    from bot.articles.parse import parse_document
    from bot.search.analysis import index_text

    docs = five_kb_articles(n + 1, seed)
    db = copy_store(db, db.with_name("uploading.sqlite3"))
    app = await App.create(settings_for(db))
    times: list[float] = []
    try:
        t = time.perf_counter()
        first = await app.library.add(docs[0].data, docs[0].name, origin="bench:upload")
        first_s = time.perf_counter() - t
        stored = int(first.stored)
        for a in docs[1:]:
            t = time.perf_counter()
            outcome = await app.library.add(a.data, a.name, origin="bench:upload")
            times.append(time.perf_counter() - t)
            stored += outcome.stored
    finally:
        await app.close()
    parse_document(docs[0].data, docs[0].name)  # imports and lazy tables
    floor: list[float] = []
    for a in docs[1:]:
        t = time.perf_counter()
        parsed = parse_document(a.data, a.name)
        index_text(parsed.title)
        index_text(parsed.body)
        floor.append(time.perf_counter() - t)
    return {"n": len(times), "stored": stored, "first_s": first_s,
            "p50": percentile(times, 50), "max": max(times),
            "floor_p50": percentile(floor, 50), "kb": sum(len(a.data) for a in docs) / len(docs) / 1024}


if __name__ == "__main__":
    import sys

    from bench.build import cached_store

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    path, _, _ = cached_store(size, 1)
    print(asyncio.run(measure(path)))
