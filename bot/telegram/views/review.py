"""The editors' queue as messages: a page of groups with their buttons, the link picker, the
outcomes; and the /editors list. No id of anyone who asked or rated exists to show."""

from __future__ import annotations

import datetime as dt

from aiogram.types import InlineKeyboardButton

from bot.domain.review import PAGE, LinkChoice, LinkOutcome, QueuePage, ReviewGroup
from bot.domain.roles import EditorChange, Team
from bot.store.base import DocRef
from bot.telegram.callbacks import REF_MAX, ReviewAct, ReviewLink, ReviewPage
from bot.telegram.formatting import esc
from bot.telegram.views import texts
from bot.telegram.views.common import Reply, open_button, page_nav, short


def _day(moment: dt.datetime) -> str:
    return moment.strftime("%d.%m.%Y")


def _when(group: ReviewGroup) -> str:
    first, last = _day(group.first), _day(group.last)
    return first if first == last else f"{first} — {last}"


def _counts(group: ReviewGroup) -> str:
    parts = []
    if group.missed:
        parts.append(f"не нашлось: {group.missed}")
    if group.disliked:
        why = ", ".join(f"{texts.REVIEW_REASONS[r]}: {n}" for r, n in group.reasons.items())
        parts.append(f"👎: {group.disliked}" + (f" ({why})" if why else ""))
    return " · ".join(parts)


def _wording(group: ReviewGroup) -> str:
    return f"«{esc(short(group.wording, 120))}»" if group.wording else texts.REVIEW_NO_QUESTION


def render_queue(page: QueuePage, titles: dict[DocRef, str]) -> Reply:
    """Groups of the page, the most frequent first; per group: link, handled, open what a 👎
    answer showed."""
    if not page.groups:
        return Reply(texts.REVIEW_EMPTY)
    pages = (page.total + PAGE - 1) // PAGE
    lines = [
        f"<b>Очередь редакторов</b>: групп {page.total}, стр. {page.offset // PAGE + 1} из {pages}",
        "Вопросы без ответа и ответы с 👎, частые сверху.",
    ]
    buttons: list[list[InlineKeyboardButton]] = []
    for number, group in enumerate(page.groups, start=page.offset + 1):
        lines.append(f"\n<b>{number}.</b> {_wording(group)} — {group.count}")
        lines.append(f"{_counts(group)} · {_when(group)}")
        if group.shown:
            shown = ", ".join(f"«{esc(short(titles.get(d, str(d)), 60))}»" for d in group.shown[:2])
            lines.append(f"показан ответ: {shown}")
        if group.variants:
            lines.append("ещё так: " + ", ".join(f"«{esc(short(v, 60))}»" for v in group.variants))
        row = []
        if group.linkable:
            link = ReviewAct(act="l", source=group.source, row=group.row).pack()
            row.append(InlineKeyboardButton(text=f"{number}: связать", callback_data=link))
        done = ReviewAct(act="h", source=group.source, row=group.row).pack()
        row.append(InlineKeyboardButton(text=f"{number}: готово", callback_data=done))
        if group.shown:
            row.append(open_button(f"{number}: открыть", group.shown[0]))
        buttons.append(row)
    nav = page_nav(page.offset, PAGE, page.has_more, lambda at: ReviewPage(offset=at).pack())
    if nav:
        buttons.append(nav)
    return Reply("\n".join(lines), buttons)


def render_choices(choice: LinkChoice) -> Reply:
    group = choice.group
    also = f" и ещё {len(group.keys) - 1} похожих" if len(group.keys) > 1 else ""
    lines = [
        f"С чем связать {_wording(group)}{also}? Такой вопрос будет находить этот материал.",
        texts.REVIEW_ASK_NUMBER,
    ]
    buttons = []
    for doc, title in choice.candidates:
        if len(doc.key) > REF_MAX:
            continue
        label = f"Карточка: {title}" if doc.is_card else f"#{doc.key} {title}"
        data = ReviewLink(source=group.source, row=group.row, kind=doc.kind, ref=doc.key).pack()
        buttons.append([InlineKeyboardButton(text=short(label, 60), callback_data=data)])
    return Reply("\n".join(lines), buttons)


def render_link(outcome: LinkOutcome) -> Reply:
    if outcome.status == "gone" or outcome.group is None:
        return Reply(texts.REVIEW_GONE)
    if outcome.status == "not_linkable":
        return Reply(texts.REVIEW_NO_WORDS)
    if outcome.status == "no_doc":
        return Reply(texts.REVIEW_NO_DOC)
    assert outcome.doc is not None
    return Reply(
        f"Готово: {_wording(outcome.group)} → «{esc(short(outcome.title, 100))}». "
        "Такой вопрос теперь находит этот материал; из очереди убрал.",
        [[open_button("Открыть материал", outcome.doc)]],
    )


def render_team(team: Team) -> Reply:
    lines = ["<b>Владельцы</b> (ADMIN_IDS): " + (", ".join(map(str, team.owners)) or "нет")]
    if team.editors:
        lines.append("<b>Редакторы</b>:")
        lines += [
            f"• {e.user_id} — с {esc(e.added_at[:10])}, добавил {e.added_by}" for e in team.editors
        ]
    else:
        lines.append("Редакторов нет.")
    lines.append("")
    lines.append(texts.EDITORS_USAGE)
    return Reply("\n".join(lines))


def render_editor_change(change: EditorChange, user_id: int | None) -> Reply:
    who = str(user_id)
    return Reply(
        {
            "added": f"Добавил редактора {who}. Ему доступны /add, /articles, /delete, /review, "
            "/stats.",
            "removed": f"Убрал редактора {who}.",
            "already": f"{who} уже редактор.",
            "absent": f"{who} не был редактором.",
            "owner": f"{who} — владелец (ADMIN_IDS): это меняется только в настройках.",
            "invalid": texts.EDITORS_USAGE,
        }[change]
    )
