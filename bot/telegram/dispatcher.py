"""Bot and Dispatcher construction: HTML by default, routers from handlers/, deps injected."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import BotCommandScopeDefault

from bot.app import App
from bot.settings import Settings
from bot.telegram.commands import commands_of, set_commands_for
from bot.telegram.middlewares import (
    CallbackFloodControl,
    FloodControl,
    InputSanitizer,
    ReadOnce,
)
from bot.telegram.retry import RetryRequests
from bot.telegram.support import SupportRelay

log = logging.getLogger(__name__)

# Token-shaped placeholder for the local chat, which never talks to Telegram.
CONSOLE_TOKEN = "42:CONSOLE-local-chat-no-network-000000"

FSM_TTL = 24 * 3600  # a step left half-way (/review, /region) is forgotten after a day


def build_bot(settings: Settings, session: BaseSession | None = None) -> Bot:
    if session is None:
        api = (
            TelegramAPIServer.from_base(settings.telegram_api_base)
            if settings.telegram_api_base
            else None
        )
        # A bounded wait for each answer: a late one must not hold a handler for minutes
        # (and is never resent, see bot/retry.py).
        timeout = settings.telegram_timeout
        session = (
            AiohttpSession(api=api, timeout=timeout) if api else AiohttpSession(timeout=timeout)
        )
    # 429 and 5xx retried for every request the bot makes, replies and apologies alike.
    session.middleware(RetryRequests())
    token = settings.bot_token.get_secret_value() if settings.bot_token else CONSOLE_TOKEN
    return Bot(
        token=token,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def build_dispatcher(app: App) -> Dispatcher:
    from handlers import make_routers  # the composition root is the only place that knows them

    # The services handlers ask for by parameter name; App itself is not handed out.
    # FSM state (the /review and /region steps) lives in Redis when workers share it: the
    # next message of a step may reach another worker.
    shared = app.shared
    storage = None
    if shared is not None and shared.redis is not None:
        from aiogram.fsm.storage.base import DefaultKeyBuilder
        from aiogram.fsm.storage.redis import RedisStorage

        storage = RedisStorage(
            shared.redis,
            key_builder=DefaultKeyBuilder(prefix=f"{shared.prefix}:fsm"),
            state_ttl=FSM_TTL,
            data_ttl=FSM_TTL,
        )
    dp = Dispatcher(storage=storage, **app.services())
    windows = shared.windows if shared is not None else None
    support = app.settings.support_chat_id
    dp["relay"] = SupportRelay(app.handoffs, support) if support is not None else None
    sanitizer = InputSanitizer()
    for observer in (dp.message, dp.edited_message, dp.callback_query, dp.inline_query):
        observer.outer_middleware(sanitizer)
    # Exempt: an owner's or an editor's uploads are never dropped.
    admins = app.roles.staff
    dp.message.outer_middleware(ReadOnce())  # after the sanitizer: the cleaned text
    dp.message.outer_middleware(FloodControl(app.settings.flood_limit, windows, exempt=admins))
    dp.callback_query.outer_middleware(
        CallbackFloodControl(app.settings.callback_limit, windows, exempt=admins)
    )
    dp.include_routers(*make_routers())
    inline_sync_filters(dp)
    return dp


def inline_sync_filters(router: Router) -> None:
    """Run the routers' synchronous filters (`F.text`, `F.chat.type == "private"`, plain
    functions) in the event loop instead of a thread.

    aiogram calls every filter that is not a coroutine through `asyncio.to_thread` (its
    CallableObject.call), so a free-text message paid about 85 µs and a thread hop for each
    of the eight attribute checks it passes on its way to the search, against ~1 µs to
    evaluate them (issue #17's profile). Our synchronous filters only read the update, so
    they are awaited in place; their parameters, read by aiogram from the original
    callback, stay as they were."""
    for sub in router.chain_tail:  # the router itself and every router below it
        for observer in sub.observers.values():
            for handler in observer.handlers:
                for flt in handler.filters or ():
                    if not flt.awaitable:
                        flt.callback = _awaited(flt.callback)
                        flt.awaitable = True


def _awaited(check: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    async def in_place(*args: Any, **kwargs: Any) -> Any:
        return check(*args, **kwargs)

    return in_place


async def register_commands(bot: Bot, settings: Settings, editors: Iterable[int] = ()) -> None:
    """Russian descriptions for everyone; editors also see the admin commands, owners
    (ADMIN_IDS) also /editors."""
    await bot.set_my_commands(commands_of(None), scope=BotCommandScopeDefault())
    for admin_id in sorted(settings.admin_ids):
        await set_commands_for(bot, admin_id, "owner")
    for editor_id in sorted(set(editors) - settings.admin_ids):
        await set_commands_for(bot, editor_id, "editor")
