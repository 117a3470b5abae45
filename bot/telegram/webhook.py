"""Webhook mode: an aiohttp server that Telegram posts updates to (when WEBHOOK_URL is set).

Long polling stays the default; webhooks are for deployments behind a load balancer with
several workers (README, "Deployment"). aiogram's SimpleRequestHandler does the work and
checks the secret token on every request (a post without it gets 401 and reaches no
handler). The socket is opened with SO_REUSEPORT, so the N workers `WORKERS=N` starts
(`bot.workers`) all listen on one port and the kernel spreads the connections.

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
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

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


async def serve_webhook(bot: Bot, dp: Dispatcher, settings: Settings) -> None:
    """Serve until SIGTERM/SIGINT. The webhook itself is set by `ensure_webhook`."""
    assert settings.webhook_url
    path = urlsplit(settings.webhook_url).path or "/"
    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=_secret(settings)).register(
        app, path=path
    )
    setup_application(app, dp, bot=bot)
    runner = web.AppRunner(app)
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
