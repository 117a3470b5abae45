"""Building the benchmark stores.

Two paths, both through the project's own code:

* `ingest_full` — one article at a time through the full pipeline, exactly as an admin's
  upload: `App.add_article` (parse → dedupe → store → index → `search.refresh()` →
  notifications) or `ArticleService.add_document` (the same without refresh/notifications).
  This is what the ingest rate measures, and how the 1k store is built.
* `build_bulk` — for 10k/100k: the real `parse_document` + `index_text` run in 2 worker
  processes (multiprocessing, spawn), the main process stores them with the real
  `Store.add_articles`, a transaction per 100 (as `python -m bot ingest --jobs N`). Dedupe is by
  content hash only (the near-duplicate FTS probe of `find_duplicate` is skipped), and there
  is no per-article `search.refresh()`: the vocabulary is loaded once when the bot starts.

Built stores are cached under bench/out/ by size, seed, corpus code, INDEX_VERSION and
schema version (`common.store_key`), with a JSON sidecar holding how long the build took.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import os
import shutil
import time
from pathlib import Path
from typing import Any

from bench import corpus
from bench.common import OUT, settings_for, store_key

CHUNK = 100


def _fresh(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            p.unlink()


async def ingest_full(db: Path, n: int, seed: int, via: str = "app") -> dict[str, Any]:
    """Add articles 0..n-1 one by one to a fresh seeded store; return counts and timings."""
    from bot.app import App

    _fresh(db)
    t0 = time.perf_counter()
    app = await App.create(settings_for(db))
    created = time.perf_counter() - t0
    docs = list(corpus.articles(n, seed))
    stored = duplicates = errors = 0
    t0 = time.perf_counter()
    try:
        for a in docs:
            if via == "app":
                outcome = await app.library.add(a.data, a.name, origin=f"bench:{a.name}")
            else:
                outcome = await app.ingest.add_document(a.data, a.name, origin=f"bench:{a.name}")
            if outcome.error:
                errors += 1
            elif outcome.duplicate_of is not None:
                duplicates += 1
            else:
                stored += 1
        seconds = time.perf_counter() - t0
        # Make the store a clean file to copy (no pending WAL).
        await app.store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await app.close()
    return {"n": n, "stored": stored, "duplicates": duplicates, "errors": errors,
            "seconds": seconds, "rate": n / seconds if seconds else 0.0,
            "app_create_s": created}


def parse_only_rate(n: int, seed: int) -> dict[str, Any]:
    """The floor of ingest: parse_document + index_text in this process, no store."""
    from bot.articles.parse import parse_document
    from bot.search.analysis import index_text

    docs = list(corpus.articles(n, seed))
    parse_document(docs[0].data, docs[0].name)  # imports, lazy tables
    t0 = time.perf_counter()
    for a in docs:
        p = parse_document(a.data, a.name)
        index_text(p.title)
        index_text(p.body)
    seconds = time.perf_counter() - t0
    return {"n": n, "seconds": seconds, "rate": n / seconds}


def ingest_cli(n: int, seed: int, jobs: int) -> dict[str, Any]:
    """`python -m bot ingest --jobs N DIR` on articles 0..n-1 written as files, into a fresh
    store: the bulk import as an operator runs it. Its own summary line gives the import
    phase (from the store open to the last batch); the wall time includes start-up."""
    import re
    import subprocess
    import sys

    folder = OUT / f"ingest_files_{n}"
    if not folder.exists():
        tmp = OUT / f"ingest_files_{n}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for a in corpus.articles(n, seed):
            (tmp / a.name).write_bytes(a.data)
        tmp.rename(folder)
    db = OUT / f"ingest_cli_{jobs}.sqlite3"
    _fresh(db)
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{db}", LOG_LEVEL="WARNING", BOT_TOKEN="")
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot", "ingest", "--jobs", str(jobs),
                           str(folder)], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-300:]
    found = re.search(r"за ([\d.]+) с, (\d+) в секунду", summary)
    stored = done.stdout.count(": сохранено #")
    return {"n": n, "jobs": jobs, "wall_s": wall, "stored": stored, "exit": done.returncode,
            "import_s": float(found.group(1)) if found else float("nan"),
            "rate": n / float(found.group(1)) if found else float("nan"),
            "wall_rate": n / wall, "summary": summary}


# ---- bulk -----------------------------------------------------------------------------------
def _parse_chunk(job: tuple[int, int, int]) -> list[tuple[str, Any, list[Any]] | None]:
    """Worker: generate and parse articles start..stop-1 with the real pipeline functions."""
    from bot.articles.ingest import new_article
    from bot.articles.parse import parse_document
    from bot.articles.readers import DocumentError

    seed, start, stop = job
    out: list[tuple[str, Any, list[Any]] | None] = []
    for a in corpus.articles(stop, seed, start):
        try:
            parsed = parse_document(a.data, a.name)
        except DocumentError:
            out.append(None)
            continue
        out.append((parsed.content_hash, new_article(parsed, f"bench:{a.name}"),
                    list(parsed.events)))
    return out


async def build_bulk(db: Path, n: int, seed: int, workers: int = 2, progress: bool = True,
                     base: Path | None = None, base_n: int = 0) -> dict[str, Any]:
    """Build a store of articles 0..n-1; from a copy of `base` (articles 0..base_n-1) if given."""
    from bot.app import App

    _fresh(db)
    t_start = time.perf_counter()
    if base is not None:
        shutil.copyfile(base, db)
    app = await App.create(settings_for(db))  # schema, seeds, cards
    store = app.store
    async with store._db.execute("SELECT content_hash FROM articles") as cur:
        seen: set[str] = {r[0] for r in await cur.fetchall()}
    stored = duplicates = errors = 0
    first = base_n if base is not None else 0
    jobs = [(seed, s, min(s + CHUNK, n)) for s in range(first, n, CHUNK)]
    ctx = mp.get_context("spawn")
    batch: list[tuple[Any, list[Any]]] = []
    try:
        with ctx.Pool(workers) as pool:
            done = 0
            for chunk in pool.imap(_parse_chunk, jobs):
                for item in chunk:
                    if item is None:
                        errors += 1
                        continue
                    content_hash, article, events = item
                    if content_hash in seen:
                        duplicates += 1
                        continue
                    seen.add(content_hash)
                    batch.append((article, events))
                    stored += 1
                if len(batch) >= CHUNK:
                    await store.add_articles(batch)  # one transaction, as ingest --jobs
                    batch.clear()
                done += len(chunk)
                if progress and done % 10000 < CHUNK:
                    el = time.perf_counter() - t_start
                    print(f"  build {n}: {first + done}/{n} ({done / el:.0f}/s)", flush=True)
            await store.add_articles(batch)
        await store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await app.close()
    seconds = time.perf_counter() - t_start
    return {"n": n, "stored": stored, "duplicates": duplicates, "errors": errors,
            "seconds": seconds, "rate": (n - first) / seconds, "workers": workers,
            "from_base": first}


def cached_store(size: int, seed: int, rebuild: bool = False) -> tuple[Path, dict[str, Any], bool]:
    """(path, build info, built now?) of the store of `size` articles, building it if needed.

    The 1k store is the product of the full-pipeline ingest; bigger ones use the bulk path.
    """
    OUT.mkdir(parents=True, exist_ok=True)
    key = store_key(size, seed)
    path = OUT / f"store_{key}.sqlite3"
    meta = OUT / f"store_{key}.json"
    if path.exists() and meta.exists() and not rebuild:
        return path, json.loads(meta.read_text()), False
    tmp = OUT / f"building_{key}.sqlite3"
    if size <= 1000:
        info = asyncio.run(ingest_full(tmp, size, seed, via="app"))
        info["path"] = "full pipeline (App.add_article)"
    else:
        # Article i depends only on (seed, i): start from the largest smaller store cached.
        base, base_n = None, 0
        for smaller in (10_000, 1000):
            p = OUT / f"store_{store_key(smaller, seed)}.sqlite3"
            if smaller < size and p.exists():
                base, base_n = p, smaller
                break
        info = asyncio.run(build_bulk(tmp, size, seed, base=base, base_n=base_n))
        info["path"] = "bulk: real parse+index in 2 processes, Store.add_article"
        if base is not None:
            info["path"] += f" (articles {base_n}.. on a copy of the {base_n} store)"
    info["db_mb"] = tmp.stat().st_size / 1e6
    _fresh(path)
    shutil.move(tmp, path)
    for suffix in ("-wal", "-shm"):
        p = Path(str(tmp) + suffix)
        if p.exists():
            p.unlink()
    meta.write_text(json.dumps(info, indent=1))
    return path, info, True


def copy_store(src: Path, dst: Path) -> Path:
    _fresh(dst)
    shutil.copyfile(src, dst)
    return dst


if __name__ == "__main__":
    import sys

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(cached_store(size, 1, rebuild="--rebuild" in sys.argv))
    print(os.getpid())
