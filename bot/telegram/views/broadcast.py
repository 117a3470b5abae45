"""Announcements as admins and recipients read them: the announcement itself, the preview
with «Отправить» / «Отмена», the progress and the final count, the usage and problems."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton

from bot.domain.broadcasts import Audience, Draft, Problem, Progress
from bot.store.base import BroadcastRow
from bot.telegram.callbacks import BroadcastAct
from bot.telegram.formatting import esc
from bot.telegram.views import texts
from bot.telegram.views.common import Reply, short

STATUS = {
    "draft": "не отправлена",
    "sending": "отправляется",
    "done": "отправлена",
    "cancelled": "отменена",
}


def announcement(text: str) -> str:
    """What each recipient gets: a heading, the admin's text as written (escaped: it is
    plain text, never markup), how to stop such messages."""
    return f"{texts.BROADCAST_HEADING}\n\n{esc(text)}\n\n{texts.BROADCAST_FOOTER}"


def audience_text(audience: Audience) -> str:
    parts = ["подписчики"]
    if audience.region:
        parts.append(f"в регионе {esc(audience.region)}")
    if audience.topic:
        parts.append(f"с подпиской на тему «{esc(audience.topic)}»")
    if len(parts) == 1:
        return "все подписчики"
    return " ".join(parts)


def render_preview(draft: Draft) -> Reply:
    """Under the announcement shown as recipients will see it: to whom, how many, and the
    two buttons. Nothing is sent before «Отправить»."""
    text = (
        f"Предпросмотр рассылки №{draft.id} — выше, так её увидят получатели.\n"
        f"Кому: {audience_text(draft.audience)}.\n"
        f"Получателей сейчас: <b>{draft.recipients}</b>.\n"
        "Отправить?"
    )
    buttons = [
        [
            InlineKeyboardButton(
                text=texts.BUTTON_BROADCAST_SEND.format(count=draft.recipients),
                callback_data=BroadcastAct(act="send", broadcast_id=draft.id).pack(),
            ),
            InlineKeyboardButton(
                text=texts.BUTTON_BROADCAST_CANCEL,
                callback_data=BroadcastAct(act="cancel", broadcast_id=draft.id).pack(),
            ),
        ]
    ]
    return Reply(text, buttons, kind="broadcast")


def render_problem(problem: Problem) -> Reply:
    template = texts.BROADCAST_PROBLEMS[problem.reason]
    text = template.format(
        value=esc(short(problem.value, 60)), audience=audience_text(problem.audience)
    )
    return Reply(text, kind="broadcast")


def progress_text(broadcast_id: int, progress: Progress) -> str:
    """The progress message, edited as the outbox works; the final count when done."""
    if not progress.done:
        handled = progress.delivered + progress.blocked + progress.failed
        return (
            f"Рассылка №{broadcast_id}: отправляю… {handled} из {progress.total}\n"
            f"Доставлено: {progress.delivered}, заблокировали бота: {progress.blocked}, "
            f"ошибки: {progress.failed}"
        )
    return (
        f"Рассылка №{broadcast_id} завершена.\n"
        f"Доставлено: <b>{progress.delivered}</b> из {progress.total}\n"
        f"Заблокировали бота или удалили чат: {progress.blocked}\n"
        f"Не доставлено из-за ошибок: {progress.failed}"
    )


def stalled_text(broadcast_id: int, progress: Progress) -> str:
    """When the outbox has not moved for long (the sender is not running): what is known,
    and where to look later."""
    return (
        f"{progress_text(broadcast_id, progress)}\n"
        f"Ещё в очереди: {progress.pending} — отправка продолжится; итог: /broadcast"
    )


def queued_text(broadcast_id: int, progress: Progress) -> str:
    """No outbox sender runs in this process (the local chat): the messages wait for the bot."""
    return (
        f"Рассылка №{broadcast_id} в очереди: {progress.pending} сообщ. Их отправит "
        "запущенный бот (make run); итог: /broadcast"
    )


def cancelled_text(broadcast_id: int) -> str:
    return f"Рассылка №{broadcast_id} отменена: никому не отправлена."


def render_usage(recent: list[tuple[BroadcastRow, Progress]]) -> Reply:
    """/broadcast without text: how to write one, and the latest ones with their counts."""
    lines = [texts.BROADCAST_USAGE]
    if recent:
        lines.append("\n<b>Последние рассылки:</b>")
        for row, progress in recent:
            who = audience_text(Audience(row.region, row.topic))
            counts = ""
            if row.status in ("sending", "done"):
                counts = (
                    f": доставлено {progress.delivered} из {progress.total}, "
                    f"заблокировали {progress.blocked}, ошибки {progress.failed}"
                    + (f", в очереди {progress.pending}" if progress.pending else "")
                )
            lines.append(
                f"№{row.id} ({esc(row.created_at[:10])}, {who}) — {STATUS.get(row.status, '')}"
                f"{counts}. «{esc(short(row.text, 50))}»"
            )
    return Reply("\n".join(lines), kind="broadcast")
