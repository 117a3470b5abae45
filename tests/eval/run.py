"""`make eval`: search quality on tests/eval/questions.toml.

Prints hit@1, hit@3, MRR (in-scope questions) and out-of-scope accuracy (the share of
out-of-scope questions answered «не нашёл»), overall and per category.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

QUESTIONS = Path(__file__).with_name("questions.toml")


@dataclass
class Outcome:
    text: str
    category: str
    expect: list[str]
    got: list[str]

    @property
    def out_of_scope(self) -> bool:
        return self.expect == ["none"]

    @property
    def rank(self) -> int | None:
        for i, doc in enumerate(self.got, 1):
            if doc in self.expect:
                return i
        return None


def load_questions() -> list[dict]:
    return tomllib.loads(QUESTIONS.read_text(encoding="utf-8"))["q"]


async def evaluate(db_path: Path) -> list[Outcome]:
    from bot.app import App
    from bot.settings import load_settings

    app = await App.create(load_settings(database_url=f"sqlite:///{db_path}"))
    try:
        seeds = {}
        for row in await app.store.list_articles(0, 1000):
            if row.origin.startswith("seed:"):
                seeds[f"a:{row.id}"] = "article:" + row.origin.removeprefix("seed:")[:3]
        outcomes = []
        for q in load_questions():
            result = await app.search.search(q["text"])
            got = (
                [
                    seeds.get(h.doc, h.doc) if h.doc.startswith("a:") else "card:" + h.ref
                    for h in result.hits
                ]
                if result.found
                else []
            )
            outcomes.append(Outcome(q["text"], q["category"], q["expect"], got))
        return outcomes
    finally:
        await app.close()


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
        cells = [f"{name:<14}", f"n={int(m['n']):>3}"]
        for key in ("hit@1", "hit@3", "mrr", "oos_acc"):
            cells.append(f"{key}={m[key]:.3f}" if key in m else f"{key}=  -  ")
        return "  ".join(cells)

    lines.append(fmt("overall", metrics(outcomes)))
    for name in sorted(groups):
        lines.append(fmt(name, metrics(groups[name])))
    return "\n".join(lines)


def main() -> int:
    verbose = "-v" in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        outcomes = asyncio.run(evaluate(Path(tmp) / "eval.sqlite3"))
    if verbose:
        for o in outcomes:
            ok = (not o.got) if o.out_of_scope else o.rank == 1
            if not ok:
                print(f"MISS [{o.category}] {o.text!r}: expected {o.expect}, got {o.got[:3]}")
    print(report(outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
