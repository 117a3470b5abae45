"""Start-up: `python -m bot run` from launch to its first getUpdates, and its peak RSS.

The fake Bot API runs in this process; the bot is a child process with BOT_TOKEN=TEST_TOKEN,
TELEGRAM_API_BASE=the fake, DATABASE_URL=the store. Peak RSS is VmHWM from /proc/<pid>/status,
sampled every 50 ms up to a second after the first getUpdates (ru_maxrss of the child is not
used: on Linux it keeps the forking parent's high-water mark across exec). Floors in the same
run: `python -c "import aiogram"` and the echo bot (`bench.e2e_bot echo`) measured the same
way.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT
from bench.e2e import BenchAPI
from tests.fakebotapi import TEST_TOKEN


def _vm_hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


async def launch(args: list[str], db: Path | None) -> dict[str, Any]:
    api = BenchAPI()
    await api.start()
    env = dict(os.environ, PYTHONPATH=str(ROOT), BOT_TOKEN=TEST_TOKEN,
               TELEGRAM_API_BASE=api.base_url, LOG_LEVEL="WARNING", FLOOD_LIMIT="0")
    if db is not None:
        env["DATABASE_URL"] = f"sqlite:///{db}"
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    hwm = 0
    try:
        deadline = time.monotonic() + 300
        while not api.first_poll.is_set() and time.monotonic() < deadline:
            hwm = max(hwm, _vm_hwm_kb(proc.pid))
            if proc.poll() is not None:
                raise RuntimeError(f"{args} exited: {proc.stderr.read().decode()[-1500:]}")
            await asyncio.sleep(0.05)
        seconds = api.first_poll_at - t0
        await asyncio.sleep(1.0)
        hwm = max(hwm, _vm_hwm_kb(proc.pid))
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            await asyncio.to_thread(proc.wait, 20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        await api.stop()
    return {"seconds": seconds, "rss_mb": hwm / 1024}


def import_floor() -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import aiogram"], check=True, cwd=ROOT)
    return time.perf_counter() - t0


async def measure(db: Path, repeats: int = 2) -> dict[str, Any]:
    bots = [await launch(["-m", "bot", "run"], db) for _ in range(repeats)]
    echoes = [await launch(["-m", "bench.e2e_bot", "echo", "-"], None) for _ in range(repeats)]
    imports = [import_floor() for _ in range(repeats)]
    # The echo bot takes its API base from argv; see bench.e2e_bot.
    best = min(bots, key=lambda r: r["seconds"])
    echo = min(echoes, key=lambda r: r["seconds"])
    return {"bot_s": best["seconds"], "bot_rss_mb": max(r["rss_mb"] for r in bots),
            "echo_s": echo["seconds"], "echo_rss_mb": max(r["rss_mb"] for r in echoes),
            "import_aiogram_s": min(imports), "runs": repeats}


if __name__ == "__main__":
    from bench.build import cached_store

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    path, _, _ = cached_store(size, 1)
    print(asyncio.run(measure(path)))
