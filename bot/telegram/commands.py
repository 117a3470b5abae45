"""The command menu each person sees: everyone the user commands; editors also the admin
commands; owners also /editors. Set per chat, so it follows a role as it changes."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BotCommand, BotCommandScopeChat

from bot.domain.roles import Role
from bot.telegram.views.texts import ADMIN_COMMANDS, OWNER_COMMANDS, USER_COMMANDS

log = logging.getLogger(__name__)


def commands_of(role: Role | None) -> list[BotCommand]:
    pairs = list(USER_COMMANDS)
    if role is not None:
        pairs += ADMIN_COMMANDS
    if role == "owner":
        pairs += OWNER_COMMANDS
    return [BotCommand(command=c, description=d) for c, d in pairs]


async def set_commands_for(bot: Bot, user_id: int, role: Role | None) -> None:
    """The menu of one person's chat with the bot (None: back to everyone's). A person who
    has not opened the bot yet has no chat: logged, and set at the next start."""
    try:
        await bot.set_my_commands(commands_of(role), scope=BotCommandScopeChat(chat_id=user_id))
    except TelegramBadRequest as exc:
        log.warning("commands not set for %s: %s", user_id, exc.message)
