"""Errors: log the exception, tell the user something short rather than stay silent.

By the time an error arrives here the failed request was already retried (429, 5xx: see
bot/retry.py). The apology carries 112 and the helpline because the reply it stands in for
may have been the crisis reply: the numbers must reach the person either way. A reply whose
answer came too late may in fact have been delivered; an apology after it is the price of
never leaving someone in danger with nothing.
"""

import logging

from aiogram import Router
from aiogram.types import ErrorEvent

from bot.telegram.views.texts import APOLOGY

__all__ = ["APOLOGY", "make_router"]

log = logging.getLogger(__name__)


def make_router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    return router


async def on_error(event: ErrorEvent) -> bool:
    log.exception("update %s failed", event.update.update_id, exc_info=event.exception)
    update = event.update
    try:
        if update.message:
            await update.message.answer(APOLOGY)
        elif update.callback_query:
            await update.callback_query.answer(APOLOGY, show_alert=True)
    except Exception:  # the apology itself failed (network): nothing more to do
        log.warning("could not send the apology for update %s", update.update_id)
    return True
