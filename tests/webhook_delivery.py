"""Telegram's side of a webhook in front of several workers, as the tests need it.

`WebhookDelivery` takes the fake Bot API's pushed updates (its `on_update` hook) and posts
each, as JSON with the secret token header the bot set with setWebhook, to one of the
workers' URLs in turn — what nginx's round-robin upstream does behind the public URL. Like
Telegram (and nginx's `proxy_next_upstream`), a post that finds no worker (connection
refused or reset) or gets a 5xx is tried again, on the next worker, after a short pause;
a 401 or another 4xx is a failure of the bot and recorded as such. Updates chosen by
`twice` are posted a second time, to the next worker, after their first answer — as
Telegram does when an answer came late.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tests.fakebotapi import FakeBotAPI


@dataclass
class Post:
    update_id: int
    target: str
    status: int | None  # None: no answer (refused, reset)
    at: float


@dataclass
class WebhookDelivery:
    api: FakeBotAPI
    targets: list[str]
    twice: Callable[[int], bool] = lambda update_id: False
    max_in_flight: int = 40  # Telegram's default max_connections
    give_up_after: float = 180.0
    posts: list[Post] = field(default_factory=list)
    delivered: dict[int, int] = field(default_factory=lambda: defaultdict(int))  # id -> 200s
    failed: list[int] = field(default_factory=list)
    _tasks: set[asyncio.Task] = field(default_factory=set)
    _turn: Any = None
    _session: aiohttp.ClientSession | None = None
    _slots: asyncio.Semaphore | None = None

    async def __aenter__(self) -> WebhookDelivery:
        self._turn = itertools.cycle(range(len(self.targets)))
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        self._slots = asyncio.Semaphore(self.max_in_flight)
        self.api.on_update = self._take
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.api.on_update = None
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        assert self._session is not None
        await self._session.close()

    def _take(self, update: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(self._deliver(update))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, update: dict[str, Any]) -> None:
        update_id = update["update_id"]
        status = await self._post_until_answered(update)
        if status == 200 and self.twice(update_id):
            await self._post_until_answered(update)  # the copy goes to the next worker

    async def _post_until_answered(self, update: dict[str, Any]) -> int | None:
        assert self._session is not None and self._slots is not None
        secret = (self.api.webhook or {}).get("secret_token", "")
        deadline = time.monotonic() + self.give_up_after
        pause = 0.05
        while True:
            target = self.targets[next(self._turn)]
            status: int | None = None
            async with self._slots:
                try:
                    async with self._session.post(
                        target,
                        json=update,
                        headers={"X-Telegram-Bot-Api-Secret-Token": secret},
                    ) as response:
                        await response.read()
                        status = response.status
                except (TimeoutError, aiohttp.ClientError):
                    status = None
            self.posts.append(Post(update["update_id"], target, status, time.monotonic()))
            if status == 200:
                self.delivered[update["update_id"]] += 1
                return status
            if status is not None and status < 500:
                self.failed.append(update["update_id"])
                return status
            if time.monotonic() > deadline:
                self.failed.append(update["update_id"])
                return status
            await asyncio.sleep(pause)
            pause = min(pause * 2, 2.0)

    async def idle(self, timeout: float) -> None:
        """Wait until every update taken so far has been answered (or given up)."""
        deadline = time.monotonic() + timeout
        while self._tasks:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self._tasks)} updates still being delivered")
            await asyncio.sleep(0.05)
