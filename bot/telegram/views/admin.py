"""Admin views: what an upload understood, the article list, deletion, statistics."""

from __future__ import annotations

import datetime as dt

from aiogram.types import InlineKeyboardButton

from bot.articles.dates import format_date_range
from bot.articles.ingest import IngestOutcome
from bot.domain.admin import PAGE, STATS_WEEKS, ArticlePage, ArticleView, Stats
from bot.domain.handoff import HandoffStats
from bot.store.base import ArticleRow, DocRef
from bot.telegram.callbacks import ArticlesPage, DeleteArticle
from bot.telegram.formatting import esc
from bot.telegram.views.articles import site_name
from bot.telegram.views.centres import plural
from bot.telegram.views.common import Reply, human_date, open_button, page_nav, short


def shown_date(article: ArticleRow) -> str:
    """The publication date, or the upload date marked as such — never an event's date."""
    if article.published:
        return article.published.strftime("%d.%m.%Y")
    try:
        added = dt.datetime.fromisoformat(article.created_at).date()
    except ValueError:
        return "дата не указана"
    return f"добавлено {added:%d.%m.%Y}"


def shown_source(url: str | None, name: str | None = None) -> str:
    """Where the article comes from: the site's domain, the credited name, or «не указан»."""
    if url:
        return site_name(url)
    return name or "источник не указан"


def events_word(n: int) -> str:
    return f"{n} {plural(n, 'мероприятие', 'мероприятия', 'мероприятий')}"


def render_outcome(outcome: IngestOutcome) -> Reply:
    if outcome.error:
        return Reply(f"Не сохранил: {esc(outcome.error)}")
    if outcome.duplicate_of:
        return Reply(
            f"Такая статья уже есть: #{outcome.duplicate_of}",
            [[open_button("Открыть", DocRef.article(outcome.duplicate_of))]],
        )
    parsed = outcome.parsed
    assert parsed is not None and outcome.article_id is not None
    lines = [
        f"Сохранил статью #{outcome.article_id}",
        f"<b>{esc(parsed.title)}</b>",
        f"Дата: {esc(human_date(parsed.published)) if parsed.published else 'не указана'}",
        f"Источник: {esc(shown_source(parsed.source_url, parsed.source_name))}",
        f"Места: {esc(', '.join(parsed.places) or 'не найдены')}",
    ]
    if parsed.events:
        lines.append("Мероприятия:")
        for e in parsed.events:
            place = f", {e.place}" if e.place else ""
            when = format_date_range(e.start, e.end, e.time)
            lines.append(f"• {esc(e.title)} — {esc(when)}{esc(place)}")
    else:
        lines.append("Мероприятия с датами: не найдены")
    lines.append(f"Кратко: {esc(short(parsed.summary, 600))}")
    aid = outcome.article_id
    return Reply(
        "\n".join(lines),
        [
            [
                open_button("Открыть", DocRef.article(aid)),
                InlineKeyboardButton(
                    text="Удалить", callback_data=DeleteArticle(article_id=aid).pack()
                ),
            ]
        ],
    )


def render_article_page(page: ArticlePage) -> Reply:
    if not page.articles:
        return Reply("Статей нет." if page.offset == 0 else "Дальше статей нет.")
    lines = [f"Статьи (всего {page.total}), новые сверху:"]
    for a in page.articles:
        facts = [shown_date(a), shown_source(a.source_url, a.source_name)]
        facts.append(events_word(page.events.get(a.id, 0)))
        lines.append(f"#{a.id} · {esc(' · '.join(facts))} · {esc(short(a.title, 90))}")
    lines.append("Подробнее о статье: /article номер")
    nav = page_nav(
        page.offset,
        PAGE,
        page.has_more,
        lambda at: ArticlesPage(offset=at).pack(),
        back="← Новее",
        more="Старее →",
    )
    return Reply("\n".join(lines), [nav] if nav else [])


