"""Inline mode: `@bot запрос` lists matching articles and cards to share in any chat."""

from __future__ import annotations

from aiogram.types import InlineQueryResultArticle, InputTextMessageContent

from bot.domain.answering import Answerer
from bot.telegram.formatting import plain_text, split_message
from bot.telegram.views.common import short

MAX_RESULTS = 10


async def inline_results(answerer: Answerer, query: str) -> list[InlineQueryResultArticle]:
    query = query.strip()
    if not query:
        docs = ["c:helpline", "c:mfc", "c:emergency"]
    else:
        result = await answerer.search.search(query, limit=MAX_RESULTS)
        docs = [h.doc for h in result.hits] if result.found else []
    titles = await answerer.titles(docs)
    results = []
    for doc in docs[:MAX_RESULTS]:
        reply = await answerer.render_doc(doc)
        text = split_message(reply.text)[0]
        plain_lines = [line for line in reply.text.split("\n")[1:] if line.strip()]
        description = short(plain_text(" ".join(plain_lines)), 120)
        results.append(
            InlineQueryResultArticle(
                id=doc.replace(":", "-"),
                title=short(titles.get(doc, "Материал"), 100),
                description=description or None,
                input_message_content=InputTextMessageContent(message_text=text, parse_mode="HTML"),
            )
        )
    return results
