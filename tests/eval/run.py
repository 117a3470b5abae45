"""`make eval`: answer quality and the crisis net, on the development set and the hold-out.

Questions go through `Answerer.answer` — the same door every message takes — against a
store holding the seeds plus the evaluation articles in tests/eval/articles/ (upcoming
events, a route with undated next stops…), with «today» fixed at EVAL_TODAY. A question is
a hit when the reply is about an expected subject (a card, an article, the events list,
small talk) and its text holds every `contains` item and no `absent` item; follow-ups send
their `context` messages first, in the same chat.

Printed: hit@1, hit@3 (the subject or one of the «Ещё:» buttons), MRR and out-of-scope
accuracy, overall and per category, for questions.toml and holdout.toml; then crisis
recall and false-positive rate on crisis.toml and crisis_holdout.toml. The hold-out sets
are never used for tuning: a gain on the development set that the hold-out does not
confirm is not progress.

The questions are answered on SQLite (a temporary file), and again on PostgreSQL (a fresh
database, dropped afterwards) when it is reachable: the two backends rank with different
functions (FTS5's bm25, PostgreSQL's ts_rank), and their hit@1 is printed side by side.
PostgreSQL unreachable: it is skipped, and the run fails only under REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
QUESTIONS = HERE / "questions.toml"
HOLDOUT = HERE / "holdout.toml"
CRISIS = HERE / "crisis.toml"
CRISIS_HOLDOUT = HERE / "crisis_holdout.toml"
ARTICLES = HERE / "articles"
EVAL_TODAY = "2026-11-30"


@dataclass
class Outcome:
    text: str
    category: str
    expect: list[str]
    got: list[str]
    facts_ok: bool = True
    reply: str = ""
    missing: list[str] = field(default_factory=list)

    @property
    def out_of_scope(self) -> bool:
        return self.expect == ["none"]

    @property
    def rank(self) -> int | None:
        if not self.facts_ok:
            return None
        for i, doc in enumerate(self.got, 1):
            if doc in self.expect:
                return i
        return None


def load(path: Path, key: str) -> list[dict]:
    return tomllib.loads(path.read_text(encoding="utf-8"))[key]


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    return load(path, "q")


def _docs_of(reply, names: dict[str, str]) -> list[str]:
    """What a reply is about, best first: its subject, then the docs of «Ещё:» buttons."""
    from bot.telegram.callbacks import OpenDoc

    if reply.kind in {"smalltalk", "events", "crisis"}:
        return [reply.kind]
    got = []
    if reply.kind == "event" and reply.subject:
        got.append("events")
    if reply.subject:
        subject = str(reply.subject)
        got.append(names.get(subject, subject))
    if reply.kind == "not_found":
        return []
    for row in reply.buttons:
        for button in row:
            data = button.callback_data or ""
            if data.startswith("open:") and button.text.startswith("Ещё"):
                doc = OpenDoc.unpack(data)
                key = f"{doc.kind}:{doc.ref}"
                got.append(names.get(key, key))
    return got


def _facts(plain: str, q: dict) -> list[str]:
    low = plain.lower().replace("ё", "е")
    missing = []
    for item in q.get("contains", []):
        alts = [a.lower().replace("ё", "е") for a in item.split("|")]
        if not any(a in low for a in alts):
            missing.append(item)
    for item in q.get("absent", []):
        if item.lower().replace("ё", "е") in low:
            missing.append(f"!{item}")
    return missing


HELPLINE = "8-800-2000-122"


async def evaluate_net(db_path: Path, paths: list[Path]) -> dict[str, dict[str, float]]:
    """The safety net as a person sees it: does the reply lead with the helpline (the crisis
    reply, the plea reply, or the helpline line over an answer)? Recall on distress
    messages, rate on look-alikes."""
    from bot.app import App
    from bot.settings import load_settings
    from bot.telegram.formatting import plain_text
    from bot.telegram.views.answers import render_answer

    app = await App.create(load_settings(database_url=f"sqlite:///{db_path}", bot_today=EVAL_TODAY))
    try:
        out = {}
        for path in paths:
            hits = {True: [0, 0], False: [0, 0]}
            for m in load(path, "m"):
                reply = render_answer(
                    await app.answerer.answer(m["text"], chat_id=None, log_query=False)
                )
                first = plain_text(reply.text).strip().split("\n")[0]
                leads = HELPLINE in first or "угрожает опасность" in first
                hits[bool(m["distress"])][0] += leads
                hits[bool(m["distress"])][1] += 1
            out[path.name] = {
                "recall": hits[True][0] / max(hits[True][1], 1),
                "fp_rate": hits[False][0] / max(hits[False][1], 1),
            }
        return out
    finally:
        await app.close()


def _database_url(store: Path | str) -> str:
    """A SQLite file (a Path) or a database URL (a str) as DATABASE_URL."""
    return store if isinstance(store, str) else f"sqlite:///{store}"


async def evaluate(store: Path | str, question_sets: list[Path]) -> dict[str, list[Outcome]]:
    """Answer every question of `question_sets` on a store seeded from scratch: a SQLite
    file (a Path) or an empty database (a postgresql:// URL)."""
    from bot.app import App
    from bot.settings import load_settings
    from bot.telegram.formatting import plain_text
    from bot.telegram.views.answers import render_answer

    app = await App.create(load_settings(database_url=_database_url(store), bot_today=EVAL_TODAY))
    try:
        for path in sorted(ARTICLES.glob("*.txt")):
            await app.library.add_file(path)
        names: dict[str, str] = {}
        for row in await app.store.list_articles(0, 1000):
            if row.origin.startswith("seed:"):
                names[f"a:{row.id}"] = "article:" + row.origin.removeprefix("seed:")[:3]
            elif row.origin.startswith("ingest:"):
                names[f"a:{row.id}"] = "eval:" + Path(row.origin.removeprefix("ingest:")).stem
        for card_id in await app.store.get_cards():
            names[f"c:{card_id}"] = f"card:{card_id}"
        results: dict[str, list[Outcome]] = {}
        chat = 10_000
        for path in question_sets:
            outcomes = []
            for q in load(path, "q"):
                chat += 1
                for earlier in q.get("context", []):
                    await app.answerer.answer(earlier, chat_id=chat, log_query=False)
                reply = render_answer(
                    await app.answerer.answer(q["text"], chat_id=chat, log_query=False)
                )
                plain = plain_text(reply.text)
                missing = _facts(plain, q)
                outcomes.append(
                    Outcome(
                        q["text"],
                        q["category"],
                        q["expect"],
                        _docs_of(reply, names),
                        not missing,
                        plain,
                        missing,
                    )
                )
            results[path.name] = outcomes
        return results
    finally:
        await app.close()


async def evaluate_postgres(
    question_sets: list[Path],
) -> tuple[dict[str, list[Outcome]] | None, str]:
    """`evaluate` on a fresh PostgreSQL database (dropped afterwards); (None, why) when
    PostgreSQL cannot be reached."""
    import asyncpg

    from tests.services import PG_ADMIN_URL, create_database, drop_database

    try:
        url = await create_database("bot_eval")
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return None, f"{PG_ADMIN_URL.rpartition('@')[2]}: {type(exc).__name__}: {exc}"
    try:
        return await evaluate(url, question_sets), ""
    finally:
        await drop_database(url)


def compare_stores(
    sqlite: dict[str, list[Outcome]], postgres: dict[str, list[Outcome]], verbose: bool
) -> list[str]:
    """hit@1 of both stores per question set (and, verbose, the development questions
    whose hit@1 differs between them)."""
    lines = []
    for name, outcomes in sqlite.items():
        other = postgres[name]
        label = "dev" if name == QUESTIONS.name else Path(name).stem
        a, b = metrics(outcomes).get("hit@1", 0.0), metrics(other).get("hit@1", 0.0)
        lines.append(f"hit@1 {label}: sqlite {a:.3f}  postgresql {b:.3f}  (Δ {a - b:+.3f})")
        if verbose and name == QUESTIONS.name:
            for s, p in zip(outcomes, other, strict=True):
                if not s.out_of_scope and (s.rank == 1) != (p.rank == 1):
                    lines.append(
                        f"  DIFF [{s.category}] {s.text!r}: expected {s.expect}, "
                        f"sqlite {s.got[:3]}, postgresql {p.got[:3]}"
                    )
    return lines


def metrics(outcomes: list[Outcome]) -> dict[str, float]:
    inscope = [o for o in outcomes if not o.out_of_scope]
    oos = [o for o in outcomes if o.out_of_scope]
    out: dict[str, float] = {"n": len(outcomes)}
    if inscope:
        out["hit@1"] = sum(o.rank == 1 for o in inscope) / len(inscope)
        out["hit@3"] = sum(o.rank is not None and o.rank <= 3 for o in inscope) / len(inscope)
        out["mrr"] = sum(1 / o.rank for o in inscope if o.rank) / len(inscope)
    if oos:
        out["oos_acc"] = sum(not o.got for o in oos) / len(oos)
    return out


def report(outcomes: list[Outcome]) -> str:
    lines = []
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[o.category].append(o)

    def fmt(name: str, m: dict[str, float]) -> str:
        cells = [f"{name:<16}", f"n={int(m['n']):>3}"]
        for key in ("hit@1", "hit@3", "mrr", "oos_acc"):
            cells.append(f"{key}={m[key]:.3f}" if key in m else f"{key}=  -  ")
        return "  ".join(cells)

    lines.append(fmt("overall", metrics(outcomes)))
    for name in sorted(groups):
        lines.append(fmt(name, metrics(groups[name])))
    return "\n".join(lines)


@dataclass
class CrisisOutcome:
    text: str
    distress: bool
    category: str
    fired: str | None
    adult: bool
    voice: str


def evaluate_crisis(path: Path) -> list[CrisisOutcome]:
    from bot.domain.crisis import CrisisDetector

    detector = CrisisDetector.from_file()
    out = []
    for m in load(path, "m"):
        match = detector.detect(m["text"])
        out.append(
            CrisisOutcome(
                m["text"],
                bool(m["distress"]),
                m["category"],
                match.category if match else None,
                bool(match and match.adult),
                m.get("voice", ""),
            )
        )
    return out


def crisis_metrics(outcomes: list[CrisisOutcome]) -> dict[str, float]:
    distress = [o for o in outcomes if o.distress]
    other = [o for o in outcomes if not o.distress]
    parents = [o for o in distress if o.voice == "parent" and o.fired]
    return {
        "distress": len(distress),
        "lookalikes": len(other),
        "recall": sum(o.fired is not None for o in distress) / max(len(distress), 1),
        "fp_rate": sum(o.fired is not None for o in other) / max(len(other), 1),
        "adult_wording": sum(o.adult for o in parents) / max(len(parents), 1),
    }


def crisis_report(name: str, outcomes: list[CrisisOutcome]) -> str:
    m = crisis_metrics(outcomes)
    return (
        f"{name:<22} distress n={m['distress']:>3}  recall={m['recall']:.3f}   "
        f"look-alikes n={m['lookalikes']:>3}  false positives={m['fp_rate']:.3f}   "
        f"parents answered as adults={m['adult_wording']:.3f}"
    )


def main() -> int:
    verbose = "-v" in sys.argv
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    with tempfile.TemporaryDirectory() as tmp:
        results = asyncio.run(evaluate(Path(tmp) / "eval.sqlite3", [QUESTIONS, HOLDOUT]))
    # Misses are listed for the development sets only: the hold-outs are never tuned on.
    for name, outcomes in results.items():
        if verbose and name == QUESTIONS.name:
            for o in outcomes:
                ok = (not o.got) if o.out_of_scope else o.rank == 1
                if not ok:
                    print(
                        f"MISS [{o.category}] {o.text!r}: expected {o.expect}, got {o.got[:3]}"
                        + (f", missing {o.missing}" if o.missing else "")
                    )
        print(f"== {name} (today {EVAL_TODAY})")
        print(report(outcomes))
    print("== crisis: the lexicon alone (the full crisis reply)")
    for path in (CRISIS, CRISIS_HOLDOUT):
        outcomes = evaluate_crisis(path)
        if verbose and path == CRISIS:
            for o in outcomes:
                if o.distress != (o.fired is not None):
                    kind = "MISSED" if o.distress else "FALSE ALARM"
                    print(f"{kind} [{o.category}] {o.text!r} → {o.fired}")
        print(crisis_report(path.name, outcomes))
    print("== crisis: what a person sees (reply leads with 112 / the helpline)")
    with tempfile.TemporaryDirectory() as tmp:
        net = asyncio.run(evaluate_net(Path(tmp) / "net.sqlite3", [CRISIS, CRISIS_HOLDOUT]))
    for name, m in net.items():
        print(
            f"{name:<22} distress led by the helpline={m['recall']:.3f}   "
            f"look-alikes led by it={m['fp_rate']:.3f}"
        )
    from tests.services import services_required

    print("== the stores compared: the same questions on PostgreSQL")
    postgres, why = asyncio.run(evaluate_postgres([QUESTIONS, HOLDOUT]))
    if postgres is None:
        print(f"PostgreSQL skipped: not reachable ({why})")
        return 1 if services_required() else 0
    for line in compare_stores(results, postgres, verbose):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
