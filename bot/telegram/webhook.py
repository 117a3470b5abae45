"""Webhook mode: an aiohttp server that Telegram posts updates to (when WEBHOOK_URL is set).

Long polling stays the default; webhooks are for deployments behind a load balancer with
several workers (README, "Deployment"). `OnceOnlyHandler` (aiogram's SimpleRequestHandler
answering after handling) checks the secret token on every request — a post without it
gets 401 and reaches no handler — and drops copies of an update. The socket is opened with
SO_REUSEPORT, so the N workers `WORKERS=N` starts (`bot.workers`) all listen on one port
and the kernel spreads the connections.

The webhook is set once: the first process to start (under the store's exclusive lock)
sets it and records a fingerprint of what it set (URL, secret, update types); a process
that finds the same fingerprint — and Telegram reporting the same URL — leaves it alone,
so N workers starting, or restarting one by one, do not call setWebhook N times.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import signal
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.coordination.dedupe import MemoryDedupe, UpdateDedupe
from bot.settings import Settings
from bot.store import Store

log = logging.getLogger(__name__)


def _secret(settings: Settings) -> str | None:
    return settings.webhook_secret.get_secret_value() if settings.webhook_secret else None


async def ensure_webhook(bot: Bot, dp: Dispatcher, settings: Settings, store: Store) -> bool:
    """Set the webhook unless it is already set as configured; True when it was set now."""
    assert settings.webhook_url
    secret = _secret(settings)
    updates = sorted(dp.resolve_used_update_types())
    fingerprint = hashlib.sha256(
        "\n".join([settings.webhook_url, secret or "", *updates]).encode()
    ).hexdigest()
    async with store.exclusive("webhook"):
        if await store.get_meta("webhook") == fingerprint:
            info = await bot.get_webhook_info()
            if info.url == settings.webhook_url:
                log.info("webhook already set: %s", settings.webhook_url)
                return False
        await bot.set_webhook(settings.webhook_url, secret_token=secret, allowed_updates=updates)
        await store.set_meta("webhook", fingerprint)
    log.info("webhook set: %s", settings.webhook_url)
    return True


class OnceOnlyHandler(SimpleRequestHandler):
    """Answers Telegram's post only when the update was handled, and handles each update
    once across all workers (`bot.coordination.dedupe`).

    aiogram's default answers 200 at once and handles the update afterwards: a worker
    killed meanwhile loses the update, since Telegram saw it acknowledged. Here a worker
    that dies mid-update leaves the post unanswered, Telegram sends it again, and another
    worker takes it when the claim's lease runs out; a copy of an update already handled
    is acknowledged and dropped, one being handled elsewhere gets 503 (try later)."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, dedupe: UpdateDedupe, **kw: Any):
        super().__init__(dispatcher=dispatcher, bot=bot, handle_in_background=False, **kw)
        self.dedupe = dedupe

    async def handle(self, request: web.Request) -> web.Response:
        bot = self.bot
        if not self.verify_secret(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""), bot):
            return web.Response(body="Unauthorized", status=401)
        try:
            update = await request.json(loads=bot.session.json_loads)
            update_id = int(update["update_id"])
        except (ValueError, KeyError, TypeError):
            return web.Response(body="Bad Request", status=400)
        claim = await self.dedupe.claim(bot.id, update_id)
        if claim == "done":
            log.info("update %s: a copy of one handled, dropped", update_id)
            return web.json_response({})
        if claim == "busy":
            return web.Response(body="being handled", status=503)
        try:
            result: Any = await self.dispatcher.feed_webhook_update(bot, update, **self.data)
        except BaseException:
            await self.dedupe.release(bot.id, update_id)
            raise
        await self.dedupe.done(bot.id, update_id)
        return web.Response(body=self._build_response_writer(bot=bot, result=result))


async def serve_webhook(
    bot: Bot, dp: Dispatcher, settings: Settings, dedupe: UpdateDedupe | None = None
) -> None:
    """Serve until SIGTERM/SIGINT. The webhook itself is set by `ensure_webhook`."""
    assert settings.webhook_url
    path = urlsplit(settings.webhook_url).path or "/"
    app = web.Application()
    OnceOnlyHandler(
        dp, bot, dedupe if dedupe is not None else MemoryDedupe(), secret_token=_secret(settings)
    ).register(app, path=path)
    setup_application(app, dp, bot=bot)
    runner = web.AppRunner(app, access_log=None)  # one line per update: noise, and chat ids
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port, reuse_port=True)
    await site.start()
    log.info("bot started: webhook on %s:%s%s", settings.webhook_host, settings.webhook_port, path)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
