"""The crisis reply: 112 and the helpline first, in plain kind words; never «не нашёл».

The two numbers always come first, in the order the category asks for (a threat to life
leads with 112, despair and bullying with the helpline); then the category's own words,
for a child («ты») or for an adult writing about a child («вы»).
"""

from __future__ import annotations

from bot.domain.crisis import CrisisDetector, CrisisMatch
from bot.telegram.formatting import esc
from bot.telegram.views.common import Reply, open_button


def render_crisis(detector: CrisisDetector, match: CrisisMatch) -> Reply:
    words = detector.reply
    category = detector.category(match.category)
    adult = match.adult
    danger = words["danger_adult" if adult else "danger"]
    helpline = words["helpline_adult" if adult else "helpline"]
    first = [danger, helpline]
    if category is not None and category.lead == "helpline":
        first.reverse()
    parts = [f"<b>{esc(line)}</b>" for line in first]
    if category is not None:
        parts.append(esc(category.reply_adult if adult else category.reply))
    if not adult:
        parts.append(esc(words["adult"]))
    return Reply(
        "\n\n".join(parts), [[open_button("Детский телефон доверия — подробнее", "c:helpline")]]
    )


def soft_line(detector: CrisisDetector) -> str:
    """The helpline line that leads a reply to a message that only reads as distress."""
    return f"<b>{esc(detector.reply['soft'])}</b>"
