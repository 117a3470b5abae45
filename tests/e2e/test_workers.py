"""Scale-out, for real: three `python -m bot run` workers on one PostgreSQL and one Redis,
Telegram's webhook posts spread over them (`tests/webhook_delivery.py`, some posted twice),
and one worker killed with SIGKILL in the middle of a notification to 1,000 subscribers.

What a person would notice is what is checked: every message answered exactly once, every
subscriber told about the new event at most once — and all of them but the one whose
request was in flight when its worker died (Telegram has no idempotency key: that one may
or may not have arrived, and is never resent) — no request Telegram would refuse (the fake
Bot API enforces 1 message/s per chat and a global rate), and the webhook set once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import signal
import sys
import time
from collections import Counter

from bot.store import open_store
from tests.conftest import ADMIN_ID
from tests.e2e.test_run import SECRET, free_port
from tests.fakebotapi import TEST_TOKEN
from tests.services import fresh_database, redis_namespace
from tests.support import FIXTURES, ROOT
from tests.webhook_delivery import WebhookDelivery

PUBLIC_URL = "https://bot.example.org/tg-hook"
TODAY = dt.date(2026, 11, 23)  # the webinar of tests/fixtures/webinar_cp1251.txt is ahead
SUBSCRIBERS = 1000
SEND_RATE = 80  # messages/s across all workers; the fake refuses above 100/s
FAKE_GLOBAL_LIMIT = 100
NOTICE = "Новое мероприятие"


def worker_env(fake_api, database: str, redis: str, prefix: str, **extra: str) -> dict[str, str]:
    """A webhook worker's settings: the fake Bot API, one database, one Redis prefix."""
    return {
        **os.environ,
        "BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_BASE": fake_api.base_url,
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "REDIS_PREFIX": prefix.rstrip(":"),
        "WEBHOOK_URL": PUBLIC_URL,
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_HOST": "127.0.0.1",
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
        **extra,
    }


