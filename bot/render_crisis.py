"""The crisis reply: 112 and the helpline first, in plain kind words; never «не нашёл»."""

from __future__ import annotations

from bot.crisis import CrisisDetector
from bot.replies import Reply, open_button
from bot.telegram_text import esc


def render_crisis(detector: CrisisDetector) -> Reply:
    words = detector.reply
    text = "\n\n".join(
        [
            f"<b>{esc(words['danger'])}</b>",
            f"<b>{esc(words['helpline'])}</b>",
            esc(words["support"]),
            esc(words["adult"]),
        ]
    )
    return Reply(text, [[open_button("Детский телефон доверия — подробнее", "c:helpline")]])
