"""Subscriptions to new events: the replies to /subscribe and /unsubscribe."""

from __future__ import annotations

from bot.domain.events import clean_topic
from bot.store import Store
from bot.telegram.formatting import esc


async def subscribe_reply(store: Store, chat_id: int, topic: str) -> str:
    topic = clean_topic(topic)
    created = await store.subscribe(chat_id, topic)
    about = f"о мероприятиях по теме «{esc(topic)}»" if topic else "обо всех новых мероприятиях"
    if not created:
        return f"Вы уже подписаны {about}. Отписаться: /unsubscribe"
    return (
        f"Готово: буду присылать сообщения {about} и напоминать за несколько дней до начала.\n"
        "Отписаться: /unsubscribe"
    )


async def unsubscribe_reply(store: Store, chat_id: int) -> str:
    removed = await store.unsubscribe(chat_id)
    if not removed:
        return "У вас нет подписок. Подписаться: /subscribe или /subscribe Тюмень"
    return "Подписка отменена — больше не буду присылать уведомления."
