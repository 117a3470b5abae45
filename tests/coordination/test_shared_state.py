"""What workers share (bot.coordination), in memory and in Redis alike: the send clock, the
update claims, the flood windows and the follow-up context. The Redis variants run against
the real server (skipped without it, failing under REQUIRE_SERVICES=1); several clients
stand for several workers."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.coordination import Shared
from bot.coordination.dedupe import MemoryDedupe, RedisDedupe
from bot.coordination.pacing import MemoryPacer, RedisPacer
from bot.coordination.windows import MemoryWindows, RedisWindows
from tests.services import redis_namespace


class MemoryWorkers:
    """One process: every "worker" is the same object."""

    def __init__(self) -> None:
        self._made: dict = {}

    def _one(self, key, make):
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]

    def pacer(self, rate: float):
        return self._one(("pacer", rate), lambda: MemoryPacer(rate))

    def dedupe(self, busy_seconds: float = 120):
        return self._one(("dedupe", busy_seconds), lambda: MemoryDedupe(busy_seconds=busy_seconds))

    def windows(self):
        return self._one("windows", MemoryWindows)


class RedisWorkers:
    """Each call is another worker with its own connection to the one Redis."""

    def __init__(self, url: str, prefix: str) -> None:
        self.url, self.prefix, self.clients = url, prefix, []

    def _client(self):
        from redis.asyncio import Redis

        client = Redis.from_url(self.url)
        self.clients.append(client)
        return client

    def pacer(self, rate: float):
        return RedisPacer(self._client(), self.prefix, rate)

    def dedupe(self, busy_seconds: int = 120):
        return RedisDedupe(self._client(), self.prefix, busy_seconds=busy_seconds)

    def windows(self):
        return RedisWindows(self._client(), self.prefix)


@pytest.fixture(params=["memory", "redis"])
async def workers(request):
    if request.param == "memory":
        yield MemoryWorkers()
        return
    async with redis_namespace() as (url, prefix):
        made = RedisWorkers(url, prefix)
        yield made
        for client in made.clients:
            await client.aclose()


@pytest.fixture
async def redis_workers():
    async with redis_namespace() as (url, prefix):
        made = RedisWorkers(url, prefix)
        yield made
        for client in made.clients:
            await client.aclose()


async def test_slots_are_spaced_by_the_global_rate_across_senders(workers):
    senders = [workers.pacer(50.0) for _ in range(3)]  # a slot every 20 ms
    starts = []
    for i, chat in enumerate(range(1, 31)):  # 30 sends to 30 chats, by three senders
        wait = await senders[i % 3].reserve(chat)
        assert wait >= 0
        starts.append(time.monotonic() + wait)  # when this send may go
    # One clock: the 30 slots span 29 × 20 ms, whoever reserved them (three clocks of their
    # own would span a third of that). The margin is the time a call to Redis takes.
    assert max(starts) - min(starts) >= 0.58 - 0.08


async def test_one_chat_gets_one_message_a_second_whoever_sends(workers):
    senders = [workers.pacer(100.0) for _ in range(3)]
    assert await senders[0].reserve(42) >= 0
    busy = await senders[1].reserve(42)
    assert -1.0 <= busy < -0.9  # not reserved: the chat is free again in about a second
    assert await senders[2].reserve(43) >= 0  # another chat goes meanwhile


async def test_a_global_pause_holds_every_sender(workers):
    senders = [workers.pacer(100.0) for _ in range(3)]
    await senders[0].pause(2.0)
    wait = await senders[1].reserve(7)
    assert 1.9 <= wait <= 2.05


async def test_an_update_is_claimed_by_one_worker_only(workers):
    first, second = workers.dedupe(), workers.dedupe()
    claims = await asyncio.gather(*(d.claim(1, 100) for d in [first, second] * 5))
    assert sorted(claims).count("new") == 1 and claims.count("busy") == 9
    await first.done(1, 100)
    assert await second.claim(1, 100) == "done"
    assert await second.claim(2, 100) == "new"  # another bot's update 100


async def test_a_failed_update_can_be_handled_again(workers):
    first, second = workers.dedupe(), workers.dedupe()
    assert await first.claim(1, 5) == "new"
    await first.release(1, 5)
    assert await second.claim(1, 5) == "new"


async def test_a_claim_of_a_dead_worker_runs_out(workers):
    dead, alive = workers.dedupe(busy_seconds=1), workers.dedupe(busy_seconds=1)
    assert await dead.claim(1, 9) == "new"  # …and its worker is killed here
    assert await alive.claim(1, 9) == "busy"  # Telegram is told to try later
    await asyncio.sleep(1.1)
    assert await alive.claim(1, 9) == "new"  # the re-sent copy is handled


async def test_flood_window_counts_one_person_across_workers(workers):
    a, b = workers.windows(), workers.windows()
    allowed = await asyncio.gather(*((a, b)[i % 2].allow("msg", 5, 4, 60.0) for i in range(10)))
    assert allowed.count(True) == 4
    assert await a.allow("msg", 6, 4, 60.0)  # another person is not held
    warned = await asyncio.gather(a.first_in("warned", 5, 60.0), b.first_in("warned", 5, 60.0))
    assert sorted(warned) == [False, True]  # one warning a window, not one per worker


async def test_flood_window_slides(workers):
    a, b = workers.windows(), workers.windows()
    assert await a.allow("press", 8, 1, 0.3)
    assert not await b.allow("press", 8, 1, 0.3)
    await asyncio.sleep(0.35)
    assert await b.allow("press", 8, 1, 0.3)


async def test_follow_up_context_is_seen_by_every_worker_and_ages(redis_workers):
    url_prefix = redis_workers.prefix.rstrip(":")
    first = Shared.open(redis_workers.url, url_prefix, 25.0)
    second = Shared.open(redis_workers.url, url_prefix, 25.0)
    try:
        assert first.context is not None and second.context is not None
        now = time.time()
        await first.context.save_context(77, "a:12", now)
        assert await second.context.load_context(77, now - 60) == "a:12"
        assert await second.context.load_context(77, now + 1) is None  # older than asked
        assert await second.context.load_context(78, 0) is None
        ttl = await second.redis.ttl(f"{url_prefix}:context:77")
        assert 0 < ttl <= 30 * 60  # Redis forgets it by itself
    finally:
        await first.close()
        await second.close()


def test_one_process_needs_no_redis():
    shared = Shared.open(None, "x", 25.0)
    assert shared.redis is None and shared.context is None  # the store keeps the context
    assert isinstance(shared.pacer, MemoryPacer)
