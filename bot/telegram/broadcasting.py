"""Following a broadcast the outbox is sending: the admin's message edited as it goes, then
the final count.

The sending itself is the outbox sender's (paced, once-only, surviving restarts); this only
reads the broadcast's rows every POLL seconds and edits one message when the numbers moved.
It runs in the handler of «Отправить» (updates are handled as tasks, so nothing waits for
it). After a restart nobody follows an unfinished broadcast any more: the messages still go
out, and /broadcast shows the counts.
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.domain.broadcasts import BroadcastDesk, Progress
from bot.telegram.views import broadcast as views

log = logging.getLogger(__name__)

POLL = 1.0  # seconds between two looks at the outbox
STALL = 600.0  # nothing moved for this long: the sender is not running; stop following


async def _show(bot: Bot, chat_id: int, message_id: int, text: str) -> None:
    """Edit the progress message; a failure (the admin deleted it, Telegram's limits) must
    never stop the following, and the broadcast does not depend on it."""
    try:
        await bot.edit_message_text(text=text, chat_id=chat_id, message_id=message_id)
    except TelegramAPIError as exc:
        log.info("broadcast progress not shown: %s", exc)


async def follow(
    bot: Bot,
    desk: BroadcastDesk,
    broadcast_id: int,
    admin_id: int,
    chat_id: int,
    message_id: int,
    poll: float = POLL,
    stall: float = STALL,
) -> Progress:
    """Show the progress in (chat_id, message_id) until every message is delivered or
    given up; then mark the broadcast done (audited) and show the final count."""
    if desk.sender is None:  # the local chat or a script: no sender runs in this process
        progress = await desk.progress(broadcast_id)
        await _show(bot, chat_id, message_id, views.queued_text(broadcast_id, progress))
        return progress
    shown, last, moved_at = "", None, time.monotonic()
    while True:
        progress = await desk.progress(broadcast_id)
        if progress.done:
            await desk.finish(admin_id, broadcast_id, progress)
            await _show(bot, chat_id, message_id, views.progress_text(broadcast_id, progress))
            return progress
        if progress != last:
            last, moved_at = progress, time.monotonic()
        elif time.monotonic() - moved_at > stall:
            await _show(bot, chat_id, message_id, views.stalled_text(broadcast_id, progress))
            return progress
        text = views.progress_text(broadcast_id, progress)
        if text != shown:
            await _show(bot, chat_id, message_id, text)
            shown = text
        await asyncio.sleep(poll)
