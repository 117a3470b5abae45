"""`WORKERS=N python -m bot run`: one parent, N webhook worker processes on one port.

The parent does the once-only work — opens the store (migrations), seeds, sets the webhook
and the command menus — then starts N copies of `python -m bot run --worker`, each a whole
bot (dispatcher, outbox sender) listening on WEBHOOK_PORT with SO_REUSEPORT. Workers share
nothing in memory: PostgreSQL holds the content and the outbox, Redis the counters, FSM
state and the update dedupe (`bot.coordination`). A worker that exits is started again
after a short pause (longer if it keeps dying); SIGTERM/SIGINT stop them all.

This is the systemd way (deploy/systemd/family-bot.service). The other way — N independent
`WORKERS=1` processes behind nginx's upstream (deploy/docker-compose.yml) — needs no parent:
each sets the webhook only if it is not set yet (`bot.telegram.webhook.ensure_webhook`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time

log = logging.getLogger(__name__)

RESTART_PAUSE = 1.0  # seconds before a worker that exited is started again
RESTART_PAUSE_MAX = 30.0


async def supervise(workers: int, argv: list[str] | None = None) -> int:
    """Run `workers` worker processes until SIGTERM/SIGINT, restarting any that exits."""
    argv = argv or [sys.executable, "-m", "bot", "run", "--worker"]
    env = {**os.environ, "WORKERS": "1"}
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    procs: dict[int, asyncio.subprocess.Process] = {}

    async def keep(slot: int) -> None:
        pause = RESTART_PAUSE
        while not stop.is_set():
            started = time.monotonic()
            proc = await asyncio.create_subprocess_exec(
                *argv, env={**env, "WORKER_SLOT": str(slot)}
            )
            procs[slot] = proc
            log.info("worker %s started (pid %s)", slot, proc.pid)
            code = await proc.wait()
            if stop.is_set():
                return
            # A worker that lived a while died of something passing; one that dies at once
            # keeps dying: wait longer each time rather than spin.
            pause = (
                RESTART_PAUSE
                if time.monotonic() - started > 60
                else min(pause * 2, RESTART_PAUSE_MAX)
            )
            log.warning("worker %s exited (%s): restarting in %.0f s", slot, code, pause)
            try:
                await asyncio.wait_for(stop.wait(), timeout=pause)
            except TimeoutError:
                pass

    keepers = [asyncio.create_task(keep(slot)) for slot in range(1, workers + 1)]
    log.info("bot started: %s webhook workers", workers)
    await stop.wait()
    for proc in procs.values():
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
    await asyncio.gather(*(p.wait() for p in procs.values()), return_exceptions=True)
    for task in keepers:
        task.cancel()
    await asyncio.gather(*keepers, return_exceptions=True)
    return 0
