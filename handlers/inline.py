"""Inline queries: up to 10 articles or cards, each with a short description."""

from aiogram import Router
from aiogram.types import InlineQuery

from bot.domain.answering import Answerer
from bot.telegram.views.inline import INLINE_RESULTS, render_inline


def make_router() -> Router:
    router = Router(name="inline")
    router.inline_query.register(inline)
    return router


async def inline(query: InlineQuery, answerer: Answerer) -> None:
    found = await answerer.share(query.query, limit=INLINE_RESULTS)
    await query.answer(render_inline(found), cache_time=60, is_personal=False)
