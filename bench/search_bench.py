"""Search latency: `App.search.search(text)` against the raw index query, same store, on
SQLite (FTS5) and on PostgreSQL (tsvector + GIN, `bot.store.postgres.PgStore`).

The same 1,000 queries go through the same engine (`SearchEngine`) on either store, after
the same 100 warm-up queries. Each store gets two raw floors, run afterwards on a plain
connection of its own (stdlib sqlite3; asyncpg, one prepared statement) to the same data,
over the same queries after the same warm-up; analysis is done before the raw timing, so a
floor is the database alone:

* all terms — every index term of the analysed query (lemmas, corrections, synonym
  phrases) OR-ed, ranked, best 40. On SQLite this is the query the brief names,
  `SELECT doc, bm25(search_index, 5.0, 1.0) FROM search_index WHERE search_index MATCH ?
  ORDER BY 2 LIMIT 40`, and SQLite's floor in the table. Queries whose analysis leaves no
  index term (out of scope) have no raw figure.
* engine's terms — exactly the `TermQuery` the engine handed to `store.match` for that
  question (the rarest terms within its postings budget, or an AND of the rarest few; none
  when the question never reaches the index), in the backend's own syntax as the store
  writes it, best CANDIDATES (30) with the engine's title weight. On PostgreSQL this is
  the floor in the table: `SELECT doc FROM search_index, to_tsquery('simple', $1) q WHERE
  tsv @@ q ORDER BY <rank>($2, tsv, q) DESC LIMIT $3` — the store's `match` without the
  tie-break on doc and without fetching the index text the re-ranker reads; <rank> is the
  store's own rank function (RANK_FUNCTION: ts_rank, ts_rank_cd in its first version).
  Both run as asyncpg prepared statements, as the store's do, so PostgreSQL picks custom
  or generic plans for them the same way (the counts are in the result).
* On PostgreSQL the all-terms floor is run over a sample only: ranking an OR of every
  term reads nearly every row (≈0.05–0.2 ms each).

PostgreSQL's floor in the table covers the same 1,000 questions as the engine's figure: a
question the engine answered without the index (out of scope, every term too common)
counts 0 there. The engine's figures over only the questions that reached the index — the
population of the engine's-terms floors — are in the result too (`engine_reached`).

What the engine asked is recorded during the timed loop by a thin wrapper around the
store's `match` (one list append per question, under a microsecond).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import corpus
from bench.common import percentile, settings_for

RAW_SQL = ("SELECT doc, bm25(search_index, 5.0, 1.0) FROM search_index "
           "WHERE search_index MATCH ? ORDER BY 2 LIMIT 40")
# The engine's own question, as SqliteStore.match asks it (without fetching the text).
ENGINE_SQL = ("SELECT doc, bm25(search_index, ?, 1.0) FROM search_index "
              "WHERE search_index MATCH ? ORDER BY 2 LIMIT ?")
# {rank}: the store's rank function (bot.store.postgres.store.RANK_FUNCTION, ts_rank_cd in
# the first version of the store).
PG_SQL = ("SELECT doc FROM search_index, to_tsquery('simple', $1) AS q "
          "WHERE tsv @@ q ORDER BY {rank}($2::float4[], tsv, q) DESC LIMIT $3")
PLANS_SQL = ("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements "
             "WHERE statement LIKE '%FROM search_index, to_tsquery%'")
RAW_LIMIT = 40
WARMUP = 100


def is_pg(db: Path | str) -> bool:
    return isinstance(db, str) and db.startswith(("postgresql://", "postgres://"))


def raw_alternatives(analyzer: Any, query: Any) -> list[str]:
    return sorted({alt for t in query.terms for alt in t.lemmas if analyzer.in_index(alt)})


def raw_expression(analyzer: Any, query: Any) -> str | None:
    alts = raw_alternatives(analyzer, query)
    if not alts:
        return None
    return " OR ".join('"' + a.replace('"', "") + '"' for a in alts)


@contextmanager
def recording_matches(store: Any) -> Iterator[list[tuple[Any, int, float]]]:
    """What the engine asks of `store.match` while inside: (query, limit, title weight) per
    call, appended to the list yielded (clear it per question); the store's own after."""
    original = store.match
    asked: list[tuple[Any, int, float]] = []

    async def recording(query: Any, limit: int, title_weight: float = 5.0) -> Any:
        asked.append((query, limit, title_weight))
        return await original(query, limit, title_weight)

    store.match = recording
    try:
        yield asked
    finally:
        store.match = original


