"""In-process answer latency: `Answerer.answer(text, chat_id)` — the whole answer a person gets
(crisis check, small talk, follow-up context, centres, event listings, search, the article's
snippet and the «see also» titles, the query log write) — over mixed questions at one store.

The questions: the search benchmark's 1,000 (`corpus.queries`: short, question, typo, wrong
layout, long, out of scope — its question templates include event and centre questions),
plus every seventh one replaced by a kind the search benchmark lacks: event dates
(«какие вебинары в марте»), a child's distress message (the crisis answer), small talk and
a follow-up («а когда?») in the same chat as the question before. 200 chats take turns, so
the follow-up context is real. The texts are all distinct (a cache of repeated texts is not
what is measured).

Floor, the same run: the raw FTS5 query of exactly the terms the engine asked of
`store.match` for that question, on a plain sqlite3 connection (as the search benchmark's
«engine's terms»); a question that never reached the index costs the floor 0.
"""

from __future__ import annotations

import asyncio
import gc
import random
import time
from pathlib import Path
from typing import Any

from bench import corpus
from bench.build import copy_store
from bench.common import percentile, settings_for
from bench.search_bench import WARMUP, _sqlite_floors, recording_matches

CHATS = 200
EXTRA_EVERY = 7
MONTHS = [
    "январе",
    "феврале",
    "марте",
    "апреле",
    "мае",
    "июне",
    "июле",
    "августе",
    "сентябре",
    "октябре",
    "ноябре",
    "декабре",
]
EVENT_TEMPLATES = [
    "какие {kinds} в {month}",
    "что будет в {month} для специалистов",
    "когда ближайший {kind}",
    "мероприятия в {month} в {city_prep}",
    "есть ли {kinds} в {month} {year}",
]
CRISIS = [
    "меня бьет отчим что делать",
    "помогите мне страшно дома",
    "не хочу жить никто не понимает",
    "папа бьет маму и меня",
]
SMALLTALK = ["привет", "спасибо большое", "добрый день", "ты бот?"]
FOLLOWUPS = ["а когда?", "а где?", "а телефон?", "подробнее"]


def questions(n: int, seed: int = 1) -> list[tuple[str, str]]:
    """(kind, text) of n mixed questions, deterministic for the seed, all distinct."""
    rng = random.Random(seed * 31 + 5)
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    i = 0
    while len(out) < n:
        kind, text = corpus.query(seed, i)
        if i % EXTRA_EVERY == 3:
            extra = rng.choice(("events", "events", "crisis", "smalltalk", "followup"))
            k = rng.choice(list(corpus.KINDS))
            city = rng.choice(corpus.CITIES)
            if extra == "events":
                kind, text = (
                    extra,
                    rng.choice(EVENT_TEMPLATES).format(
                        kinds=k + ("и" if k[-1] == "а" else "ы"),
                        kind=corpus.KINDS[k][0],
                        month=rng.choice(MONTHS),
                        city_prep=city[2],
                        year=rng.choice(("2024", "2025")),
                    ),
                )
            else:
                pool = {"crisis": CRISIS, "smalltalk": SMALLTALK, "followup": FOLLOWUPS}[extra]
                # A name or a number keeps the texts distinct, as people's messages are.
                kind, text = extra, f"{rng.choice(pool)} {rng.choice(corpus.FIRST_NAMES)}"
        i += 1
        if text in seen:
            continue
        seen.add(text)
        out.append((kind, text))
    return out


async def measure(db: Path, n_questions: int, seed: int = 1) -> dict[str, Any]:
    """Answer latency on a copy of the SQLite store `db` (answers write the query log and
    the follow-up context: the cached store stays as built) and its raw FTS5 floor."""
    from bot.app import App

    db = copy_store(db, db.with_name("answering.sqlite3"))
    app = await App.create(settings_for(db))
    gc.freeze()  # as `python -m bot run` does after App.create (undone below)
    qs = questions(n_questions + WARMUP, seed)
    warm, qs = qs[:WARMUP], qs[WARMUP:]
    try:
        for i, (_, text) in enumerate(warm):
            await app.answerer.answer(text, chat_id=10_000 + i % CHATS)
        times: list[float] = []
        asked: list[tuple[Any, int, float] | None] = []
        by_kind: dict[str, list[float]] = {}
        outcomes: dict[str, int] = {}
        with recording_matches(app.search.store) as current:
            for i, (kind, text) in enumerate(qs):
                current.clear()
                t = time.perf_counter()
                answer = await app.answerer.answer(text, chat_id=i % CHATS)
                dt_ = time.perf_counter() - t
                times.append(dt_)
                by_kind.setdefault(kind, []).append(dt_)
                asked.append(current[0] if current else None)
                outcomes[type(answer).__name__] = outcomes.get(type(answer).__name__, 0) + 1
    finally:
        await app.close()
        gc.unfreeze()
    floors = await asyncio.to_thread(_sqlite_floors, db, [None] * len(asked), asked)
    per_query = floors["engine_terms"]["per_query"]
    floor = [t or 0.0 for t in per_query]
    return {
        "questions": len(qs),
        "p50": percentile(times, 50),
        "p99": percentile(times, 99),
        "mean": sum(times) / len(times),
        "raw_p50": percentile(floor, 50),
        "raw_p99": percentile(floor, 99),
        "reached": sum(a is not None for a in asked),
        "outcomes": outcomes,
        "by_kind": {
            k: (percentile(v, 50), percentile(v, 99), len(v)) for k, v in sorted(by_kind.items())
        },
    }


def profile_answers(db: Path, n_questions: int = 500, seed: int = 1) -> str:
    """pyinstrument's call tree of answering `n_questions` (after warm-up), summarised."""
    from pyinstrument import Profiler

    from bot.app import App

    async def go() -> str:
        app = await App.create(settings_for(copy_store(db, db.with_name("answering.sqlite3"))))
        qs = questions(n_questions + WARMUP, seed)
        try:
            for i, (_, text) in enumerate(qs[:WARMUP]):
                await app.answerer.answer(text, chat_id=10_000 + i % CHATS)
            profiler = Profiler(interval=0.0005, async_mode="disabled")
            profiler.start()
            for i, (_, text) in enumerate(qs[WARMUP:]):
                await app.answerer.answer(text, chat_id=i % CHATS)
            profiler.stop()
        finally:
            await app.close()
        return str(profiler.output_text(unicode=False, color=False, show_all=False))

    return asyncio.run(go())


if __name__ == "__main__":
    import sys

    from bench.build import cached_store

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    path, _, _ = cached_store(size, 1)
    if "--profile" in sys.argv:
        print(profile_answers(path))
    else:
        r = asyncio.run(measure(path, 1000))
        print({k: v for k, v in r.items()})
