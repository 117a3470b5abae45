"""The benchmark's code paths produce numbers (no timing assertions: tests never depend on
timing). Runs the corpus generator for 50 articles, ingests them through the full pipeline,
and one quick search measurement through bench.search_bench."""

from __future__ import annotations

import math
from pathlib import Path

from bench import corpus
from bench.build import ingest_full
from bench.search_bench import measure


def test_corpus_is_deterministic_and_russian() -> None:
    a = [x.data for x in corpus.articles(5, seed=3)]
    assert a == [x.data for x in corpus.articles(5, seed=3)]
    assert a != [x.data for x in corpus.articles(5, seed=4)]
    assert all("а" in x.decode("utf-8") for x in a)
    kinds = {k for k, _ in corpus.queries(200)}
    assert kinds == set(corpus.QUERY_KINDS)


async def test_ingest_and_search_produce_numbers(tmp_path: Path, monkeypatch) -> None:
    import bench.search_bench as sb

    monkeypatch.setattr(sb, "WARMUP", 5)
    db = tmp_path / "bench.sqlite3"
    info = await ingest_full(db, 50, seed=1, via="app")
    assert info["stored"] + info["duplicates"] + info["errors"] == 50
    assert info["rate"] > 0
    result = await measure(db, 30, seed=1)
    assert result["queries"] == 30
    for key in ("p50", "p99", "raw_p50", "raw_p99"):
        assert math.isfinite(result[key]) and result[key] > 0


async def test_answer_bench_answers_every_kind_and_leaves_the_store_as_built(
    tmp_path: Path, monkeypatch
) -> None:
    import bench.answer_bench as ab
    import bench.search_bench as sb

    monkeypatch.setattr(ab, "WARMUP", 5)
    monkeypatch.setattr(sb, "WARMUP", 5)
    db = tmp_path / "bench.sqlite3"
    await ingest_full(db, 30, seed=1, via="app")
    built = db.read_bytes()
    result = await ab.measure(db, 120, seed=1)
    assert result["questions"] == 120
    assert math.isfinite(result["p50"]) and result["p99"] >= result["p50"] > 0
    # The mix reaches the crisis answer, event listings and articles, not only the search.
    assert {"CrisisAnswer", "ArticleAnswer"} <= set(result["outcomes"])
    assert {"crisis", "events", "short"} <= set(result["by_kind"])
    texts = [t for _, t in ab.questions(300)]
    assert len(set(texts)) == len(texts)  # distinct: no cache of repeated texts measured
    assert db.read_bytes() == built  # answered on a copy (query log, follow-up context)
