"""Search latency: `App.search.search(text)` against a raw FTS5 bm25 query, same store.

The raw floor runs, on a plain stdlib sqlite3 connection to the same file, the query the
brief names: `SELECT doc, bm25(search_index, 5.0, 1.0) FROM search_index WHERE
search_index MATCH ? ORDER BY 2 LIMIT 40`, with every index term of the analysed query
(lemmas, corrections, synonym phrases) OR-ed. Analysis is done before the raw timing, so the
floor is SQLite alone; queries whose analysis leaves no index term (out of scope) have no
raw figure. Both run over the same queries after the same warm-up.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

from bench import corpus
from bench.common import percentile, settings_for

RAW_SQL = ("SELECT doc, bm25(search_index, 5.0, 1.0) FROM search_index "
           "WHERE search_index MATCH ? ORDER BY 2 LIMIT 40")
WARMUP = 100


def raw_expression(analyzer: Any, query: Any) -> str | None:
    alts = sorted({alt for t in query.terms for alt in t.lemmas if analyzer.in_index(alt)})
    if not alts:
        return None
    return " OR ".join('"' + a.replace('"', "") + '"' for a in alts)


async def measure(db: Path, n_queries: int, seed: int = 1) -> dict[str, Any]:
    from bot.app import App

    t0 = time.perf_counter()
    app = await App.create(settings_for(db))
    create_s = time.perf_counter() - t0
    try:
        t0 = time.perf_counter()
        await app.search.refresh()
        refresh_s = time.perf_counter() - t0
        vocab = len(app.search.analyzer.doc_freq)
        docs = app.search.analyzer.docs
        qs = corpus.queries(n_queries, seed)
        for _, text in qs[:WARMUP]:
            await app.search.search(text)
        engine: list[float] = []
        by_kind: dict[str, list[float]] = {}
        found = 0
        for kind, text in qs:
            t = time.perf_counter()
            result = await app.search.search(text)
            dt_ = time.perf_counter() - t
            engine.append(dt_)
            by_kind.setdefault(kind, []).append(dt_)
            found += result.found
        expressions = [raw_expression(app.search.analyzer, app.search.analyzer.analyze(text))
                       for _, text in qs]
    finally:
        await app.close()
    con = sqlite3.connect(db)
    raw: list[float] = []
    try:
        for expr in expressions[:WARMUP]:
            if expr:
                con.execute(RAW_SQL, (expr,)).fetchall()
        for expr in expressions:
            if expr is None:
                continue
            t = time.perf_counter()
            con.execute(RAW_SQL, (expr,)).fetchall()
            raw.append(time.perf_counter() - t)
    finally:
        con.close()
    return {
        "queries": len(qs), "found": found, "docs": docs, "vocab": vocab,
        "app_create_s": create_s, "refresh_s": refresh_s,
        "p50": percentile(engine, 50), "p99": percentile(engine, 99),
        "raw_p50": percentile(raw, 50), "raw_p99": percentile(raw, 99), "raw_n": len(raw),
        "by_kind": {k: (percentile(v, 50), percentile(v, 99), len(v))
                    for k, v in sorted(by_kind.items())},
    }


def profile_search(db: Path, n_queries: int = 300, seed: int = 1, top: int = 12) -> str:
    """cProfile of the search loop (after warm-up): the top functions by cumulative time."""
    import cProfile
    import io
    import pstats

    from bot.app import App

    async def go() -> str:
        app = await App.create(settings_for(db))
        qs = corpus.queries(n_queries, seed)
        for _, text in qs[:WARMUP]:
            await app.search.search(text)
        pr = cProfile.Profile()
        pr.enable()
        for _, text in qs:
            await app.search.search(text)
        pr.disable()
        await app.close()
        out = io.StringIO()
        pstats.Stats(pr, stream=out).sort_stats("tottime").print_stats(top)
        return out.getvalue()

    return asyncio.run(go())


if __name__ == "__main__":
    import sys

    from bench.build import cached_store

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    path, _, _ = cached_store(size, 1)
    print(asyncio.run(measure(path, 1000)))
