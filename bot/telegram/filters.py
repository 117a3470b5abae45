"""Filters of the routers in handlers/: admins, the support chat, open conversations."""

from typing import Any

from aiogram.filters import BaseFilter
from aiogram.types import CallbackQuery, Message

from bot.domain.handoff import HandoffDesk
from bot.domain.roles import Roles
from bot.settings import Settings


class IsAdmin(BaseFilter):
    """True for owners (ADMIN_IDS) and editors (kept in the store): who may upload, list and
    delete articles, work /review and read /stats. `roles` is injected by the dispatcher."""

    async def __call__(self, event: Message | CallbackQuery, roles: Roles) -> bool:
        user = event.from_user
        return user is not None and await roles.role(user.id) is not None


class IsOwner(BaseFilter):
    """True for owners only (ADMIN_IDS): who may add and remove editors."""

    async def __call__(self, event: Message | CallbackQuery, roles: Roles) -> bool:
        user = event.from_user
        return user is not None and roles.is_owner(user.id)


class InSupportChat(BaseFilter):
    """A message or button in the specialists' supergroup (SUPPORT_CHAT_ID), from a person."""

    async def __call__(self, event: Message | CallbackQuery, settings: Settings) -> bool:
        chat = event.chat if isinstance(event, Message) else getattr(event.message, "chat", None)
        user = event.from_user
        return (
            settings.support_chat_id is not None
            and chat is not None
            and chat.id == settings.support_chat_id
            and user is not None
            and not user.is_bot
        )


class InConversation(BaseFilter):
    """A private message from a person whose conversation with a specialist is open; hands
    the conversation to the handler as `handoff`."""

    async def __call__(self, message: Message, handoffs: HandoffDesk) -> bool | dict[str, Any]:
        if message.chat.type != "private" or not handoffs.enabled:
            return False
        handoff = await handoffs.current(message.chat.id)
        return {"handoff": handoff} if handoff is not None else False
