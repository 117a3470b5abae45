"""aiogram routers, one module per user-facing area; `setup_routers` wires them in order.

Order matters: admin commands and callbacks first, the free-text search last, and the
catch-all for stickers, photos and the like after it.
"""

from aiogram import Dispatcher

from bot.settings import Settings
from handlers import admin, common, errors, events, inline, other, search, services


def setup_routers(dp: Dispatcher, settings: Settings) -> None:
    dp.include_routers(
        errors.router,
        common.router,
        admin.router,
        services.router,
        events.router,
        search.router,
        inline.router,
        other.router,
    )
