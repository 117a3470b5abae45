"""The /services overview: one line per card, a button to open each."""

from bot.replies import Reply, open_button
from bot.telegram_text import esc


def render_services(cards: dict[str, dict]) -> Reply:
    lines = ["<b>Службы помощи семьям и детям</b>"]
    for card in cards.values():
        phone = f" — <b>{esc(card['phone'])}</b>" if card.get("phone") else ""
        lines.append(f"• {esc(card['title'])}{phone}")
    lines.append("\nНажмите, чтобы узнать подробнее:")
    buttons = [[open_button(card["title"], f"c:{card_id}")] for card_id, card in cards.items()]
    return Reply("\n".join(lines), buttons)
