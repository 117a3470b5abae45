"""What tests in every folder share: the project's paths, and how a test reads an answer
the way a person would see it (the domain's data, rendered)."""

from __future__ import annotations

from pathlib import Path

from bot.domain.answers import DocRef
from bot.telegram.views.answers import render_answer
from bot.telegram.views.common import Reply

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = ROOT / "data"
FIXTURES = ROOT / "tests" / "fixtures"


async def reply_to(app, text: str, chat_id: int | None = None, log_query: bool = False) -> Reply:
    """The reply to `text` as the bot would send it (crisis check, routing, search)."""
    return render_answer(await app.answerer.answer(text, chat_id=chat_id, log_query=log_query))


async def doc_reply(app, doc: DocRef | str, result=None) -> Reply:
    """A document (`DocRef` or its text form «c:mfc») rendered as a reply."""
    ref = doc if isinstance(doc, DocRef) else DocRef.parse(doc)
    assert ref is not None, doc
    return render_answer(await app.answerer.document(ref, result))
