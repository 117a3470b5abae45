"""The person's region as people read it: the /region choice, what was kept, /forget."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, KeyboardButton, ReplyKeyboardMarkup

from bot.domain.regions import Forgotten, Region, RegionChoice
from bot.telegram.callbacks import RegionPick, RegionSubscribe
from bot.telegram.formatting import esc
from bot.telegram.views import texts
from bot.telegram.views.common import Reply, short
from bot.telegram.views.menu import main_keyboard


def render_prompt(current: str | None, popular: tuple[Region, ...]) -> Reply:
    """What /region shows: the region kept now (if any) and the popular ones as buttons,
    two a row; any other region is typed."""
    text = texts.REGION_PROMPT
    if current:
        text = f"Сейчас ваш регион: <b>{esc(current)}</b>.\n\n{text}"
    buttons = [
        InlineKeyboardButton(text=short(r.name, 40), callback_data=RegionPick(code=r.code).pack())
        for r in popular
    ]
    return Reply(text, [buttons[i : i + 2] for i in range(0, len(buttons), 2)], kind="region")


def location_keyboard(specialist: bool) -> ReplyKeyboardMarkup:
    """The main menu with «📍 Отправить геопозицию» on top: it may stay under the input
    field (sharing again only updates the region), and the menu is never lost."""
    menu = main_keyboard(specialist)
    share = KeyboardButton(text=texts.BUTTON_SEND_LOCATION, request_location=True)
    return ReplyKeyboardMarkup(
        keyboard=[[share], *menu.keyboard],
        resize_keyboard=True,
        input_field_placeholder="Город или регион…",
    )


def render_chosen(choice: RegionChoice) -> Reply:
    """The region kept; from a location, which centre was nearest (and that the point was
    not kept); an offer to subscribe to its events unless the chat already is."""
    region = f"<b>{esc(choice.region)}</b>"
    if choice.km is not None:
        near = f"ближе всего {esc(choice.centre)}, " if choice.centre else ""
        first = f"По геопозиции {near}ваш регион — {region}. {texts.REGION_COORDINATES_DROPPED}"
    else:
        first = f"Запомнил ваш регион: {region}."
    text = f"{first}\n{texts.REGION_EVENTS_FIRST}\n{texts.REGION_CHANGE_HINT}"
    buttons = []
    if not choice.subscribed:
        buttons.append(
            [
                InlineKeyboardButton(
                    text=texts.BUTTON_SUBSCRIBE_REGION, callback_data=RegionSubscribe().pack()
                )
            ]
        )
    return Reply(text, buttons, kind="region")


def render_not_a_place(text: str, asked: bool = False) -> Reply:
    """A text that names no place we know: typed after /region (`asked`: it was tried as a
    question too, and found nothing) or after /region itself. Like every «не нашёл», it
    carries the helpline."""
    lines = [texts.REGION_NOT_FOUND.format(text=esc(short(text, 60))), ""]
    if asked:
        lines.append(texts.REGION_NOT_A_QUESTION)
    lines.append(texts.REGION_HELPLINE)
    return Reply("\n".join(lines), kind="region")


def render_unchanged(text: str) -> Reply:
    """After a question answered while /region waited for a place."""
    return Reply(texts.REGION_UNCHANGED.format(text=esc(short(text, 40))), kind="region")


def render_forgotten(forgotten: Forgotten) -> Reply:
    if forgotten.region is None:
        return Reply(texts.FORGET_NOTHING, kind="region")
    text = texts.FORGET_DONE.format(region=f"<b>{esc(forgotten.region)}</b>")
    if forgotten.subscribed:
        text += "\n" + texts.FORGET_SUBSCRIPTION_LEFT
    return Reply(text, kind="region")
