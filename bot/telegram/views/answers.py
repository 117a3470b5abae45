"""One place that turns any domain answer into the message a person sees.

Every door — free text, /search, the menu, «open» buttons, the local chat, `ask`,
inline mode, the eval — renders through `render_answer`, so they cannot disagree.
"""

from __future__ import annotations

from bot.domain.answers import (
    Answer,
    ArticleAnswer,
    ArticleGone,
    CardAnswer,
    CrisisAnswer,
    EventAnswer,
    EventsAnswer,
    NoNextEvent,
    NotFound,
    ServicesAnswer,
    SmallTalkAnswer,
)
from bot.domain.centres import CentresAnswer
from bot.telegram.views.articles import more_buttons, render_article
from bot.telegram.views.cards import render_card, render_services
from bot.telegram.views.centres import render_centres
from bot.telegram.views.common import Reply, render_not_found, render_smalltalk
from bot.telegram.views.crisis import lead_line, render_crisis
from bot.telegram.views.events import render_event_answer, render_events, render_no_next_event
from bot.telegram.views.feedback import rating_row
from bot.telegram.views.texts import ARTICLE_GONE


def _body(answer: Answer) -> Reply:
    match answer:
        case CrisisAnswer():
            return render_crisis(answer)
        case SmallTalkAnswer():
            return render_smalltalk(answer.text)
        case CardAnswer():
            return render_card(answer.card, answer.focus)
        case ArticleAnswer():
            return render_article(answer.article, answer.sentences)
        case ArticleGone():
            return Reply(ARTICLE_GONE)
        case EventsAnswer():
            return render_events(answer)
        case EventAnswer():
            return render_event_answer(answer)
        case NoNextEvent():
            return render_no_next_event()
        case ServicesAnswer():
            return render_services(answer.cards)
        case NotFound():
            return render_not_found()
        case CentresAnswer():
            return render_centres(answer)
    raise TypeError(f"no view for {type(answer).__name__}")


def render_answer(answer: Answer, answer_id: int | None = None) -> Reply:
    """The answer as a message; with `answer_id` (the answer as recorded for rating, see
    `bot.domain.feedback`) a 👍 / 👎 row under it. Pure: recording is the caller's."""
    reply = _body(answer)
    reply.subject = answer.subject
    if answer.more:
        reply.buttons.extend(more_buttons(answer.more))
    if answer_id is not None:
        reply.buttons.append(rating_row(answer_id))
    if answer.lead:
        reply.text = f"{lead_line(answer.lead)}\n\n{reply.text}"
    return reply