def _floor(times: list[float]) -> dict[str, Any]:
    return {"p50": percentile(times, 50), "p99": percentile(times, 99), "n": len(times),
            "mean": sum(times) / len(times) if times else float("nan")}


def _sqlite_floors(db: Path, all_terms: list[str | None],
                   asked: list[tuple[Any, int, float] | None]) -> dict[str, Any]:
    from bot.store.sqlite.store import _fts_string

    engine_params = []
    for a in asked:
        if a is None:
            engine_params.append(None)
            continue
        query, limit, weight = a
        joiner = " AND " if query.require_all else " OR "
        engine_params.append((weight, joiner.join(_fts_string(t) for t in query.terms), limit))
    con = sqlite3.connect(db)
    out: dict[str, Any] = {}
    try:
        for name, sql, params in (
            ("all_terms", RAW_SQL, [(e,) if e else None for e in all_terms]),
            ("engine_terms", ENGINE_SQL, engine_params),
        ):
            for p in params[:WARMUP]:
                if p:
                    con.execute(sql, p).fetchall()
            times: list[float] = []
            per_query: list[float | None] = []
            for p in params:
                if p is None:
                    per_query.append(None)
                    continue
                t = time.perf_counter()
                con.execute(sql, p).fetchall()
                times.append(time.perf_counter() - t)
                per_query.append(times[-1])
            out[name] = _floor(times)
            out[name]["per_query"] = per_query
    finally:
        con.close()
    return out


