"""Admin work: uploads, the article list, deletion and statistics — with audit records."""

from __future__ import annotations

import datetime as dt
import io

from aiogram import Bot
from aiogram.types import InlineKeyboardButton

from bot.app import App
from bot.articles.dates import format_date_range
from bot.articles.ingest import IngestOutcome
from bot.articles.limits import too_large_message
from bot.telegram.callbacks import ArticlesPage, DeleteArticle
from bot.telegram.formatting import esc
from bot.telegram.views.common import Reply, human_date, open_button, short

TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile refuses larger files
PAGE = 10
ALLOWED_EXTENSIONS = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")


def upload_limit(app: App) -> int:
    return min(TELEGRAM_DOWNLOAD_LIMIT, app.upload_limit())


def check_upload(app: App, filename: str, size: int | None) -> str | None:
    """Refuse before downloading: unknown format or too large. None when acceptable."""
    name = (filename or "").lower()
    if not name.endswith(ALLOWED_EXTENSIONS):
        ext = "." + name.rsplit(".", 1)[-1] if "." in name else "без расширения"
        return f"Формат {esc(ext)} не поддерживается: пришлите .txt, .md, .html, .docx или .pdf."
    limit = upload_limit(app)
    if size is not None and size > limit:
        return too_large_message(size, limit)
    return None


class UploadTooLarge(Exception):
    """The file turned out larger than the upload limit; the message is the refusal."""


