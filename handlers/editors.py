"""/editors (owners only): the team; /editors add <id>, /editors remove <id>. An editor is
told only owners manage editors; anyone else gets the admin refusal."""

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.domain.roles import Roles, parse_user_id
from bot.telegram.commands import set_commands_for
from bot.telegram.filters import IsAdmin, IsOwner
from bot.telegram.send import send_reply
from bot.telegram.views import review as views
from bot.telegram.views import texts


def make_router() -> Router:
    router = Router(name="editors")
    router.message.register(editors, Command("editors"), IsOwner())
    router.message.register(not_owner, Command("editors"), IsAdmin())
    router.message.register(refuse, Command("editors"))
    return router


async def refuse(message: Message) -> None:
    await message.answer(texts.admin_refusal(message.from_user.id if message.from_user else None))


async def not_owner(message: Message) -> None:
    await message.answer(texts.OWNER_ONLY)


async def editors(message: Message, command: CommandObject, bot: Bot, roles: Roles) -> None:
    assert message.from_user is not None  # the filter saw to it
    verb, _, rest = (command.args or "").strip().partition(" ")
    if not verb:
        await send_reply(bot, message.chat.id, views.render_team(await roles.team()))
        return
    user_id = parse_user_id(rest)
    owner = message.from_user.id
    if verb.lower() in ("add", "добавить"):
        change = await roles.add_editor(owner, user_id)
    elif verb.lower() in ("remove", "del", "убрать", "удалить"):
        change = await roles.remove_editor(owner, user_id)
    else:
        change = "invalid"
    if user_id is not None and change in ("added", "removed"):
        await set_commands_for(bot, user_id, "editor" if change == "added" else None)
    await send_reply(bot, message.chat.id, views.render_editor_change(change, user_id))
