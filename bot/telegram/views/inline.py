"""Inline mode: `@bot запрос` lists matching articles and cards to share in any chat."""

from __future__ import annotations

from aiogram.types import (
    InlineQueryResultArticle,
    InlineQueryResultUnion,
    InputTextMessageContent,
)

from bot.domain.answers import Answer
from bot.telegram.formatting import plain_text, split_message
from bot.telegram.views.answers import render_answer
from bot.telegram.views.common import short

INLINE_RESULTS = 10


def render_inline(found: list[tuple[str, Answer]]) -> list[InlineQueryResultUnion]:
    """One result per (title, answer): the first message part, and a plain description."""
    results: list[InlineQueryResultUnion] = []
    for title, answer in found[:INLINE_RESULTS]:
        reply = render_answer(answer)
        text = split_message(reply.text)[0]
        plain_lines = [line for line in reply.text.split("\n")[1:] if line.strip()]
        description = short(plain_text(" ".join(plain_lines)), 120)
        doc = answer.subject
        results.append(
            InlineQueryResultArticle(
                id=f"{doc.kind}-{doc.key}" if doc else str(len(results)),
                title=short(title, 100),
                description=description or None,
                input_message_content=InputTextMessageContent(message_text=text, parse_mode="HTML"),
            )
        )
    return results