class _BoundedBuffer(io.BytesIO):
    """A download destination that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.size = 0

    def write(self, chunk) -> int:  # type: ignore[override]
        self.size += len(chunk)
        if self.size > self.limit:
            raise UploadTooLarge(too_large_message(None, self.limit))
        return super().write(chunk)


async def download(bot: Bot, file_id: str, limit: int) -> bytes:
    """The file's bytes, counted as they arrive; ``UploadTooLarge`` past ``limit``.

    ``file_size`` is optional in the Bot API (in the message and in getFile), so the limit
    cannot rest on it: a file without it is stopped at the limit, not read whole.
    """
    file = await bot.get_file(file_id)
    if file.file_size is not None and file.file_size > limit:
        raise UploadTooLarge(too_large_message(file.file_size, limit))
    buffer = _BoundedBuffer(limit)
    await bot.download_file(file.file_path or "", destination=buffer)
    return buffer.getvalue()


async def add_text(app: App, admin_id: int, text: str) -> Reply:
    if not text.strip():
        return Reply(
            "Пустой /add: напишите текст статьи после команды (первая строка — заголовок) "
            "или пришлите файл."
        )
    return await add_document(app, admin_id, text.encode("utf-8"), "message.txt")


async def add_document(app: App, admin_id: int, data: bytes, filename: str) -> Reply:
    outcome = await app.add_article(data, filename, origin=f"admin:{admin_id}")
    await app.store.audit(admin_id, "add", _audit_detail(outcome))
    return render_outcome(outcome)


def _audit_detail(outcome: IngestOutcome) -> str:
    if outcome.error:
        return f"{outcome.name}: refused: {outcome.error}"
    if outcome.duplicate_of:
        return f"{outcome.name}: duplicate of #{outcome.duplicate_of}"
    return f"{outcome.name}: stored #{outcome.article_id}"


def render_outcome(outcome: IngestOutcome) -> Reply:
    if outcome.error:
        return Reply(f"Не сохранил: {esc(outcome.error)}")
    if outcome.duplicate_of:
        return Reply(
            f"Такая статья уже есть: #{outcome.duplicate_of}",
            [[open_button("Открыть", f"a:{outcome.duplicate_of}")]],
        )
    parsed = outcome.parsed
    assert parsed is not None and outcome.article_id is not None
    lines = [
        f"Сохранил статью #{outcome.article_id}",
        f"<b>{esc(parsed.title)}</b>",
        f"Дата: {esc(human_date(parsed.published)) if parsed.published else 'не указана'}",
        f"Источник: {esc(parsed.source_url or 'не указан')}",
        f"Места: {esc(', '.join(parsed.places) or 'не найдены')}",
    ]
    if parsed.events:
        lines.append("Мероприятия:")
        for e in parsed.events:
            place = f", {e.place}" if e.place else ""
            lines.append(f"• {esc(e.title)} — {esc(_when(e))}{esc(place)}")
    else:
        lines.append("Мероприятия с датами: не найдены")
    lines.append(f"Кратко: {esc(short(parsed.summary, 600))}")
    aid = outcome.article_id
    return Reply(
        "\n".join(lines),
        [
            [
                open_button("Открыть", f"a:{aid}"),
                InlineKeyboardButton(
                    text="Удалить", callback_data=DeleteArticle(article_id=aid).pack()
                ),
            ]
        ],
    )


def _when(event) -> str:
    return format_date_range(event.start, event.end, event.time)


async def list_articles(app: App, offset: int = 0) -> Reply:
    offset = max(0, offset)
    rows = await app.store.list_articles(offset, PAGE + 1)
    total = await app.store.count("articles")
    if not rows:
        return Reply("Статей нет." if offset == 0 else "Дальше статей нет.")
    lines = [f"Статьи (всего {total}), новые сверху:"]
    for a in rows[:PAGE]:
        date = a.published.strftime("%d.%m.%Y") if a.published else "без даты"
        lines.append(f"#{a.id} · {date} · {esc(short(a.title, 90))}")
    nav = []
    if offset > 0:
        nav.append(
            InlineKeyboardButton(
                text="← Новее", callback_data=ArticlesPage(offset=max(0, offset - PAGE)).pack()
            )
        )
    if len(rows) > PAGE:
        nav.append(
            InlineKeyboardButton(
                text="Старее →", callback_data=ArticlesPage(offset=offset + PAGE).pack()
            )
        )
    return Reply("\n".join(lines), [nav] if nav else [])


def parse_article_id(arg: str | None) -> int | None:
    arg = (arg or "").strip().lstrip("#")
    return int(arg) if arg.isascii() and arg.isdigit() and len(arg) < 12 else None


async def confirm_delete(app: App, article_id: int) -> Reply:
    article = await app.store.get_article(article_id)
    if article is None:
        return Reply(f"Статьи #{article_id} нет.")
    return Reply(
        f"Удалить статью #{article_id} «{esc(short(article.title, 100))}»? "
        "Она уйдёт из поиска, мероприятий и уведомлений.",
        [
            [
                InlineKeyboardButton(
                    text="Да, удалить",
                    callback_data=DeleteArticle(article_id=article_id, confirm=True).pack(),
                )
            ]
        ],
    )


async def delete_article(app: App, admin_id: int, article_id: int) -> str:
    deleted = await app.delete_article(article_id)
    if not deleted:
        return f"Статьи #{article_id} нет — возможно, её уже удалили."
    await app.store.audit(admin_id, "delete", f"#{article_id}")
    return f"Статья #{article_id} удалена."


async def stats(app: App, admin_id: int) -> Reply:
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=7)
    q = await app.store.query_stats(since)
    lines = [
        "<b>Статистика</b>",
        f"Статей: {await app.store.count('articles')}",
        f"Мероприятий: {await app.store.count('events')}",
        f"Подписчиков: {await app.store.count_subscribers()}",
        f"Вопросов за 7 дней: {q['total']} (кризисных обращений: {q['crisis']})",
    ]
    if q["top"]:
        lines.append("\nЧастые вопросы:")
        lines += [f"• {esc(short(t, 80))} — {n}" for t, n in q["top"]]
    if q["missed"]:
        lines.append("\nНе нашлось ответа (о чём написать):")
        lines += [f"• {esc(short(t, 80))} — {n}" for t, n in q["missed"]]
    audit = await app.store.recent_audit(10)
    if audit:
        lines.append("\nДействия администраторов:")
        lines += [
            f"• {esc(ts[:16].replace('T', ' '))} {aid}: {esc(action)} {esc(short(detail, 60))}"
            for ts, aid, action, detail in audit
        ]
    await app.store.audit(admin_id, "stats")
    return Reply("\n".join(lines))
