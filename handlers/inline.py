"""Inline queries: up to 10 articles or cards, each with a short description."""

from aiogram import Router
from aiogram.types import InlineQuery

from bot.domain.answering import Answerer
from bot.telegram.views.inline import inline_results

router = Router(name="inline")


@router.inline_query()
async def inline(query: InlineQuery, answerer: Answerer) -> None:
    results = await inline_results(answerer, query.query)
    await query.answer(results, cache_time=60, is_personal=False)
