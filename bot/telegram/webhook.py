"""Webhook mode: an aiohttp server that Telegram posts updates to (when WEBHOOK_URL is set).

Long polling stays the default; webhooks are for deployments behind a load balancer with
several workers (see README, "Deployment"). aiogram's SimpleRequestHandler does the work;
the secret token, when set, is checked on every request.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.settings import Settings

log = logging.getLogger(__name__)


async def serve_webhook(bot: Bot, dp: Dispatcher, settings: Settings) -> None:
    assert settings.webhook_url
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    path = urlsplit(settings.webhook_url).path or "/"
    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret).register(app, path=path)
    setup_application(app, dp, bot=bot)
    await bot.set_webhook(
        settings.webhook_url, secret_token=secret, allowed_updates=dp.resolve_used_update_types()
    )
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
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
