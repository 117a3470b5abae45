"""Filters of the routers in handlers/: who may use admin commands."""

from aiogram.filters import BaseFilter
from aiogram.types import CallbackQuery, Message

from bot.settings import Settings


class IsAdmin(BaseFilter):
    """True for the Telegram ids in ADMIN_IDS (settings injected by the dispatcher)."""

    async def __call__(self, event: Message | CallbackQuery, settings: Settings) -> bool:
        user = event.from_user
        return user is not None and user.id in settings.admin_ids