def render_article_view(article_id: int, view: ArticleView | None) -> Reply:
    """One article as stored: what the pipeline read, for an editor to check."""
    if view is None:
        return Reply(f"Статьи #{article_id} нет.")
    a = view.article
    published = (
        f"Опубликовано: {human_date(a.published)}"
        if a.published
        else f"Дата публикации не найдена ({shown_date(a)})"
    )
    lines = [
        f"Статья #{a.id}",
        f"<b>{esc(a.title)}</b>",
        esc(published),
        f"Источник: {esc(a.source_url or a.source_name or 'не указан')}",
        f"Места: {esc(', '.join(a.places) or 'не найдены')}",
    ]
    if view.events:
        lines.append(f"Мероприятия ({len(view.events)}):")
        for e in view.events:
            when = format_date_range(e.start, e.end, _event_time(e.time))
            place = f", {e.place}" if e.place else ""
            lines.append(f"• {esc(e.title)} — {esc(when)}{esc(place)}")
    else:
        lines.append("Мероприятия с датами: не найдены")
    lines.append(f"Кратко: {esc(a.summary or '—')}")
    delete = DeleteArticle(article_id=a.id).pack()
    return Reply(
        "\n".join(lines),
        [
            [
                open_button("Открыть", DocRef.article(a.id)),
                InlineKeyboardButton(text="Удалить", callback_data=delete),
            ]
        ],
    )


def _event_time(stored: str | None) -> dt.time | None:
    try:
        return dt.time.fromisoformat(stored) if stored else None
    except ValueError:
        return None


def render_confirm_delete(article_id: int, article: ArticleRow | None) -> Reply:
    if article is None:
        return Reply(f"Статьи #{article_id} нет.")
    confirm = DeleteArticle(article_id=article_id, confirm=True).pack()
    return Reply(
        f"Удалить статью #{article_id} «{esc(short(article.title, 100))}»? "
        "Она уйдёт из поиска, мероприятий и уведомлений.",
        [[InlineKeyboardButton(text="Да, удалить", callback_data=confirm)]],
    )


def deleted_text(article_id: int, deleted: bool) -> str:
    if not deleted:
        return f"Статьи #{article_id} нет — возможно, её уже удалили."
    return f"Статья #{article_id} удалена."


def render_stats(stats: Stats) -> Reply:
    q = stats.queries
    lines = [
        "<b>Статистика</b>",
        f"Статей: {stats.articles}",
        f"Мероприятий: {stats.events}",
        f"Подписчиков: {stats.subscribers}",
        f"Вопросов за 7 дней: {q['total']} (кризисных обращений: {q['crisis']})",
    ]
    if q["top"]:
        lines.append("\nЧастые вопросы:")
        lines += [f"• {esc(short(t, 80))} — {n}" for t, n in q["top"]]
    if q["missed"]:
        lines.append("\nНе нашлось ответа (о чём написать):")
        lines += [f"• {esc(short(t, 80))} — {n}" for t, n in q["missed"]]
    lines += missed_share_lines(stats)
    lines += rating_lines(stats)
    lines += handoff_lines(stats.handoffs)
    if stats.audit:
        lines.append("\nДействия администраторов:")
        lines += [
            f"• {esc(ts[:16].replace('T', ' '))} {aid}: {esc(action)} {esc(short(detail, 60))}"
            for ts, aid, action, detail in stats.audit
        ]
    return Reply("\n".join(lines))


def missed_share_lines(stats: Stats) -> list[str]:
    """The share of «не нашёл» week by week (weeks from Monday, oldest first)."""
    if not any(w.total for w in stats.weeks):
        return []
    lines = [f"\nНе нашлось ответа, по неделям (последние {STATS_WEEKS}):"]
    for week in stats.weeks:
        start = week.start.strftime("%d.%m")
        if not week.total:
            lines.append(f"• с {start}: вопросов не было")
            continue
        share = round(100 * week.missed / week.total)
        lines.append(f"• с {start}: {share} % ({week.missed} из {week.total})")
    return lines


def rating_lines(stats: Stats) -> list[str]:
    """👍 / 👎 per article or card, the most 👎 first (details in /review)."""
    if not stats.ratings:
        return []
    lines = [
        f"\nОценки ответов за {STATS_WEEKS} недель (больше всего 👎 сверху, разбор — /review):"
    ]
    lines += [f"• {esc(short(r.title, 70))} — 👍 {r.up} 👎 {r.down}" for r in stats.ratings]
    return lines


def handoff_lines(handoffs: HandoffStats | None) -> list[str]:
    """Conversations handed to specialists in the last days and how long people waited for
    the first answer (the median); nothing when no support chat is set."""
    if handoffs is None:
        return []
    lines = [f"\nРазговоров со специалистами за 7 дней: {handoffs.opened}"]
    if handoffs.opened:
        lines.append(f"С ответом специалиста: {handoffs.answered}")
    if handoffs.median_first_reply_s is not None:
        minutes = max(1, round(handoffs.median_first_reply_s / 60))
        lines.append(f"Ждали первого ответа (медиана): {minutes} мин")
    return lines
