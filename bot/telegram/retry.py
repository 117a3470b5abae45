"""Retries of Telegram requests, once for every send: a session request middleware.

Why in the session: every reply — the crisis reply, the apology, a calendar file, a callback
answer, an edit — goes through `bot.session`, so one middleware gives all of them the same
retries and handlers stay a plain `await bot.send_message(...)`. Before it, one 429 or one
5xx lost a reply (the crisis reply included: the person got the apology instead).

What is retried, and why only that:

- 429 Too Many Requests: Telegram refused the request and says when to come back
  (`retry_after`); nothing was sent, so sending again cannot duplicate;
- 5xx: Telegram failed the request; retried with a growing pause (RETRY_BACKOFF, doubled);
- a connection that could not be made (refused, DNS, connect timeout): nothing left the bot.

Never retried: a request whose outcome is unknown — the answer did not come in time
(TELEGRAM_TIMEOUT) or the connection broke after the request was sent. Telegram may well
have delivered the message and only its answer is late: a reply answered after 65 s reached
the person twice when it was sent again. Once is the rule; the handler fails as before and
the error handler's apology (which carries 112 and the helpline) follows.

Bounds: at most RETRY_ATTEMPTS tries and RETRY_MAX_WAIT seconds of waiting per request; a
`retry_after` longer than the wait left is not waited for — the caller gets the error at
once instead of a handler hanging for minutes.

The outbox sender keeps its own per-chat schedule: sleeping inside one chat's request would
hold up every other subscriber, so it sends inside `no_retries()`. Long polling (getUpdates)
has aiogram's own backoff and is left alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiohttp import ClientConnectorError, ConnectionTimeoutError

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)

RETRY_ATTEMPTS = 3  # tries of one request, the first included
RETRY_MAX_WAIT = 30.0  # seconds of waiting between tries, at most, per request
RETRY_BACKOFF = 0.5  # first pause after a 5xx; doubled for each further try

_enabled: ContextVar[bool] = ContextVar("telegram_retries", default=True)


@contextmanager
def no_retries() -> Iterator[None]:
    """Requests made inside fail at once: the caller keeps its own retry schedule."""
    token = _enabled.set(False)
    try:
        yield
    finally:
        _enabled.reset(token)


def never_sent(exc: TelegramNetworkError) -> bool:
    """True when the request cannot have reached Telegram: the connection was never made.

    aiogram wraps aiohttp's error (its `__cause__`); a timeout or a broken connection after
    connecting leaves the outcome unknown and is False here.
    """
    return isinstance(exc.__cause__, (ClientConnectorError, ConnectionTimeoutError))


class RetryRequests(BaseRequestMiddleware):
    def __init__(
        self,
        attempts: int = RETRY_ATTEMPTS,
        max_wait: float = RETRY_MAX_WAIT,
        backoff: float = RETRY_BACKOFF,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.attempts = attempts
        self.max_wait = max_wait
        self.backoff = backoff
        self.sleep = sleep

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if not _enabled.get() or isinstance(method, GetUpdates):
            return await make_request(bot, method)
        waited = 0.0
        attempt = 1
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                error: Exception = exc
                delay = float(exc.retry_after)
            except TelegramServerError as exc:
                error = exc
                delay = self.backoff * 2 ** (attempt - 1)
            except TelegramNetworkError as exc:
                if not never_sent(exc):
                    raise  # may have been delivered: once is the rule (see the docstring)
                error = exc
                delay = self.backoff * 2 ** (attempt - 1)
            if attempt >= self.attempts or waited + delay > self.max_wait:
                raise error
            log.warning(
                "%s failed (%s), try %d of %d in %.1f s",
                method.__api_method__,
                type(error).__name__,
                attempt + 1,
                self.attempts,
                delay,
            )
            await self.sleep(delay)
            waited += delay
            attempt += 1