async def start_worker(env: dict[str, str], port: int) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=str(ROOT),
        env={**env, "WEBHOOK_PORT": str(port)},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def listening(port: int, proc: asyncio.subprocess.Process, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.returncode is not None:
            err = await proc.stderr.read() if proc.stderr else b""
            raise AssertionError(f"worker on {port} exited {proc.returncode}: {err.decode()}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise TimeoutError(f"worker on {port} not listening after {timeout} s")


async def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.1)


def busiest_second(times: list[float]) -> int:
    """The most sends within any one second (a sliding window over the send times)."""
    times = sorted(times)
    best = start = 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_three_workers_answer_once_and_notify_once_through_a_kill(fake_api):
    async with fresh_database("bot_workers") as database, redis_namespace() as (redis, prefix):
        env = worker_env(
            fake_api,
            database,
            redis,
            prefix,
            SEND_RATE=str(SEND_RATE),
            ADMIN_IDS=str(ADMIN_ID),
            BOT_TODAY=TODAY.isoformat(),
        )
        ports = [free_port() for _ in range(3)]
        workers = [await start_worker(env, port) for port in ports]
        try:
            # Three workers starting at once on an empty database: one migrates and seeds,
            # one sets the webhook; all listen.
            began = time.monotonic()
            pairs = zip(ports, workers, strict=True)
            await asyncio.gather(*(listening(port, w, 120) for port, w in pairs))
            print(f"\nworkers listening after {time.monotonic() - began:.1f} s")
            assert len(fake_api.calls_of("setWebhook")) == 1
            targets = [f"http://127.0.0.1:{port}/tg-hook" for port in ports]
            twice = {i for i in range(1, 5000) if i % 7 == 0}  # every 7th update posted twice
            async with WebhookDelivery(fake_api, targets, twice=twice.__contains__) as delivery:
                began = time.monotonic()
                await subscribe_everyone(fake_api, delivery)
                print(f"{SUBSCRIBERS} subscribed in {time.monotonic() - began:.1f} s")
                began = time.monotonic()
                await notify_through_a_kill(fake_api, delivery, workers, database)
                print(f"notified (through the kill) in {time.monotonic() - began:.1f} s")
                await delivery.idle(120)
                assert not delivery.failed, delivery.failed
                assert set(delivery.delivered.values()) <= {1, 2}
                copies = [u for u, n in delivery.delivered.items() if n == 2]
                assert len(copies) > 100  # the copies were really posted, and acknowledged
        finally:
            for worker in workers:
                if worker.returncode is None:
                    worker.send_signal(signal.SIGTERM)
            await asyncio.gather(*(asyncio.wait_for(w.wait(), 30) for w in workers))
    assert not fake_api.errors, fake_api.errors[:5]


async def subscribe_everyone(fake_api, delivery: WebhookDelivery) -> None:
    """1,000 people send /subscribe; each gets exactly one «Готово»."""
    chats = range(200_001, 200_001 + SUBSCRIBERS)
    for chat in chats:
        fake_api.push_message("/subscribe", chat_id=chat, user_id=chat)
    await delivery.idle(180)

    def replies() -> Counter:
        return Counter(
            c.params["chat_id"]
            for c in fake_api.calls_of("sendMessage")
            if c.ok and c.params["chat_id"] in chats
        )

    await wait_until(lambda: len(replies()) == SUBSCRIBERS, 60, "not every /subscribe answered")
    await asyncio.sleep(0.5)  # a second answer to a copy would come now
    counts = replies()
    assert set(counts.values()) == {1}, [c for c, n in counts.items() if n != 1][:10]
    assert all(
        "Готово" in c.params["text"]
        for c in fake_api.calls_of("sendMessage")
        if c.params["chat_id"] in chats
    )


async def notify_through_a_kill(fake_api, delivery, workers, database) -> None:
    """An admin uploads an article with an upcoming event: 1,000 notices queue; one worker
    is killed mid-way; people keep writing meanwhile."""
    fake_api.rate_limit(per_chat_per_sec=1, global_per_sec=FAKE_GLOBAL_LIMIT)
    data = (FIXTURES / "webinar_cp1251.txt").read_bytes()
    fake_api.push_document(data, "webinar.txt", chat_id=ADMIN_ID, user_id=ADMIN_ID)

    def notices() -> list:
        return [c for c in fake_api.calls_of("sendMessage") if NOTICE in c.params["text"]]

    await wait_until(lambda: len(notices()) >= 300, 60, "the notification did not start")
    # People keep writing to the bot while it notifies, before and after the kill, ten a
    # second: with the notices that stays within the fake's global limit — replies are
    # never paced, so a burst of them would be refused as it would by Telegram.
    talkers = range(300_001, 300_101)

    async def talk() -> None:
        for chat in talkers:
            fake_api.push_message("телефон доверия", chat_id=chat, user_id=chat)
            await asyncio.sleep(0.1)

    talking = asyncio.create_task(talk())
    await asyncio.sleep(random.uniform(0.5, 1.0))
    victim = workers[1]
    victim.kill()  # SIGKILL: no clean-up of any kind
    await victim.wait()
    sent_at_kill = len(notices())
    await talking
    assert sent_at_kill < SUBSCRIBERS - 100, "the kill came too late to prove anything"

    store = await open_store(database)
    try:

        async def settled() -> dict[str, int]:
            deadline = time.monotonic() + 120
            while True:
                counts = await store.outbox_counts()
                # Left: at most the one row the dead worker had in flight ('sending').
                if not counts.get("pending") and counts.get("sending", 0) <= 1:
                    return counts
                if time.monotonic() > deadline:
                    raise TimeoutError(counts)
                await asyncio.sleep(0.5)

        counts = await settled()
        print(f"killed at {sent_at_kill} notices sent; outbox afterwards: {counts}")
    finally:
        await store.close()
    per_chat = Counter(c.params["chat_id"] for c in notices() if c.ok)
    subscribers = set(range(200_001, 200_001 + SUBSCRIBERS))
    assert set(per_chat) <= subscribers
    assert max(per_chat.values()) == 1, "a subscriber was notified twice"
    missing = subscribers - set(per_chat)
    print(f"subscribers notified once: {len(per_chat)}, twice: 0, not at all: {len(missing)}")
    # The one request in flight when its worker died may not have arrived; nothing else.
    assert len(missing) <= 1 and len(missing) <= counts.get("sending", 0), (missing, counts)
    assert counts.get("sent", 0) >= SUBSCRIBERS - 1, counts
    # One clock for all workers: never above SEND_RATE in any second (a little jitter).
    assert busiest_second([c.time for c in notices()]) <= SEND_RATE + 3
    # Everyone who wrote meanwhile got exactly one answer, the helpline.
    await delivery.idle(180)
    await wait_until(
        lambda: all(fake_api.sent_texts(chat) for chat in talkers), 60, "a message unanswered"
    )
    for chat in talkers:
        texts = fake_api.sent_texts(chat)
        assert len(texts) == 1 and "8-800-2000-122" in texts[0], (chat, texts)
    # The upload reached one worker; every worker's search knows the new article (its
    # change counter came by LISTEN/NOTIFY, not by a restart).
    askers = range(300_201, 300_207)
    for chat in askers:
        fake_api.push_message("вебинар для замещающих семей", chat_id=chat, user_id=chat)
    await delivery.idle(60)
    await wait_until(lambda: all(fake_api.sent_texts(c) for c in askers), 30, "unanswered")
    for chat in askers:
        assert "Вебинар о сопровождении замещающих семей" in fake_api.sent_texts(chat)[0]


def children_of(pid: int) -> set[int]:
    path = f"/proc/{pid}/task/{pid}/children"
    try:
        with open(path) as f:
            return {int(p) for p in f.read().split()}
    except FileNotFoundError:
        return set()


async def test_workers_setting_runs_n_processes_on_one_port_and_restarts_a_dead_one(fake_api):
    """`WORKERS=2 python -m bot run`: the parent sets the webhook once and keeps two
    workers on one port; a worker killed with SIGKILL is replaced and nothing is lost."""
    async with fresh_database("bot_workers") as database, redis_namespace() as (redis, prefix):
        port = free_port()
        env = worker_env(fake_api, database, redis, prefix, WORKERS="2")
        parent = await start_worker(env, port)
        try:
            await listening(port, parent, 120)
            await wait_until(lambda: len(children_of(parent.pid)) == 2, 60, "two workers")
            target = [f"http://127.0.0.1:{port}/tg-hook"]
            async with WebhookDelivery(fake_api, target, twice=lambda i: i % 5 == 0) as delivery:
                first = range(400_001, 400_041)
                for chat in first:
                    fake_api.push_message("/helpline", chat_id=chat, user_id=chat)
                await delivery.idle(60)
                before = children_of(parent.pid)
                os.kill(min(before), signal.SIGKILL)
                await wait_until(
                    lambda: len(children_of(parent.pid)) == 2 and children_of(parent.pid) != before,
                    60,
                    "the killed worker was not replaced",
                )
                second = range(400_041, 400_081)
                for chat in second:
                    fake_api.push_message("/helpline", chat_id=chat, user_id=chat)
                await delivery.idle(120)
                assert not delivery.failed
            for chat in [*first, *second]:
                texts = fake_api.sent_texts(chat)
                assert len(texts) == 1 and "8-800-2000-122" in texts[0], (chat, texts)
            assert len(fake_api.calls_of("setWebhook")) == 1
            assert len(fake_api.calls_of("setMyCommands")) >= 1
        finally:
            parent.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(parent.wait(), 60) == 0
    assert not fake_api.errors, fake_api.errors[:5]
