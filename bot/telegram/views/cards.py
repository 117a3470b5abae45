"""Service cards as messages: the card itself (whole or focused) and the /services list."""

from __future__ import annotations

import datetime as dt

from bot.store.base import DocRef
from bot.telegram.formatting import esc
from bot.telegram.views.common import Reply, human_date, open_button, url_button


def phone_line(card: dict) -> str:
    """The number as people write it, and in +7 form, which Telegram makes tappable."""
    line = f"☎️ <b>{esc(card['phone'])}</b>"
    if card.get("dial"):
        line += f" (позвонить: {esc(card['dial'])})"
    return line


def render_card(card: dict, focus: list[str] | None = None) -> Reply:
    """The whole card, or — when `focus` holds the facts that answer the question — those
    facts first and a button for the rest."""
    lines = [f"<b>{esc(card['title'])}</b>"]
    if card.get("phone"):
        lines.append(phone_line(card))
    if focus:
        lines += [f"• {esc(fact)}" for fact in focus]
        lines.append(esc(card["summary"]))
    else:
        lines.append(esc(card["summary"]))
        lines += [f"• {esc(fact)}" for fact in card.get("facts", [])]
    lines.append(
        f"<i>По данным на {esc(human_date(dt.date.fromisoformat(card['as_of'])))}. "
        f"Источник: {esc(card['source'])}</i>"
    )
    buttons = [[url_button(link["text"], link["url"])] for link in card.get("links", [])]
    if focus:
        buttons.insert(0, [open_button("Всё о службе", DocRef.card(card["id"]))])
    return Reply("\n".join(lines), buttons, kind="card")


def render_services(cards: dict[str, dict]) -> Reply:
    lines = ["<b>Службы помощи семьям и детям</b>"]
    for card in cards.values():
        phone = f" — <b>{esc(card['phone'])}</b>" if card.get("phone") else ""
        lines.append(f"• {esc(card['title'])}{phone}")
    lines.append("\nНажмите, чтобы узнать подробнее:")
    buttons = [
        [open_button(card["title"], DocRef.card(card_id))] for card_id, card in cards.items()
    ]
    return Reply("\n".join(lines), buttons)
