"""End-to-end: updates/s and time to first reply through the fake Bot API, 200 users.

Process layout: the bot (real or echo, `bench.e2e_bot`) runs in a child process; the fake
Bot API server (`tests.fakebotapi.FakeBotAPI`, unchanged apart from a hook that tells each
simulated user when its reply arrived) and the 200 simulated users run in this process. So
the bot gets a core of its own and the fake's JSON and HTML checks do not count against it.

Each user sends a question, waits for the bot's first message to its chat, then sends the
next. Time to first reply = the moment the fake received the bot's sendMessage minus the
moment the update was queued. Throughput = updates / (last reply − first update).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import corpus
from bench.common import ROOT, percentile
from tests.fakebotapi import Call, FakeBotAPI

USERS = 200
COMMANDS = ["/start", "/help", "/helpline", "/mfc", "/events", "/events Тюмень", "/services"]
CRISIS = ["мне страшно дома, отчим бьет маму", "не хочу жить, никто не понимает"]


class BenchAPI(FakeBotAPI):
    """The fake with per-chat reply futures (waiting via wait_for scans every call)."""

    def __init__(self) -> None:
        super().__init__()
        self.first_poll: asyncio.Event = asyncio.Event()
        self.first_poll_at: float | None = None
        self.pending: dict[int, asyncio.Future[float]] = {}
        self.replies = 0
        self.bad: list[Call] = []

    def _record(self, call: Call) -> None:
        super()._record(call)
        if call.method == "getUpdates" and self.first_poll_at is None:
            self.first_poll_at = call.time
            self.first_poll.set()
        elif call.method in ("sendMessage", "sendDocument"):
            if not call.ok:
                self.bad.append(call)
            chat = call.params.get("chat_id")
            try:
                chat = int(chat)
            except (TypeError, ValueError):
                return
            self.replies += 1
            fut = self.pending.pop(chat, None)
            if fut is not None and not fut.done():
                fut.set_result(call.time)


def messages(seed: int, n: int) -> list[str]:
    """The mix users send: generated questions (all kinds, each text once: a cache of
    repeated texts is not what is measured), commands, a few crisis messages."""
    rng = random.Random(seed)
    qs = list(dict.fromkeys(text for _, text in corpus.queries(2 * n, seed + 1000)))
    out = []
    for i in range(n):
        r = rng.random()
        out.append(rng.choice(COMMANDS) if r < 0.1 else rng.choice(CRISIS) if r < 0.12 else qs[i])
    return out


def spawn(args: list[str]) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), LOG_LEVEL="WARNING")
    return subprocess.Popen([sys.executable, "-m", "bench.e2e_bot", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def run_one(mode: str, db: Path | None, per_user: int, seed: int = 1) -> dict[str, Any]:
    api = BenchAPI()
    await api.start()
    proc = spawn([mode, api.base_url] + ([str(db)] if db else []))
    try:
        await asyncio.wait_for(api.first_poll.wait(), timeout=180)
        texts = messages(seed, USERS * per_user)
        latencies: list[float] = []
        loop = asyncio.get_running_loop()

        async def user(u: int) -> None:
            chat = 500_000 + u
            for k in range(per_user):
                fut: asyncio.Future[float] = loop.create_future()
                api.pending[chat] = fut
                t0 = time.monotonic()
                api.push_message(texts[u * per_user + k], chat_id=chat, user_id=chat)
                replied = await asyncio.wait_for(fut, timeout=120)
                latencies.append(replied - t0)

        t_start = time.monotonic()
        await asyncio.gather(*(user(u) for u in range(USERS)))
        elapsed = time.monotonic() - t_start
        updates = USERS * per_user
        return {"mode": mode, "updates": updates, "distinct": len(set(texts)),
                "seconds": elapsed, "ups": updates / elapsed,
                "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
                "replies": api.replies, "rejected": len(api.bad),
                "rejected_examples": [repr(c) for c in api.bad[:3]]}
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = await asyncio.to_thread(proc.communicate, timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        await api.stop()
        if proc.returncode not in (0, -signal.SIGINT, 130) and err:
            print(f"  [{mode} bot stderr] {err.decode(errors='replace')[-2000:]}", file=sys.stderr)


async def measure(db: Path, per_user: int) -> dict[str, Any]:
    echo = await run_one("echo", None, per_user)
    real = await run_one("real", db, per_user)
    return {"echo": echo, "real": real, "ratio": real["ups"] / echo["ups"]}


if __name__ == "__main__":
    from bench.build import cached_store, copy_store
    from bench.common import OUT

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    per_user = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    path, _, _ = cached_store(size, 1)
    db = copy_store(path, OUT / "e2e.sqlite3")
    print(asyncio.run(measure(db, per_user)))
