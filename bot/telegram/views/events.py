"""Event lists and calendar files as people read them."""

from __future__ import annotations

import datetime as dt

from aiogram.types import InlineKeyboardButton

from bot.articles.dates import format_date_range
from bot.articles.extract_events import kind_title
from bot.domain.answers import EventAnswer, EventsAnswer
from bot.domain.events import PAGE_SIZE, EventListing
from bot.domain.subscriptions import Subscribed
from bot.store.base import EventRow
from bot.telegram.callbacks import TOPIC_MAX, EventIcs, EventsPage
from bot.telegram.formatting import esc, esc_attr
from bot.telegram.views import texts
from bot.telegram.views.common import Reply, page_nav, short
from bot.telegram.views.texts import NO_NEXT_EVENT, NOTICE_HEADERS


def event_when(event: EventRow) -> str:
    time = dt.time.fromisoformat(event.time) if event.time else None
    return format_date_range(event.start, event.end, time)


def event_line(event: EventRow) -> str:
    kind = kind_title(event.kind)
    parts = [f"<b>{esc(event_when(event))}</b> — {esc(kind)}"]
    if event.place:
        parts.append(f"📍 {esc(event.place)}")
    parts.append(esc(short(event.title, 120)))
    if event.sentence and event.sentence.strip() != event.title.strip():
        parts.append(f"<i>{esc(short(event.sentence, 320))}</i>")
    parts.append(source_line(event))
    return "\n".join(parts)


def source_line(event: EventRow) -> str:
    """Where the event comes from: the article, linked when it has a source URL."""
    title = esc(short(event.article_title, 80))
    if event.source_url:
        return f'Источник: <a href="{esc_attr(event.source_url)}">{title}</a>'
    return f"Источник: статья «{title}»"


def planned_line(event: EventRow) -> str:
    """A next stop announced without dates."""
    parts = [f"<b>даты уточняются</b> — {esc(kind_title(event.kind))}"]
    if event.place:
        parts.append(f"📍 {esc(event.place)}")
    parts.append(source_line(event))
    return "\n".join(parts)


def calendar_button(event: EventRow) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=f"📅 В календарь: {short(event_when(event), 40)}",
        callback_data=EventIcs(event_id=event.id).pack(),
    )


def render_event(event: EventRow) -> Reply:
    """One event (a follow-up «а где?», «а следующая?»), with its calendar button."""
    text = planned_line(event) if event.status == "planned" else event_line(event)
    return Reply(text, [[calendar_button(event)]], kind="event")


def render_event_answer(answer: EventAnswer) -> Reply:
    """Events a follow-up asked about: one in full, several one line each."""
    if len(answer.events) == 1:
        return render_event(answer.events[0])
    reply = _page("", answer.events, 0, "", False)
    reply.text = reply.text.lstrip()
    reply.kind = "event"
    return reply


def render_no_next_event() -> Reply:
    return Reply(NO_NEXT_EVENT, kind="event")


def render_events(answer: EventsAnswer) -> Reply:
    listing, today, offset, past = answer.listing, answer.today, answer.offset, answer.past
    reply = _render_events(listing, today, offset, past)
    reply.kind = "events"
    if not past and offset == 0 and listing.planned:
        planned = "\n\n".join(planned_line(e) for e in listing.planned[:PAGE_SIZE])
        reply.text += f"\n\n<b>Запланированы, даты уточняются:</b>\n\n{planned}"
    return reply


def _render_events(listing: EventListing, today: dt.date, offset: int, past: bool) -> Reply:
    topic = listing.topic
    events = listing.past if past else listing.upcoming
    label = f" по запросу «{esc(short(topic, 40))}»" if topic else ""
    if not events and not past:
        if not listing.past:
            if listing.planned:
                return Reply(f"Мероприятий с известными датами{label} пока нет.")
            return Reply(
                f"Ближайших мероприятий{label} не нашёл, и прошедших тоже.\n"
                "Попробуйте /events без уточнений или подпишитесь: /subscribe"
            )
        header = (
            f"Ближайших мероприятий{label} пока нет (на {esc(today.strftime('%d.%m.%Y'))}).\n"
            "Последние прошедшие:"
        )
        return _page(header, listing.past, 0, topic, True)
    header = (
        f"Прошедшие мероприятия{label}:"
        if past
        else f"Ближайшие мероприятия{label} (на {esc(today.strftime('%d.%m.%Y'))}):"
    )
    region = None if past else listing.region
    return _page(header, events, offset, topic, past, region, listing.local)


def _page(
    header: str,
    events: list[EventRow],
    offset: int,
    topic: str,
    past: bool,
    region: str | None = None,
    local: int = 0,
) -> Reply:
    """A page of the list. With the person's `region`, the first `local` events are in it:
    each group is headed where it starts and at the top of a page."""
    offset = max(0, min(offset, max(len(events) - 1, 0)))
    chunk = events[offset : offset + PAGE_SIZE]
    blocks = [header]
    for index, event in enumerate(chunk, start=offset):
        if region is not None:
            blocks.extend(_region_headings(index, offset, local, region))
        blocks.append(event_line(event))
    buttons: list[list[InlineKeyboardButton]] = [[calendar_button(e)] for e in chunk]
    cut_topic = topic[:TOPIC_MAX]
    nav = page_nav(
        offset,
        PAGE_SIZE,
        offset + PAGE_SIZE < len(events),
        lambda at: EventsPage(offset=at, topic=cut_topic, past=past).pack(),
    )
    if nav:
        buttons.append(nav)
    return Reply("\n\n".join(blocks), buttons)


def _region_headings(index: int, offset: int, local: int, region: str) -> list[str]:
    """Headings before the event at `index`: «В вашем регионе (…)» over the region's events,
    «В других регионах» over the rest (with a line saying the region has none)."""
    name = esc(region)
    if index < local:
        return [f"<b>{texts.EVENTS_IN_REGION.format(region=name)}</b>"] if index == offset else []
    if index != local and index != offset:
        return []
    none_here = [texts.EVENTS_NONE_IN_REGION.format(region=name)] if local == 0 == index else []
    return [*none_here, f"<b>{texts.EVENTS_ELSEWHERE}</b>"]


def subscribed_text(result: Subscribed | None) -> str:
    """/subscribe's answer; None: «/subscribe регион» from a chat that told no region."""
    if result is None:
        return texts.REGION_FIRST
    topic = result.topic
    about = f"о мероприятиях по теме «{esc(topic)}»" if topic else "обо всех новых мероприятиях"
    if result.region:
        about = f"о мероприятиях в вашем регионе ({esc(topic)})"
    if not result.created:
        return f"Вы уже подписаны {about}. Отписаться: /unsubscribe"
    return (
        f"Готово: буду присылать сообщения {about} и напоминать за несколько дней до начала.\n"
        "Отписаться: /unsubscribe"
    )


def unsubscribed_text(removed: int) -> str:
    if not removed:
        return "У вас нет подписок. Подписаться: /subscribe или /subscribe Тюмень"
    return "Подписка отменена — больше не буду присылать уведомления."


def render_notice(notice: str, event: EventRow) -> Reply:
    """A subscriber's notification: what kind of notice, the event, a calendar button."""
    button = InlineKeyboardButton(
        text="📅 В календарь", callback_data=EventIcs(event_id=event.id).pack()
    )
    return Reply(f"{NOTICE_HEADERS[notice]}\n\n{event_line(event)}", [[button]])
