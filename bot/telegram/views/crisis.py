"""The crisis reply: 112 and the helpline first, in bold; then the category's kind words.

Which lines, in which order and voice, the domain decides (`bot.domain.answering.
crisis_answer`); this view only sets them out. Never «не нашёл».
"""

from __future__ import annotations

from bot.domain.answers import CrisisAnswer
from bot.telegram.formatting import esc
from bot.telegram.views.common import HELPLINE, Reply, open_button


def render_crisis(answer: CrisisAnswer) -> Reply:
    parts = [f"<b>{esc(line)}</b>" for line in answer.urgent]
    parts += [esc(line) for line in answer.words]
    return Reply(
        "\n\n".join(parts),
        [[open_button("Детский телефон доверия — подробнее", HELPLINE)]],
        kind="crisis",
    )


def lead_line(text: str) -> str:
    """The helpline line that leads a reply to a message that only reads as distress."""
    return f"<b>{esc(text)}</b>"
