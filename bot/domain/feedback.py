"""👍 / 👎 on answers: which answer was rated, by whom only as a keyed hash, and why.

An article or card answer is recorded when it is sent (`record`): what it showed (the
DocRef) and the wording it answered, redacted exactly as the query log keeps it. The
buttons carry only that row's id. Not recorded: crisis replies, small talk, event lists,
«не нашёл» (the queue has the query log for those), and any answer led by the helpline
line — a message that reads as distress is never stored (see `Answerer.answer`), and a
person in distress is not asked to grade the reply. `Answerer.answer` itself records
nothing: the eval and inline mode call it too.

Who rated is kept as HMAC-SHA256(key, "<user id>:<answer id>"): one rating per person per
answer (a second press replaces the first), yet no Telegram id in the database, and one
person's ratings cannot be linked to each other (the hash differs per answer). The key is
derived from BOT_TOKEN: a secret that is already required, never stored in the database and
masked in every log line, so a copy of the database alone cannot be searched for a given
user (Telegram ids are few enough to try them all against an unkeyed or stored salt). The
price: after the token is rotated at @BotFather a person could rate an old answer once more.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.domain.answers import Answer, ArticleAnswer, CardAnswer
from bot.domain.privacy import redact
from bot.store import Store

Reason = Literal["wrong", "old", "unclear", "other"]
REASONS: tuple[Reason, ...] = ("wrong", "old", "unclear", "other")
_KEY_LABEL = b"family-support-bot/ratings/v1"


def rater_key(secret: str) -> bytes:
    """The key of the raters' hashes, derived from a secret (the bot token)."""
    return hmac.new(secret.encode(), _KEY_LABEL, hashlib.sha256).digest()


@dataclass(frozen=True)
class Rated:
    """What a press did: `known` False for an answer that is not (or no longer) stored."""

    known: bool
    changed: bool = False


class Feedback:
    def __init__(self, store: Store, key: bytes, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self._key = key
        self.clock = clock

    @staticmethod
    def rateable(answer: Answer) -> bool:
        return isinstance(answer, ArticleAnswer | CardAnswer) and not answer.lead

    async def record(self, answer: Answer, question: str | None = None) -> int | None:
        """Keep an article or card answer as given; its id for the rating buttons, or None
        for an answer that is not rated. `question`: the wording it answered (None when a
        button opened it)."""
        if not self.rateable(answer) or answer.subject is None:
            return None
        wording = redact(question.strip()) if question else ""
        return await self.store.record_answer(answer.subject, wording, self.clock())

    def rater(self, user_id: int, answer_id: int) -> str:
        message = f"{user_id}:{answer_id}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    async def rate(self, user_id: int, answer_id: int, up: bool) -> Rated:
        known, previous = await self.store.rate_answer(
            answer_id, self.rater(user_id, answer_id), 1 if up else -1, self.clock()
        )
        return Rated(known, known and previous != (1 if up else -1))

    async def explain(self, user_id: int, answer_id: int, reason: Reason) -> bool:
        """Why the person gave 👎; False unless they did give this answer a 👎."""
        return await self.store.set_rating_reason(answer_id, self.rater(user_id, answer_id), reason)
