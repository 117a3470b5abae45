"""Errors: log the exception, tell the user something short rather than stay silent."""

import logging

from aiogram import Router
from aiogram.types import ErrorEvent

router = Router(name="errors")
log = logging.getLogger(__name__)

APOLOGY = (
    "Извините, что-то пошло не так. Попробуйте ещё раз чуть позже.\n"
    "Если нужна помощь сейчас — Детский телефон доверия 8-800-2000-122 (бесплатно), "
    "опасность — 112."
)


@router.error()
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