async def _pg_floors(url: str, all_terms: list[list[str]],
                     asked: list[tuple[Any, int, float] | None],
                     all_terms_sample: int | None = None) -> dict[str, Any]:
    import asyncpg  # type: ignore[import-untyped]

    from bot.search.engine import TITLE_WEIGHT
    from bot.store.base import TermQuery
    from bot.store.postgres.store import rank_weights, tsquery_text

    rank = pg_rank_function()

    engine_params: list[tuple[str, list[float], int] | None] = []
    for a in asked:
        text = tsquery_text(a[0]) if a is not None else None
        engine_params.append((text, rank_weights(a[2]), a[1]) if a and text else None)
    weights = rank_weights(TITLE_WEIGHT)
    all_params: list[tuple[str, list[float], int] | None] = []
    for alts in all_terms:
        text = tsquery_text(TermQuery(tuple(alts))) if alts else None
        all_params.append((text, weights, RAW_LIMIT) if text else None)
    warmup = {"engine_terms": WARMUP, "all_terms": WARMUP}
    if all_terms_sample is not None:
        # ts_rank_cd of an OR of every term costs ~0.1 ms per matching row: a sample.
        all_params = all_params[:all_terms_sample]
        warmup["all_terms"] = min(WARMUP, all_terms_sample // 10)
    conn = await asyncpg.connect(url)
    out: dict[str, Any] = {}
    try:
        stmt = await conn.prepare(PG_SQL.format(rank=rank))
        for name, params in (("engine_terms", engine_params), ("all_terms", all_params)):
            for p in params[: warmup[name]]:
                if p:
                    await stmt.fetch(*p)
            times: list[float] = []
            per_query: list[float | None] = []
            for p in params:
                if p is None:
                    per_query.append(None)
                    continue
                t = time.perf_counter()
                await stmt.fetch(*p)
                times.append(time.perf_counter() - t)
                per_query.append(times[-1])
            out[name] = _floor(times)
            out[name]["per_query"] = per_query
        out["plans"] = await plan_counts(conn)
    finally:
        await conn.close()
    out["rank"] = rank
    return out


def pg_rank_function() -> str:
    from bot.store.postgres import store as pg_store

    return getattr(pg_store, "RANK_FUNCTION", "ts_rank_cd")


async def plan_counts(conn: Any) -> list[tuple[str, int, int]]:
    """(statement head, generic plans, custom plans) of the search statements prepared on
    one connection: PostgreSQL switches a prepared statement to a generic plan after five
    custom ones when that looks no dearer, and the two plans differ here (see results)."""
    return [(r["statement"][:48], r["generic_plans"], r["custom_plans"])
            for r in await conn.fetch(PLANS_SQL)]


async def measure(db: Path | str, n_queries: int, seed: int = 1,
                  all_terms_sample: int | None = None) -> dict[str, Any]:
    """Engine latency on the store `db` (a SQLite file or a postgresql:// URL) and its raw
    floors. `all_terms_sample`: PostgreSQL's all-terms floor over the first N queries only."""
    from bot.app import App

    pg = is_pg(db)
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
        store = app.search.store
        with recording_matches(store) as current:
            engine: list[float] = []
            asked: list[tuple[Any, int, float] | None] = []
            top: list[str | None] = []
            top5: list[list[str]] = []
            top_coverage: list[float | None] = []
            by_kind: dict[str, list[float]] = {}
            found = 0
            for kind, text in qs:
                current.clear()
                t = time.perf_counter()
                result = await app.search.search(text)
                dt_ = time.perf_counter() - t
                engine.append(dt_)
                by_kind.setdefault(kind, []).append(dt_)
                found += result.found
                asked.append(current[0] if current else None)
                top.append(str(result.hits[0].doc) if result.found and result.hits else None)
                top5.append([str(h.doc) for h in result.hits[:5]] if result.found else [])
                top_coverage.append(result.hits[0].coverage if result.found and result.hits
                                    else None)
        engine_plans: list[tuple[str, int, int]] = []
        if pg:
            async with store._pool.acquire() as conn:  # type: ignore[attr-defined]
                engine_plans = await plan_counts(conn)
        analyzer = app.search.analyzer
        alternatives = [raw_alternatives(analyzer, analyzer.analyze(text)) for _, text in qs]
    finally:
        await app.close()
    # The engine over the questions that reached the index: the population of the
    # engine's-terms floors.
    reached = [t for t, a in zip(engine, asked, strict=True) if a is not None]
    engine_reached = _floor(reached)
    if pg:
        assert isinstance(db, str)
        floors = await _pg_floors(db, alternatives, asked, all_terms_sample)
        # PostgreSQL's floor in the table is over the same 1,000 questions as the engine:
        # a question the engine never took to the index costs the database nothing (0).
        main = _floor([t or 0.0 for t in floors["engine_terms"]["per_query"]])
    else:
        assert isinstance(db, Path)
        expressions = [" OR ".join('"' + a.replace('"', "") + '"' for a in alts) or None
                       for alts in alternatives]
        floors = await asyncio.to_thread(_sqlite_floors, db, expressions, asked)
        main = floors["all_terms"]
    return {
        "backend": "postgresql" if pg else "sqlite",
        "queries": len(qs), "found": found, "docs": docs, "vocab": vocab,
        "app_create_s": create_s, "refresh_s": refresh_s,
        "p50": percentile(engine, 50), "p99": percentile(engine, 99),
        "mean": sum(engine) / len(engine),
        "raw_p50": main["p50"], "raw_p99": main["p99"], "raw_n": main["n"],
        "floors": floors, "asked": sum(a is not None for a in asked),
        "engine_plans": engine_plans, "engine_reached": engine_reached,
        "engine_times": engine, "top": top, "top5": top5, "top_coverage": top_coverage,
        "texts": [text for _, text in qs], "asked_queries": asked,
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
    target: Path | str = path
    if "--pg" in sys.argv:
        from bench.pg import cached_pg_store

        target = asyncio.run(cached_pg_store(size, path))[0]
    r = asyncio.run(measure(target, 1000))
    print({k: v for k, v in r.items()
           if k not in ("engine_times", "top", "texts", "asked_queries")})
