"""End-to-end over a webhook: `WORKERS=N python -m bot run` (N = 1, 2, 4) on the PostgreSQL
store with Redis, against one echo webhook worker (`bench.e2e_bot echo-webhook`).

Same users and message mix as bench.e2e (200 users, each sends, waits for the bot's first
message to its chat, sends the next; `e2e.messages`), and the same fake Bot API
(`e2e.BenchAPI`, in this process). Updates reach the bot as Telegram's webhook delivers
them: each pushed update is one HTTPS-less POST of its JSON to the worker port with the
`X-Telegram-Bot-Api-Secret-Token` header, at most MAX_IN_FLIGHT (40, Telegram's default
max_connections) at once over kept-alive connections; a post that finds no worker or gets
a 5xx is posted again after a short pause (counted; none expected). With WORKERS=N the
parent sets the webhook once and N workers listen on the one port (SO_REUSEPORT): the
kernel spreads the 40 connections over them, as it would Telegram's.

Each run starts from a fresh copy of the cached PostgreSQL store (CREATE DATABASE …
TEMPLATE: the bot writes its query log and context there) and a Redis key prefix of its
own; the measurement starts once every worker listens (its LISTEN socket is in
/proc/net/tcp) and the webhook is set.

Where the CPU went during the measurement (`cpu_ms_per_update`, from /proc/<pid>/stat at
its start and end): the bot's processes (the parent and its workers), the PostgreSQL
backends connected to the run's database, redis-server, and this process (fake Bot API,
poster, users). On a machine with few cores their sum per update bounds the throughput.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench import pg
from bench.common import OUT, ROOT, TODAY, percentile
from bench.e2e import USERS, BenchAPI, messages
from tests.fakebotapi import TEST_TOKEN

SECRET = "bench-webhook-secret-2f8a61c0"
PUBLIC_URL = "https://bench.example.org/tg-hook"
HOOK_PATH = "/tg-hook"
MAX_IN_FLIGHT = 40
READY_TIMEOUT = 240
E2E_DB = "bench_pg_e2e"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listeners(port: int) -> int:
    """LISTEN sockets on 127.0.0.1:port (one per process with SO_REUSEPORT)."""
    want = f"0100007F:{port:04X}"
    n = 0
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                parts = line.split()
                if parts[1] == want and parts[3] == "0A":
                    n += 1
    except OSError:
        pass
    return n


class Poster:
    """Telegram's side of the webhook, lean: the fake's `on_update` hook hands each pushed
    update here; it is POSTed to `target` as JSON with the secret header."""

    def __init__(self, api: BenchAPI, target: str, secret: str,
                 max_in_flight: int = MAX_IN_FLIGHT) -> None:
        self.api, self.target, self.secret = api, target, secret
        self.max_in_flight = max_in_flight
        self.tasks: set[asyncio.Task] = set()
        self.posts = self.retries = 0
        self.failed: list[tuple[int, Any]] = []
        self.statuses: dict[int | str, int] = {}
        self._session: aiohttp.ClientSession | None = None
        self._slots = asyncio.Semaphore(max_in_flight)

    async def __aenter__(self) -> Poster:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self.max_in_flight),
            timeout=aiohttp.ClientTimeout(total=120))
        self.api.on_update = self._take
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.api.on_update = None
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        assert self._session is not None
        await self._session.close()

    def _take(self, update: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(self._deliver(update))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _deliver(self, update: dict[str, Any]) -> None:
        assert self._session is not None
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.secret}
        pause = 0.05
        for _ in range(20):
            status: int | str
            async with self._slots:
                self.posts += 1
                try:
                    async with self._session.post(self.target, json=update,
                                                  headers=headers) as response:
                        await response.read()
                        status = response.status
                except (TimeoutError, aiohttp.ClientError) as exc:
                    status = exc.__class__.__name__
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status == 200:
                return
            if isinstance(status, int) and status < 500:
                break
            self.retries += 1
            await asyncio.sleep(pause)
            pause = min(pause * 2, 2.0)
        self.failed.append((update["update_id"], status))


def _cpu_s(pid: int | str) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(_children(p))
    return out


def cpu_snapshot(root: int, database: str | None) -> dict[tuple[str, int], float]:
    """CPU seconds so far of each process that takes part, keyed by (part, pid)."""
    snap = {("bot", p): _cpu_s(p) for p in _tree(root)}
    snap[("bench process", os.getpid())] = _cpu_s(os.getpid())
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if database and cmd.startswith("postgres:") and f" {database} " in cmd:
            snap[("postgres", int(pid))] = _cpu_s(pid)
        elif cmd.startswith("redis-server") or "/redis-server" in cmd.split(" ", 1)[0]:
            snap[("redis", int(pid))] = _cpu_s(pid)
    return snap


def cpu_per_update(before: dict, after: dict, updates: int) -> dict[str, float]:
    """ms of CPU per update by part (processes started meanwhile count from 0)."""
    parts: dict[str, float] = {}
    for key, value in after.items():
        parts[key[0]] = parts.get(key[0], 0.0) + value - before.get(key, 0.0)
    return {k: round(v * 1000 / updates, 1) for k, v in parts.items()}


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


async def _stop(proc: subprocess.Popen) -> None:
    children = _children(proc.pid)
    proc.send_signal(signal.SIGTERM)
    try:
        await asyncio.to_thread(proc.wait, 30)
    except subprocess.TimeoutExpired:
        proc.kill()
        await asyncio.to_thread(proc.wait)
    for child in children:  # only the workers this parent started
        try:
            os.kill(child, 0)
        except OSError:
            continue
        os.kill(child, signal.SIGKILL)


async def run_one(mode: str, workers: int, template_url: str | None, per_user: int,
                  seed: int = 1) -> dict[str, Any]:
    """One run: the echo webhook worker (mode "echo") or the bot with WORKERS=workers."""
    api = BenchAPI()
    await api.start()
    port = free_port()
    prefix = pg.redis_prefix()
    log_path = OUT / f"e2e_webhook_{mode}{workers}.log"
    env = dict(os.environ, PYTHONPATH=str(ROOT), LOG_LEVEL="WARNING",
               WEBHOOK_URL=PUBLIC_URL, WEBHOOK_SECRET=SECRET)
    if mode == "echo":
        args = [sys.executable, "-m", "bench.e2e_bot", "echo-webhook", api.base_url, str(port)]
    else:
        assert template_url is not None
        database = await pg.copy_pg_store(template_url, E2E_DB)
        env.update(BOT_TOKEN=TEST_TOKEN, TELEGRAM_API_BASE=api.base_url, DATABASE_URL=database,
                   REDIS_URL=pg.REDIS_URL, REDIS_PREFIX=prefix, WEBHOOK_HOST="127.0.0.1",
                   WEBHOOK_PORT=str(port), WORKERS=str(workers), FLOOD_LIMIT="0",
                   BOT_TODAY=TODAY.isoformat(), ADMIN_IDS="")
        args = [sys.executable, "-m", "bot", "run"]
    with open(log_path, "wb") as log:
        t_launch = time.monotonic()
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while listeners(port) < workers or api.webhook is None:
            if proc.poll() is not None:
                raise RuntimeError(f"{mode} (WORKERS={workers}) exited {proc.returncode}: "
                                   f"{_tail(log_path)}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{mode}: {listeners(port)}/{workers} listening after "
                                   f"{READY_TIMEOUT} s: {_tail(log_path)}")
            await asyncio.sleep(0.1)
        ready_s = time.monotonic() - t_launch
        texts = messages(seed, USERS * per_user)
        latencies: list[float] = []
        loop = asyncio.get_running_loop()
        target = f"http://127.0.0.1:{port}{HOOK_PATH}"
        async with Poster(api, target, SECRET) as poster:

            async def user(u: int) -> None:
                chat = 500_000 + u
                for k in range(per_user):
                    fut: asyncio.Future[float] = loop.create_future()
                    api.pending[chat] = fut
                    t0 = time.monotonic()
                    api.push_message(texts[u * per_user + k], chat_id=chat, user_id=chat)
                    replied = await asyncio.wait_for(fut, timeout=120)
                    latencies.append(replied - t0)

            database = E2E_DB if mode != "echo" else None
            cpu_before = cpu_snapshot(proc.pid, database)
            t_start = time.monotonic()
            await asyncio.gather(*(user(u) for u in range(USERS)))
            elapsed = time.monotonic() - t_start
            cpu = cpu_per_update(cpu_before, cpu_snapshot(proc.pid, database),
                                 USERS * per_user)
            # The last posts are answered just after their reply went out.
            deadline = time.monotonic() + 30
            while poster.tasks and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        updates = USERS * per_user
        return {"mode": mode, "workers": workers, "updates": updates, "seconds": elapsed,
                "ups": updates / elapsed, "p50": percentile(latencies, 50),
                "p99": percentile(latencies, 99), "replies": api.replies,
                "rejected": len(api.bad), "rejected_examples": [repr(c) for c in api.bad[:3]],
                "posts": poster.posts, "retries": poster.retries, "failed": len(poster.failed),
                "statuses": {str(k): v for k, v in poster.statuses.items()},
                "ready_s": ready_s, "set_webhook_calls": len(api.calls_of("setWebhook")),
                "cpu_ms_per_update": cpu}
    finally:
        await _stop(proc)
        await api.stop()
        if mode != "echo":
            await pg.drop_redis_prefix(prefix)
            await pg.drop_database(E2E_DB)


def _tail(path: Path, n: int = 1500) -> str:
    try:
        return path.read_text(errors="replace")[-n:]
    except OSError:
        return ""


async def measure(template_url: str, per_user: int,
                  worker_counts: tuple[int, ...] = (1, 2, 4)) -> dict[str, Any]:
    echo = await run_one("echo", 1, None, per_user)
    runs = {}
    for n in worker_counts:
        runs[n] = await run_one("bot", n, template_url, per_user)
    return {"echo": echo, "runs": runs,
            "ratio": {n: r["ups"] / echo["ups"] for n, r in runs.items()}}


if __name__ == "__main__":
    from bench.build import cached_store

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    per_user = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    counts = tuple(int(x) for x in sys.argv[3].split(",")) if len(sys.argv) > 3 else (1, 2, 4)
    path, _, _ = cached_store(size, 1)
    url, _, _ = asyncio.run(pg.cached_pg_store(size, path))
    print(asyncio.run(measure(url, per_user, counts)))
