"""The bot process of the end-to-end benchmark: the real bot, or a minimal echo bot.

`python -m bench.e2e_bot real|echo API_BASE [DB]` — long polling against API_BASE until
SIGINT/SIGTERM. `real` wires the project exactly as `python -m bot run` does (App.create,
build_bot, build_dispatcher, gc.freeze, background jobs, start_polling with handle_as_tasks=True
and the same bound on updates at once), with
FLOOD_LIMIT=0; `echo` is one aiogram handler answering message.text.

`python -m bench.e2e_bot echo-webhook API_BASE PORT` — the same echo handler behind a
webhook (the floor of bench.e2e_webhook): it sets the webhook (WEBHOOK_URL, WEBHOOK_SECRET
from the environment) as the bot does, then serves 127.0.0.1:PORT with aiogram's
SimpleRequestHandler answering each post after the update is handled (as the bot's
OnceOnlyHandler does), the secret checked, until SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from pathlib import Path


async def real(api_base: str, db: Path) -> None:
    from bench.common import settings_for
    from bot.__main__ import MAX_CONCURRENT_UPDATES
    from bot.app import App
    from bot.telegram.dispatcher import build_bot, build_dispatcher
    from bot.telegram.outbox import OutboxSender
    from tests.fakebotapi import TEST_TOKEN

    settings = settings_for(db, bot_token=TEST_TOKEN, telegram_api_base=api_base, flood_limit=0)
    app = await App.create(settings)
    gc.freeze()  # as `python -m bot run` does after App.create
    bot = build_bot(settings)
    dp = build_dispatcher(app)
    try:
        await app.start_background(OutboxSender(app.store, bot))
        await dp.start_polling(
            bot,
            handle_signals=True,
            handle_as_tasks=True,
            tasks_concurrency_limit=MAX_CONCURRENT_UPDATES,
        )
    finally:
        await app.stop_background()
        await bot.session.close()
        await app.close()


async def echo(api_base: str) -> None:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message

    from tests.fakebotapi import TEST_TOKEN

    bot = Bot(TEST_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)))
    dp = Dispatcher()

    @dp.message()
    async def answer(message: Message) -> None:
        await message.answer(message.text or "?")

    try:
        await dp.start_polling(bot, handle_signals=True, handle_as_tasks=True)
    finally:
        await bot.session.close()


async def echo_webhook(api_base: str, port: int) -> None:
    import signal
    from urllib.parse import urlsplit

    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
    from aiohttp import web

    from tests.fakebotapi import TEST_TOKEN

    url, secret = os.environ["WEBHOOK_URL"], os.environ["WEBHOOK_SECRET"]
    bot = Bot(TEST_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)))
    dp = Dispatcher()

    @dp.message()
    async def answer(message: Message) -> None:
        await message.answer(message.text or "?")

    await bot.set_webhook(url, secret_token=secret,
                          allowed_updates=dp.resolve_used_update_types())
    app = web.Application()
    SimpleRequestHandler(dp, bot, handle_in_background=False, secret_token=secret).register(
        app, path=urlsplit(url).path or "/")
    setup_application(app, dp, bot=bot)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, reuse_port=True).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await bot.session.close()


def main(argv: list[str]) -> int:
    import logging

    logging.basicConfig(level=logging.WARNING)
    mode, api_base = argv[0], argv[1]
    if api_base == "-":  # start-up benchmark: the base comes from the environment
        api_base = os.environ["TELEGRAM_API_BASE"]
    if mode == "real":
        asyncio.run(real(api_base, Path(argv[2])))
    elif mode == "echo-webhook":
        asyncio.run(echo_webhook(api_base, int(argv[2])))
    else:
        asyncio.run(echo(api_base))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
