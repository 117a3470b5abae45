"""A fake Telegram Bot API that is as strict as Telegram, for what the bot calls.

Why: the bot's handlers are tested through the real aiogram ``Dispatcher``. Mocking ``Bot``
methods would let through exactly the bugs that only show up in production: unescaped ``<``
in HTML, a message longer than 4096 UTF-16 units, a ``callback_data`` over 64 bytes, an edit
that changes nothing, a button URL with a space. This fake keeps Telegram's state (chats,
messages, files, pending callback and inline queries, supergroups and their forum topics),
applies the checks of ``tests/telegram_checks.py``, answers with Telegram's status codes and
wording, records every call for assertions, and can inject the failures a real bot meets
(429 with ``retry_after``, 403 "bot was blocked", 400 "chat not found", 5xx, a group
migrated to a supergroup, an answer that comes late, Telegram's sending limits).

Two transports reach the same methods (``FakeBotAPI.call``), so they cannot disagree:

- HTTP on 127.0.0.1, like ``api.telegram.org`` (``async with FakeBotAPI() as api``), with
  long polling (``getUpdates``) and file downloads — for the end-to-end tests, the soak and
  the benchmark, which drive the bot's real ``AiohttpSession`` or a real ``python -m bot``;
- ``tests/inprocess.py``: an aiogram session that calls ``FakeBotAPI.call`` directly, for the
  bot tests (no server, no polling; ``on_update`` hands each pushed update to the test).

Only the Bot API methods the bot uses are served (``getMe``, ``getUpdates``, ``setWebhook``,
``setMyCommands``, ``sendMessage``, ``editMessageText``, ``sendDocument``,
``answerCallbackQuery``, ``answerInlineQuery``, ``getFile`` and the file download; for the
hand-off to a specialist: ``copyMessage``, ``forwardMessage``, ``createForumTopic``,
``editForumTopic``, ``closeForumTopic``, ``reopenForumTopic``, ``deleteForumTopic``); any
other answers 404 "method not found", so a new call in the bot shows up as an error in the
tests until the fake learns it.

Chats and topics, as Telegram has them (see "chats, topics" below): private chats exist as
soon as they are used; a staff supergroup is declared with ``add_supergroup(chat_id, title,
is_forum=...)``. In a forum the bot creates topics (``createForumTopic``; the topic's id,
``message_thread_id``, is the id of its «forum_topic_created» service message); every
message in a topic carries ``message_thread_id`` and ``is_topic_message``, and — Telegram's
quirk — a message in a topic that replies to nothing carries that service message as its
``reply_to_message``. ``messages_in(chat_id, thread_id)`` is what a chat (or one topic)
shows; ``topics[chat_id][thread_id]`` what became of each topic; ``delete_topic`` /
``close_topic`` are a specialist doing it in the app.

Usage::

    async with FakeBotAPI() as api:
        bot = api.bot()                       # aiogram Bot pointed at the fake
        api.push_message("/start", chat_id=42)
        ...start the dispatcher polling with ``bot``...
        call = await api.wait_for("sendMessage", lambda c: c.params["chat_id"] == 42)
        assert api.errors == []
        await api.close_bot(bot)
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import mimetypes
import re
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from tests.telegram_checks import (
    MESSAGE_CONTENT_KINDS,
    TOPIC_ICON_COLORS,
    ApiError,
    EntityParseError,
    bad,
    check_callback_answer,
    check_commands,
    check_inline_results,
    check_reply_markup,
    check_text,
    check_topic_icon_color,
    clean_topic_name,
    is_service_message,
    parse_html,
    reply_parameters,
    utf16_len,
)

__all__ = [
    "TEST_TOKEN",
    "ApiError",
    "Call",
    "EntityParseError",
    "FakeBotAPI",
    "ForumTopicRecord",
    "SentDocument",
    "UploadedFile",
    "parse_html",
    "utf16_len",
]

#: A token of the shape Telegram issues; aiogram's own token validation accepts it too.
TEST_TOKEN = "123456789:AAFakeTokenForTests_0123456789abcdefXYZ"

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # bots may upload up to 50 MB
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # ...and download up to 20 MB via getFile

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
THREAD_NOT_FOUND = "message thread not found"

#: What a copy (copyMessage) or a forward (forwardMessage) takes from the original message.
COPIED_FIELDS = frozenset(MESSAGE_CONTENT_KINDS) | {
    "entities", "caption", "caption_entities", "has_media_spoiler", "show_caption_above_media",
    "link_preview_options",
}
#: What a forward keeps of the original's origin when the original was itself a forward.
FORWARD_FIELDS = ("forward_origin", "forward_from", "forward_from_chat", "forward_date",
                  "forward_sender_name", "forward_signature", "forward_from_message_id")
#: Scopes of setMyCommands the bot uses, and the fields each one needs.
COMMAND_SCOPES = {"default": (), "chat": ("chat_id",)}

#: Form fields that are always plain strings: never JSON-decode them even if the text looks
#: like a number or ``true`` (a user may well send the text "42").
STRING_FIELDS = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "inline_query_id", "url",
        "file_id", "document", "secret_token", "next_offset", "name", "icon_custom_emoji_id",
    }
)


# --------------------------------------------------------------------------- records


@dataclass
class UploadedFile:
    """A file part of a request."""

    filename: str | None
    content: bytes
    content_type: str | None = None


@dataclass
class Call:
    """One request the bot made, as seen by the fake, with the answer it got."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    time: float
    response: dict[str, Any]
    status: int = 200
    token: str = ""
    #: The error was injected by the test (fail_next / block_chat / missing_chat).
    injected: bool = False

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def error(self) -> str | None:
        """Telegram's description of the error, None if the call succeeded."""
        return None if self.ok else self.response.get("description")

    @property
    def error_code(self) -> int | None:
        return None if self.ok else self.response.get("error_code")

    def __repr__(self) -> str:
        shown = {k: v for k, v in self.params.items() if k not in ("reply_markup", "results")}
        args = ", ".join(f"{k}={_short(v)}" for k, v in shown.items())
        outcome = "ok" if self.ok else f"{self.status} {self.error}"
        return f"<Call {self.method}({args}) -> {outcome}>"


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class SentDocument:
    """A document the bot uploaded with sendDocument."""

    chat_id: int
    filename: str | None
    content: bytes
    caption: str | None
    mime_type: str | None


@dataclass
class ForumTopicRecord:
    """A forum topic of a supergroup: created by the bot (createForumTopic) or by a person
    (``add_topic``), and what became of it since (``api.topics[chat_id][message_thread_id]``)."""

    chat_id: int
    message_thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    created_by_bot: bool = True
    closed: bool = False
    deleted: bool = False

    def forum_topic(self) -> dict[str, Any]:
        """The ForumTopic object of the Bot API."""
        topic: dict[str, Any] = {
            "message_thread_id": self.message_thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            topic["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return topic


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    content: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    size_known: bool = True  # False: file_size left out of the update and of getFile


@dataclass
class _StoredMessage:
    message: dict[str, Any]
    from_bot: bool

    def content_key(self) -> tuple[Any, ...]:
        m = self.message
        return (
            m.get("text"),
            json.dumps(m.get("entities", []), sort_keys=True),
            json.dumps(m.get("reply_markup"), sort_keys=True),
        )


@dataclass
class _Rule:
    """An injected failure (``error`` set) or late answer (``seconds`` set) for the next
    ``remaining`` calls of ``method`` (to ``chat_id`` if given)."""

    method: str
    chat_id: int | None
    remaining: int
    error: ApiError | None = None
    seconds: float = 0.0

    def take(self, rules: list[_Rule], method: str, chat_id: Any) -> bool:
        if self.method != method or (self.chat_id is not None and self.chat_id != chat_id):
            return False
        self.remaining -= 1
        if self.remaining <= 0:
            rules.remove(self)
        return True


@dataclass
class _RateLimit:
    per_chat_per_sec: int
    global_per_sec: int
    sent: deque[tuple[float, int]] = field(default_factory=deque)


@dataclass
class _Ctx:
    method: str
    token: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    gated: bool = False


def coerce(key: str, value: Any) -> Any:
    """Form fields arrive as strings; decode JSON ones (objects, arrays, numbers, booleans)."""
    if not isinstance(value, str) or key in STRING_FIELDS:
        return value
    s = value.strip()
    if s and (s[0] in "{[" or s in ("true", "false", "null") or re.fullmatch(r"-?\d+(\.\d+)?", s)):
        try:
            return json.loads(s)
        except ValueError:
            return value
    return value


def _inline_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Telegram echoes only inline keyboards in the returned Message."""
    if markup and "inline_keyboard" in markup and any(markup["inline_keyboard"]):
        return {"inline_keyboard": markup["inline_keyboard"]}
    return None


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _as_reply(message: dict[str, Any]) -> dict[str, Any]:
    """A message as the ``reply_to_message`` of another: without its own reply (Telegram
    nests one level only)."""
    nested = _copy(message)
    nested.pop("reply_to_message", None)
    return nested


# --------------------------------------------------------------------------- the fake


class FakeBotAPI:
    """In-process fake of ``api.telegram.org`` (see the module docstring for why)."""

    DEFAULT_USER_ID = 100001
    DEFAULT_GROUP_ID = -1001000000001

    def __init__(
        self,
        *,
        bot_first_name: str = "Тестовый бот",
        bot_username: str = "test_family_bot",
        host: str = "127.0.0.1",
    ) -> None:
        self.bot_first_name = bot_first_name
        self.bot_username = bot_username
        self.host = host
        self.base_url = ""

        self.calls: list[Call] = []
        self.documents: list[SentDocument] = []
        self.webhook: dict[str, Any] | None = None
        #: When set, each pushed update is handed to it instead of waiting for getUpdates
        #: (the in-process session of tests/inprocess.py).
        self.on_update: Callable[[dict[str, Any]], None] | None = None

        self._runner: web.AppRunner | None = None
        self._closing = False
        self._last_token = TEST_TOKEN  # whose bot "sent" the messages push_callback makes up
        self._waiters: list[asyncio.Future[None]] = []

        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] | None = None

        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[int, dict[int, _StoredMessage]] = {}
        self._last_message_id: dict[int, int] = {}
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_seq = 0
        self._query_seq = 0
        self._callback_queries: dict[str, bool] = {}  # id -> answered
        self._inline_queries: dict[str, bool] = {}
        #: Forum topics per supergroup: chat id -> message_thread_id -> what became of it.
        self.topics: dict[int, dict[int, ForumTopicRecord]] = {}

        self._failures: list[_Rule] = []
        self._delays: list[_Rule] = []
        self._blocked: set[int] = set()
        self._missing_chats: set[int] = set()
        self._migrated: dict[int, int] = {}  # group id -> supergroup id
        self._rate: _RateLimit | None = None

        self._methods: dict[str, tuple[str, Callable[[_Ctx], Any]]] = {
            name.lower(): (name, getattr(self, f"_m_{name}"))
            for name in (
                "getMe", "getUpdates", "setWebhook", "getWebhookInfo", "setMyCommands",
                "sendMessage",
                "editMessageText", "sendDocument", "answerCallbackQuery", "answerInlineQuery",
                "getFile", "copyMessage", "forwardMessage", "createForumTopic", "editForumTopic",
                "closeForumTopic", "reopenForumTopic", "deleteForumTopic",
            )
        }

    # ------------------------------------------------------------------ the methods, any transport

    async def call(
        self,
        method: str,
        token: str,
        params: dict[str, Any],
        files: dict[str, UploadedFile] | None = None,
    ) -> tuple[int, dict[str, Any], float]:
        """Carry out one Bot API request; record it; return (status, JSON body, delay).

        ``delay`` is how late the answer must come (``delay_next``): the request has taken
        effect, only its answer is late, so a client that gives up and sends again shows up as
        two calls."""
        files = files or {}
        name, handler = self._methods.get(method.lower(), (method, None))
        started = time.monotonic()
        injected = False
        try:
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            self._last_token = token
            ctx = _Ctx(name, token, params, files)
            result = await handler(ctx)
            if not ctx.gated:  # guards this module against a handler forgetting _gate()
                raise RuntimeError(f"handler of {name} did not call _gate()")
            body: dict[str, Any] = {"ok": True, "result": result}
            status = 200
        except ApiError as e:
            body, status, injected = e.payload(), e.code, e.injected
        except Exception as e:  # a bug in this fake: make it loud, never a silent hang
            logging.getLogger(__name__).exception("FakeBotAPI failed on %s", name)
            body = {
                "ok": False,
                "error_code": 500,
                "description": f"Internal Server Error (bug in FakeBotAPI: {e!r})",
            }
            status = 500
        self._record(Call(name, params, files, started, body, status, token, injected))
        delay = next(
            (r.seconds for r in list(self._delays) if r.take(self._delays, name.lower(),
                                                            params.get("chat_id"))),
            0.0,
        )
        return status, body, delay

    def download(self, token: str, path: str) -> bytes | None:
        """A file download (``/file/bot<token>/<path>``), recorded as "downloadFile"."""
        stored = self._files_by_path.get(path)
        body = {"ok": True, "result": None} if stored else {
            "ok": False, "error_code": 404, "description": "Not Found"
        }
        status = 200 if stored else 404
        self._record(Call("downloadFile", {"file_path": path}, {}, time.monotonic(), body,
                          status, token))
        return stored.content if stored else None

    # ------------------------------------------------------------------ HTTP transport

    async def start(self) -> str:
        """Bind 127.0.0.1 on a free port; return the base URL (for ``TelegramAPIServer``)."""
        self._closing = False
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # Short shutdown timeout: a dangling long poll must not hold up the test suite.
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://{self.host}:{port}"
        return self.base_url

    async def stop(self) -> None:
        """Release pending long polls (they answer ``[]``) and close the server."""
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def bot(self, token: str = TEST_TOKEN, **kwargs: Any) -> Any:
        """An aiogram ``Bot`` whose real ``AiohttpSession`` talks to this server.

        The caller closes it: ``await FakeBotAPI.close_bot(bot)`` (or ``bot.session.close()``).
        """
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer

        session = AiohttpSession(api=TelegramAPIServer.from_base(self.base_url))
        return Bot(token, session=session, **kwargs)

    @staticmethod
    async def close_bot(bot: Any) -> None:
        """Close a bot's HTTP session without aiogram's 250 ms grace sleep.

        ``AiohttpSession.close`` sleeps to let SSL connections shut down; there is no SSL on
        127.0.0.1, and over a whole test suite those sleeps add up to seconds.
        """
        inner = getattr(bot.session, "_session", None)
        if inner is not None:
            if not inner.closed:
                await inner.close()
        else:
            await bot.session.close()

    async def _handle_method(self, request: web.Request) -> web.Response:
        params: dict[str, Any] = {}
        files: dict[str, UploadedFile] = {}
        if request.content_type == "multipart/form-data":  # aiogram's form, with files
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    files[part.name] = UploadedFile(
                        part.filename, bytes(await part.read()), part.headers.get("Content-Type")
                    )
                else:
                    params[part.name] = await part.text()
        elif request.can_read_body:  # aiogram's form without files: urlencoded
            params.update(await request.post())
        params = {k: coerce(k, v) for k, v in params.items()}
        status, body, delay = await self.call(
            request.match_info["method"], request.match_info["token"], params, files
        )
        if delay:
            await asyncio.sleep(delay)
        return web.json_response(body, status=status)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        content = self.download(request.match_info["token"], request.match_info["path"])
        if content is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(body=content, content_type="application/octet-stream")

    # ------------------------------------------------------------------ recording / waiting

    @property
    def errors(self) -> list[Call]:
        """Calls Telegram would have rejected because of the bot (injected failures excluded).

        429 answers of ``rate_limit`` mode are included: the bot exceeded Telegram's limits.
        """
        return [c for c in self.calls if not c.ok and not c.injected]

    def calls_of(self, method: str) -> list[Call]:
        m = method.lower()
        return [c for c in self.calls if c.method.lower() == m]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        """Texts (as sent, with HTML) of successful sendMessage calls, optionally to one chat."""
        return [
            c.params["text"]
            for c in self.calls_of("sendMessage")
            if c.ok and (chat_id is None or c.result["chat"]["id"] == chat_id)
        ]

    def messages_in(
        self, chat_id: int, thread_id: int | None = None, *, from_bot: bool | None = None
    ) -> list[dict[str, Any]]:
        """What the chat shows now, oldest first: every message in it (the bot's and people's,
        service messages included), as Telegram's Message objects, edits applied; the messages
        of a deleted topic are gone.

        ``thread_id``: only that topic's messages (its «forum_topic_created» first); ``0``:
        only those outside any topic. ``from_bot``: only the bot's (True) or only people's
        (False)."""
        out = []
        for message_id in sorted(self._messages.get(chat_id, {})):
            stored = self._messages[chat_id][message_id]
            in_thread = stored.message.get("message_thread_id")
            if thread_id is not None and in_thread != (thread_id or None):
                continue
            if from_bot is not None and stored.from_bot != from_bot:
                continue
            out.append(_copy(stored.message))
        return out

    def texts_in(
        self, chat_id: int, thread_id: int | None = None, *, from_bot: bool | None = None
    ) -> list[str]:
        """The text (or caption) of each message ``messages_in`` returns that has one, plain
        (entities applied, no HTML)."""
        return [
            m["text"] if "text" in m else m["caption"]
            for m in self.messages_in(chat_id, thread_id, from_bot=from_bot)
            if "text" in m or "caption" in m
        ]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,
        since: int = 0,
    ) -> Call:
        """Return the first call of ``method`` at index >= ``since`` matching ``predicate``.

        Waits for it to arrive for up to ``timeout`` seconds, else raises AssertionError listing
        what the bot did call - so a failing test says what happened instead of hanging.
        """
        m = method.lower()
        deadline = time.monotonic() + timeout
        while True:
            for call in self.calls[since:]:
                if call.method.lower() == m and (predicate is None or predicate(call)):
                    return call
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                recent = [c for c in self.calls[since:] if c.method.lower() != "getupdates"]
                what = f"{method} call" + (" matching the predicate" if predicate else "")
                raise AssertionError(
                    f"no {what} within {timeout}s (looking from call #{since}); "
                    f"calls made: {recent[-15:]!r}; errors: {self.errors!r}"
                )
            await self._wait_change(remaining)

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._notify()

    def _notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def _wait_change(self, timeout: float) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            pass
        finally:
            if fut in self._waiters:
                self._waiters.remove(fut)

    # ------------------------------------------------------------------ chats, topics

    def add_supergroup(
        self, chat_id: int, title: str = "Специалисты", is_forum: bool = False
    ) -> dict[str, Any]:
        """Declare a supergroup the bot is an administrator of (with the right to manage
        topics), e.g. the specialists' chat; ``is_forum``: it has topics. Returns its Chat."""
        if chat_id >= 0:
            raise ValueError("a supergroup's id is negative, like -1001234567890")
        chat: dict[str, Any] = {"id": chat_id, "type": "supergroup", "title": title}
        if is_forum:
            chat["is_forum"] = True
        self._chats[chat_id] = chat
        # Message 1 of a supergroup is its creation: the first topic is not thread 1, which
        # in a forum is the "General" topic.
        self._last_message_id[chat_id] = max(self._last_message_id.get(chat_id, 0), 1)
        return dict(chat)

    def add_topic(
        self,
        chat_id: int,
        name: str,
        user_id: int | None = None,
        first_name: str = "Специалист",
        icon_color: int = TOPIC_ICON_COLORS[0],
    ) -> int:
        """A topic a person created in the app (before the test: no update); returns its
        ``message_thread_id``."""
        self._forum(chat_id)
        creator = self._user(user_id or self.DEFAULT_USER_ID, first_name)
        topic = self._new_topic(
            chat_id, clean_topic_name(name), icon_color, None, creator, created_by_bot=False
        )
        return topic.message_thread_id

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """A specialist deletes the topic in the app: it and its messages are gone, and
        anything sent into it answers 400 "message thread not found". Bots get no update."""
        topic = self._known_topic(chat_id, thread_id)
        topic.deleted = True
        in_chat = self._messages.get(chat_id, {})
        for message_id in [
            mid for mid, s in in_chat.items() if s.message.get("message_thread_id") == thread_id
        ]:
            del in_chat[message_id]

    def close_topic(
        self,
        chat_id: int,
        thread_id: int,
        user_id: int | None = None,
        first_name: str = "Специалист",
    ) -> int:
        """A specialist closes the topic in the app: the bot gets the «forum_topic_closed»
        service message (returns its update id); sending into the topic then answers 400
        "TOPIC_CLOSED"."""
        return self._person_toggles(chat_id, thread_id, True, user_id, first_name)

    def reopen_topic(
        self,
        chat_id: int,
        thread_id: int,
        user_id: int | None = None,
        first_name: str = "Специалист",
    ) -> int:
        """A specialist reopens the topic in the app («forum_topic_reopened» update)."""
        return self._person_toggles(chat_id, thread_id, False, user_id, first_name)

    def _person_toggles(
        self, chat_id: int, thread_id: int, closed: bool, user_id: int | None, first_name: str
    ) -> int:
        topic = self._known_topic(chat_id, thread_id)
        if topic.deleted or topic.closed == closed:
            raise ValueError(f"topic {thread_id} is already {'closed' if closed else 'open'}")
        topic.closed = closed
        kind = "forum_topic_closed" if closed else "forum_topic_reopened"
        person = self._user(user_id or self.DEFAULT_USER_ID, first_name)
        message = self._service(chat_id, thread_id, person, {kind: {}}, from_bot=False)
        return self.push_update({"message": message})

    def _known_topic(self, chat_id: int, thread_id: int) -> ForumTopicRecord:
        topic = self.topics.get(chat_id, {}).get(thread_id)
        if topic is None:
            raise ValueError(f"chat {chat_id} has no topic {thread_id}")
        return topic

    def _forum(self, chat_id: int) -> dict[str, Any]:
        """The chat, if it is a forum supergroup; else Telegram's refusal of a topic method."""
        chat = self._chats.get(chat_id)
        if chat is None and chat_id < 0:
            raise bad("chat not found")
        if chat is None or not chat.get("is_forum"):
            raise bad("the chat is not a forum")
        return chat

    def _topic_of(self, chat_id: int, value: Any) -> ForumTopicRecord:
        """The topic a topic method names by ``message_thread_id``."""
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise bad("invalid forum topic identifier specified")
        topic = self.topics.get(chat_id, {}).get(value)
        if topic is None:
            raise bad("TOPIC_ID_INVALID")
        if topic.deleted:
            raise bad("TOPIC_DELETED")
        return topic

    def _new_topic(
        self,
        chat_id: int,
        name: str,
        icon_color: int,
        icon_custom_emoji_id: str | None,
        creator: dict[str, Any],
        created_by_bot: bool,
    ) -> ForumTopicRecord:
        created: dict[str, Any] = {"name": name, "icon_color": icon_color}
        if icon_custom_emoji_id:
            created["icon_custom_emoji_id"] = icon_custom_emoji_id
        message = self._service(
            chat_id, None, creator, {"forum_topic_created": created}, from_bot=created_by_bot
        )
        thread_id = message["message_id"]
        stored = self._messages[chat_id][thread_id]
        stored.message["message_thread_id"] = thread_id
        stored.message["is_topic_message"] = True
        topic = ForumTopicRecord(chat_id, thread_id, name, icon_color, icon_custom_emoji_id,
                                 created_by_bot)
        self.topics.setdefault(chat_id, {})[thread_id] = topic
        return topic

    def _service(
        self,
        chat_id: int,
        thread_id: int | None,
        sender: dict[str, Any],
        content: dict[str, Any],
        from_bot: bool = True,
    ) -> dict[str, Any]:
        """A service message (topic created, edited, closed...) in the chat; returns a copy."""
        message = {
            "message_id": self._new_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": sender,
            **content,
        }
        self._place(message, chat_id, thread_id, None)
        self._store(chat_id, message, from_bot=from_bot)
        return _copy(message)

    def _where(
        self, params: dict[str, Any], chat_id: int, replies: bool = True
    ) -> tuple[int | None, _StoredMessage | None]:
        """Where a message the bot sends goes: its topic (``message_thread_id``) and the
        message it replies to (``reply_parameters`` / ``reply_to_message_id``), checked as
        Telegram checks them. A reply without a thread goes to the topic of the message it
        replies to."""
        thread_id = self._thread_param(params.get("message_thread_id"))
        if thread_id is not None:
            self._check_thread(chat_id, thread_id)
        if not replies:
            return thread_id, None
        message_id, in_chat, allow_without = reply_parameters(params)
        reply_to = None
        if message_id is not None:
            if in_chat not in (None, "", chat_id, str(chat_id)):
                raise NotImplementedError("a reply to a message of another chat (external_reply)")
            reply_to = self._messages.get(chat_id, {}).get(message_id)
            if reply_to is None and not allow_without:
                raise bad("message to be replied not found")
        if reply_to is not None and thread_id is None:
            thread_id = reply_to.message.get("message_thread_id")
            if thread_id is not None:
                self._check_thread(chat_id, thread_id)
        return thread_id, reply_to

    @staticmethod
    def _thread_param(value: Any) -> int | None:
        if value is None or value == "" or value == 0:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad(THREAD_NOT_FOUND)
        return value

    def _check_thread(self, chat_id: int, thread_id: int) -> None:
        """A thread id is a topic of a forum supergroup, not deleted, not closed.

        Two places where the fake is stricter than Telegram, because either would be a bug of
        the bot: a thread id for a chat without topics (today's Bot API drops it and the
        message lands in the chat itself; earlier ones answered "message thread not found"),
        and a closed topic (Telegram lets an administrator who may manage topics, as a bot
        that creates them must be, still post there; others get TOPIC_CLOSED)."""
        chat = self._chats.get(chat_id)
        topic = self.topics.get(chat_id, {}).get(thread_id)
        if chat is None or not chat.get("is_forum") or topic is None or topic.deleted:
            raise bad(THREAD_NOT_FOUND)
        if topic.closed:
            raise bad("TOPIC_CLOSED")

    def _source(self, params: dict[str, Any], what: str) -> _StoredMessage:
        """The message copyMessage / forwardMessage names (``from_chat_id``, ``message_id``)."""
        from_chat = params.get("from_chat_id")
        if from_chat is None or from_chat == "":
            raise bad('parameter "from_chat_id" is required')
        if isinstance(from_chat, bool) or not isinstance(from_chat, int):
            raise bad("chat not found")
        if from_chat not in self._messages and from_chat not in self._chats:
            raise bad("chat not found")
        message_id = params.get("message_id")
        in_chat = self._messages.get(from_chat, {})
        stored = in_chat.get(message_id) if isinstance(message_id, int) else None
        if stored is None:
            raise bad(f"{what} not found")
        return stored

    # ------------------------------------------------------------------ failure injection

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` valid calls of ``method`` (to ``chat_id`` if given) fail."""
        parameters = None
        if error_code == 429:
            retry_after = 1 if retry_after is None else retry_after
            description = description or f"Too Many Requests: retry after {retry_after}"
            parameters = {"retry_after": retry_after}
        elif description is None:
            description = {
                400: "Bad Request",
                403: "Forbidden: bot was blocked by the user",
            }.get(error_code, "Internal Server Error")
        error = ApiError(error_code, description, parameters, injected=True)
        self._failures.append(_Rule(method.lower(), chat_id, times, error=error))

    def block_chat(self, chat_id: int) -> None:
        """Every call to this chat answers 403 from now on (the user blocked the bot)."""
        self._blocked.add(chat_id)

    def missing_chat(self, chat_id: int) -> None:
        """Every call to this chat answers 400 "chat not found" (e.g. a deleted account)."""
        self._missing_chats.add(chat_id)

    def migrate_chat(self, chat_id: int, to_chat_id: int) -> None:
        """The group was upgraded to a supergroup: every call to it answers 400 with
        ``migrate_to_chat_id`` (as Telegram), and the new id works."""
        self._migrated[chat_id] = to_chat_id

    def delay_next(
        self, method: str, seconds: float, chat_id: int | None = None, times: int = 1
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id`` if given) ``seconds``
        late. The call is carried out and recorded at once — a late answer, not a lost
        request — so a client that gives up and sends again shows up as two calls."""
        self._delays.append(_Rule(method.lower(), chat_id, times, seconds=seconds))

    def rate_limit(self, per_chat_per_sec: int = 1, global_per_sec: int = 30) -> None:
        """Answer 429 when sends exceed Telegram's limits (per chat and overall, per second)."""
        self._rate = _RateLimit(per_chat_per_sec, global_per_sec)

    def _gate(self, ctx: _Ctx, chat_id: int | None = None) -> None:
        """Conditions that hit a *valid* request: missing/blocked chat, injection, rate limits.

        Each method handler calls this after validating its parameters and before any effect.
        """
        ctx.gated = True
        method = ctx.method.lower()
        if chat_id is not None:
            if chat_id in self._missing_chats:
                raise ApiError(400, "Bad Request: chat not found", injected=True)
            if chat_id in self._migrated:
                raise ApiError(
                    400,
                    "Bad Request: group chat was upgraded to a supergroup chat",
                    {"migrate_to_chat_id": self._migrated[chat_id]},
                    injected=True,
                )
            if chat_id in self._blocked:
                text = (
                    "Forbidden: bot was blocked by the user"
                    if chat_id > 0
                    else "Forbidden: bot was kicked from the group chat"
                )
                raise ApiError(403, text, injected=True)
        for rule in list(self._failures):
            if rule.take(self._failures, method, chat_id):
                raise rule.error  # type: ignore[misc]
        sends = method.startswith("send") or method in ("copymessage", "forwardmessage")
        if self._rate is not None and chat_id is not None and sends:
            self._check_rate(self._rate, chat_id)

    @staticmethod
    def _check_rate(rate: _RateLimit, chat_id: int) -> None:
        now = time.monotonic()
        while rate.sent and rate.sent[0][0] <= now - 1:
            rate.sent.popleft()
        to_chat = [t for t, c in rate.sent if c == chat_id]
        waits = []
        if len(rate.sent) >= rate.global_per_sec:
            waits.append(rate.sent[-rate.global_per_sec][0] + 1 - now)
        if len(to_chat) >= rate.per_chat_per_sec:
            waits.append(to_chat[-rate.per_chat_per_sec] + 1 - now)
        if waits:
            retry = max(1, math.ceil(max(waits)))
            raise ApiError(
                429, f"Too Many Requests: retry after {retry}", {"retry_after": retry}
            )
        rate.sent.append((now, chat_id))

    # ------------------------------------------------------------------ parameter helpers

    @staticmethod
    def _chat_id(params: dict[str, Any]) -> int:
        value = params.get("chat_id")
        if isinstance(value, bool) or not isinstance(value, int) or value == 0:
            raise bad("chat_id is empty" if value in (None, "") else "chat not found")
        return value

    @staticmethod
    def _message_id(params: dict[str, Any]) -> int:
        value = params.get("message_id")
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("message identifier is not specified")
        return value

    def _bot_user(self, token: str) -> dict[str, Any]:
        return {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id in self._chats:
            return dict(self._chats[chat_id])
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Пользователь"}
        if str(chat_id).startswith("-100"):
            return {"id": chat_id, "type": "supergroup", "title": "Группа"}
        return {"id": chat_id, "type": "group", "title": "Группа"}

    def _new_message_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _store(self, chat_id: int, message: dict[str, Any], from_bot: bool) -> None:
        self._messages.setdefault(chat_id, {})[message["message_id"]] = _StoredMessage(
            message, from_bot
        )

    def _bot_message(
        self,
        token: str,
        chat_id: int,
        *,
        thread_id: int | None = None,
        reply_to: _StoredMessage | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        message = {
            "message_id": self._new_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self._bot_user(token),
        }
        message.update({k: v for k, v in content.items() if v not in (None, [], "")})
        self._place(message, chat_id, thread_id, reply_to)
        self._store(chat_id, message, from_bot=True)
        return _copy(message)  # a copy: later edits must not change old results

    def _place(
        self,
        message: dict[str, Any],
        chat_id: int,
        thread_id: int | None,
        reply_to: _StoredMessage | None,
    ) -> None:
        """The topic and reply fields of a new message, as Telegram fills them in: in a topic,
        ``message_thread_id`` and ``is_topic_message``; a message in a topic that replies to
        nothing has the topic's first message (its «forum_topic_created») as
        ``reply_to_message`` (the Bot API's implicit reply)."""
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
            if reply_to is None:
                reply_to = self._messages.get(chat_id, {}).get(thread_id)
        if reply_to is not None and reply_to.message["message_id"] != message["message_id"]:
            message["reply_to_message"] = _as_reply(reply_to.message)

    def _register_file(
        self,
        content: bytes,
        folder: str,
        file_name: str | None = None,
        mime_type: str | None = None,
        prefix: str = "BQACAgIAAxkBAA",
    ) -> _StoredFile:
        self._file_seq += 1
        ext = file_name[file_name.rfind(".") :] if file_name and "." in file_name else ""
        stored = _StoredFile(
            file_id=f"{prefix}{self._file_seq:06d}{secrets.token_urlsafe(12)}",
            file_unique_id=f"AgAD{self._file_seq:06d}",
            content=content,
            file_path=f"{folder}/file_{self._file_seq}{ext}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    # ------------------------------------------------------------------ methods: service

    async def _m_getMe(self, ctx: _Ctx) -> dict[str, Any]:
        self._gate(ctx)
        return {
            **self._bot_user(ctx.token),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    async def _m_setWebhook(self, ctx: _Ctx) -> bool:
        url = ctx.params.get("url")
        if not (isinstance(url, str) and url.startswith("https://")):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        self._gate(ctx)
        self.webhook = dict(ctx.params)
        return True

    async def _m_getWebhookInfo(self, ctx: _Ctx) -> dict[str, Any]:
        self._gate(ctx)
        info: dict[str, Any] = {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }
        if self.webhook and self.webhook.get("allowed_updates") is not None:
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    async def _m_setMyCommands(self, ctx: _Ctx) -> bool:
        check_commands(ctx.params.get("commands"))
        scope = ctx.params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
            raise bad("can't parse BotCommandScope JSON object")
        for key in COMMAND_SCOPES[scope["type"]]:
            if key not in scope:
                raise bad(f'can\'t parse BotCommandScope: Can\'t find field "{key}"')
        self._gate(ctx)
        return True

    # ------------------------------------------------------------------ methods: updates

    async def _m_getUpdates(self, ctx: _Ctx) -> list[dict[str, Any]]:
        """Long polling as Telegram does it: an offset confirms, a timeout waits."""
        p = ctx.params
        try:
            offset = int(p.get("offset") or 0)
            limit = min(max(int(p.get("limit") or 100), 1), 100)
            timeout = float(p.get("timeout") or 0)
        except (TypeError, ValueError):
            raise bad("wrong parameter in request") from None
        allowed = p.get("allowed_updates")
        if allowed is not None and not isinstance(allowed, list):
            raise bad("can't parse allowed updates JSON object")
        self._gate(ctx)
        if allowed is not None:
            self._allowed_updates = frozenset(allowed) or None
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + max(timeout, 0)
        while not self._updates and not self._closing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await self._wait_change(remaining)
        return _copy(self._updates[:limit])

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update (``update_id`` assigned unless given); wakes a waiting getUpdates
        (or goes to ``on_update``). As on Telegram, an update whose type the bot excluded with
        ``allowed_updates`` is never delivered."""
        update = dict(update)
        if "update_id" in update:
            self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        else:
            update["update_id"] = self._next_update_id
            self._next_update_id += 1
        kinds = [k for k in update if k != "update_id"]
        if self._allowed_updates is None or (kinds and kinds[0] in self._allowed_updates):
            if self.on_update is not None:
                self.on_update(_copy(update))
            else:
                self._updates.append(update)
                self._notify()
        return update["update_id"]

    def _user(self, user_id: int, first_name: str) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "ru"}

    def _resolve_ids(
        self, chat_id: int | None, user_id: int | None, chat_type: str
    ) -> tuple[int, int]:
        chat_type = self._chat_type(chat_id, chat_type)
        if chat_type == "private":
            user_id = user_id if user_id is not None else (chat_id or self.DEFAULT_USER_ID)
            return (chat_id if chat_id is not None else user_id), user_id
        return (
            chat_id if chat_id is not None else self.DEFAULT_GROUP_ID,
            user_id if user_id is not None else self.DEFAULT_USER_ID,
        )

    def _chat_type(self, chat_id: int | None, chat_type: str) -> str:
        """A declared group or supergroup keeps its type whatever the push says."""
        known = self._chats.get(chat_id) if chat_id is not None else None
        return known["type"] if known is not None and known["type"] != "private" else chat_type

    def _user_message(
        self,
        chat_id: int | None,
        user_id: int | None,
        chat_type: str,
        first_name: str,
        content: dict[str, Any],
        message_thread_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        chat_type = self._chat_type(chat_id, chat_type)
        chat_id, user_id = self._resolve_ids(chat_id, user_id, chat_type)
        known = self._chats.get(chat_id)
        if chat_type == "private":
            chat: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": first_name}
        elif known is not None and known["type"] != "private":
            chat = known  # declared with add_supergroup (title, is_forum) or seen before
        else:
            chat = {"id": chat_id, "type": chat_type, "title": "Тестовая группа"}
        self._chats[chat_id] = chat
        reply = None
        if reply_to_message_id is not None:
            reply = self._messages.get(chat_id, {}).get(reply_to_message_id)
            if reply is None:
                raise ValueError(f"no message {reply_to_message_id} in chat {chat_id} to reply to")
            in_thread = reply.message.get("message_thread_id")
            if message_thread_id is None:
                message_thread_id = in_thread  # a reply goes where the message replied to is
            elif in_thread != message_thread_id:
                raise ValueError(f"message {reply_to_message_id} is in thread {in_thread}, "
                                 f"not {message_thread_id}")
        if message_thread_id is not None:
            topic = self.topics.get(chat_id, {}).get(message_thread_id)
            if not chat.get("is_forum") or topic is None or topic.deleted:
                raise ValueError(
                    f"chat {chat_id} has no topic {message_thread_id}: nobody can write there"
                )
        message = {
            "message_id": self._new_message_id(chat_id),
            "date": int(time.time()),
            "chat": dict(chat),
            "from": self._user(user_id, first_name),
            **content,
        }
        self._place(message, chat_id, message_thread_id, reply)
        self._store(chat_id, message, from_bot=False)
        return _copy(message)

    def push_message(
        self,
        text: str,
        chat_id: int | None = None,
        user_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Тест",
        entities: list[dict[str, Any]] | None = None,
        message_thread_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        """A user's text message; a leading /command gets its bot_command entity (as Telegram).

        In a supergroup declared with ``add_supergroup`` (``chat_id`` is enough, ``chat_type``
        follows the chat): ``message_thread_id`` posts it in that topic (which must exist and
        not be deleted; a closed one is fine — a specialist is an administrator).
        ``reply_to_message_id``: a reply to that message of the chat (the bot's or anyone's);
        the update carries it whole as ``reply_to_message``, and the reply goes to the topic of
        the message it replies to."""
        content: dict[str, Any] = {"text": text}
        if entities is None:
            m = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,})?", text)
            entities = (
                [{"type": "bot_command", "offset": 0, "length": utf16_len(m.group())}] if m else []
            )
        if entities:
            content["entities"] = entities
        message = self._user_message(
            chat_id, user_id, chat_type, first_name, content, message_thread_id, reply_to_message_id
        )
        return self.push_update({"message": message})

    def push_edited_message(
        self,
        text: str,
        chat_id: int | None = None,
        user_id: int | None = None,
        chat_type: str = "private",
    ) -> int:
        """The user edited their last message in the chat (sent first if there is none)."""
        cid, _ = self._resolve_ids(chat_id, user_id, chat_type)
        own = [mid for mid, s in self._messages.get(cid, {}).items() if not s.from_bot]
        if not own:
            own = [self._user_message(chat_id, user_id, chat_type, "Тест", {"text": text})
                   ["message_id"]]
        stored = self._messages[cid][max(own)]
        stored.message["text"] = text
        stored.message.pop("entities", None)
        stored.message["edit_date"] = int(time.time())
        return self.push_update({"edited_message": _copy(stored.message)})

    def push_callback(
        self,
        data: str,
        chat_id: int | None = None,
        user_id: int | None = None,
        message_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Тест",
    ) -> int:
        """A press on an inline button of a bot message (by default the bot's last message).

        The message in the update is the one the bot sent (current text and keyboard), so the
        handler can edit it; if there is none yet, a bot message is made up and stored.
        """
        chat_id, user_id = self._resolve_ids(chat_id, user_id, chat_type)
        in_chat = self._messages.get(chat_id, {})
        bot_messages = {mid: s for mid, s in in_chat.items() if s.from_bot}
        if message_id is None and bot_messages:
            message_id = max(bot_messages)
        stored = bot_messages.get(message_id) if message_id is not None else None
        if stored is None and message_id in in_chat:
            raise ValueError(f"message {message_id} in chat {chat_id} was sent by the user")
        if stored is None:
            if message_id is None:
                message_id = self._new_message_id(chat_id)
            else:
                self._last_message_id[chat_id] = max(
                    self._last_message_id.get(chat_id, 0), message_id
                )
            message = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": self._chat(chat_id),
                "from": self._bot_user(self._last_token),
                "text": "Сообщение бота",
                "reply_markup": {
                    "inline_keyboard": [[{"text": "Кнопка", "callback_data": data or "x"}]]
                },
            }
            self._store(chat_id, message, from_bot=True)
            stored = self._messages[chat_id][message_id]
        self._query_seq += 1
        query_id = f"{4_000_000_000_000_000 + self._query_seq}"
        self._callback_queries[query_id] = False
        return self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self._user(user_id, first_name),
                    "chat_instance": f"-{abs(chat_id) * 7 + 13}",
                    "message": _copy(stored.message),
                    "data": data,
                }
            }
        )

    def push_inline_query(self, query: str, user_id: int | None = None, offset: str = "") -> int:
        self._query_seq += 1
        query_id = f"{5_000_000_000_000_000 + self._query_seq}"
        self._inline_queries[query_id] = False
        return self.push_update(
            {
                "inline_query": {
                    "id": query_id,
                    "from": self._user(user_id or self.DEFAULT_USER_ID, "Тест"),
                    "query": query,
                    "offset": offset,
                    "chat_type": "sender",
                }
            }
        )

    def push_document(
        self,
        file_bytes: bytes,
        file_name: str,
        mime_type: str | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
        user_id: int | None = None,
        chat_type: str = "private",
        with_size: bool = True,
        first_name: str = "Тест",
        message_thread_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        """A user sends a file; getFile + download then return exactly ``file_bytes``.

        ``with_size=False`` leaves ``file_size`` out of the message and of getFile's answer,
        as the Bot API allows (it is optional in both).
        """
        mime_type = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        stored = self._register_file(file_bytes, "documents", file_name, mime_type)
        stored.size_known = with_size
        document: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
        }
        if with_size:
            document["file_size"] = len(file_bytes)
        content: dict[str, Any] = {"document": document}
        if caption:
            content["caption"] = caption
        message = self._user_message(
            chat_id, user_id, chat_type, first_name, content, message_thread_id, reply_to_message_id
        )
        return self.push_update({"message": message})

    def _push_media(
        self,
        kind: str,
        media: Any,
        chat_id: int | None,
        user_id: int | None,
        chat_type: str,
        caption: str | None = None,
        first_name: str = "Тест",
        message_thread_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        content: dict[str, Any] = {kind: media}
        if caption:
            content["caption"] = caption
        message = self._user_message(
            chat_id, user_id, chat_type, first_name, content, message_thread_id, reply_to_message_id
        )
        return self.push_update({"message": message})

    def push_photo(
        self,
        chat_id: int | None = None,
        user_id: int | None = None,
        chat_type: str = "private",
        caption: str | None = None,
        first_name: str = "Тест",
        message_thread_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        """A user sends a photo (the sizes Telegram makes of it; getFile downloads it)."""
        data = b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9"
        stored = self._register_file(data, "photos", "photo.jpg", "image/jpeg", "AgACAgIAAx")
        small = self._register_file(data[:6], "photos", "photo_s.jpg", "image/jpeg", "AgACAgIAAx")
        photo = [
            {"file_id": small.file_id, "file_unique_id": small.file_unique_id,
             "width": 90, "height": 68, "file_size": len(small.content)},
            {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
             "width": 640, "height": 480, "file_size": len(data)},
        ]
        return self._push_media("photo", photo, chat_id, user_id, chat_type, caption, first_name,
                                message_thread_id, reply_to_message_id)

    def push_voice(
        self,
        chat_id: int | None = None,
        user_id: int | None = None,
        chat_type: str = "private",
        caption: str | None = None,
        first_name: str = "Тест",
        message_thread_id: int | None = None,
        reply_to_message_id: int | None = None,
        duration: int = 3,
    ) -> int:
        """A user sends a voice note."""
        data = b"OggS\x00fake-voice"
        stored = self._register_file(data, "voice", "voice.oga", "audio/ogg", "AwACAgIAAx")
        voice = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                 "duration": duration, "mime_type": "audio/ogg", "file_size": len(data)}
        return self._push_media("voice", voice, chat_id, user_id, chat_type, caption, first_name,
                                message_thread_id, reply_to_message_id)

    def push_location(
        self,
        latitude: float,
        longitude: float,
        chat_id: int | None = None,
        user_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Тест",
    ) -> int:
        """A user shares a location (a request_location button or the attachment menu)."""
        location = {"latitude": latitude, "longitude": longitude}
        return self._push_media("location", location, chat_id, user_id, chat_type, None,
                                first_name)

    def push_sticker(
        self,
        chat_id: int | None = None,
        user_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Тест",
        message_thread_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        data = b"RIFFfake-webp"
        stored = self._register_file(data, "stickers", "sticker.webp", "image/webp", "CAACAgIAAx")
        sticker = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                   "type": "regular", "width": 512, "height": 512, "is_animated": False,
                   "is_video": False, "emoji": "👍", "file_size": len(data)}
        return self._push_media("sticker", sticker, chat_id, user_id, chat_type, None, first_name,
                                message_thread_id, reply_to_message_id)

    # ------------------------------------------------------------------ methods: messages

    async def _m_sendMessage(self, ctx: _Ctx) -> dict[str, Any]:
        p = ctx.params
        chat_id = self._chat_id(p)
        plain, entities = check_text(p.get("text"), p.get("parse_mode"))
        markup = check_reply_markup(p.get("reply_markup"))
        thread_id, reply_to = self._where(p, chat_id)
        self._gate(ctx, chat_id)
        return self._bot_message(
            ctx.token, chat_id, thread_id=thread_id, reply_to=reply_to, text=plain,
            entities=entities, reply_markup=_inline_markup(markup),
        )

    async def _m_editMessageText(self, ctx: _Ctx) -> dict[str, Any]:
        p = ctx.params
        chat_id = self._chat_id(p)
        plain, entities = check_text(p.get("text"), p.get("parse_mode"))
        markup = check_reply_markup(p.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise bad("inline keyboard expected")
        stored = self._messages.get(chat_id, {}).get(self._message_id(p))
        if stored is None:
            raise bad("message to edit not found")
        if not stored.from_bot:
            raise bad("message can't be edited")
        if "text" not in stored.message:
            raise bad("there is no text in the message to edit")
        new = _StoredMessage(dict(stored.message), True)
        new.message["text"] = plain
        new.message.pop("entities", None)
        if entities:
            new.message["entities"] = entities
        new.message.pop("reply_markup", None)
        if _inline_markup(markup):
            new.message["reply_markup"] = _inline_markup(markup)
        if new.content_key() == stored.content_key():
            raise ApiError(400, NOT_MODIFIED)
        self._gate(ctx, chat_id)
        new.message["edit_date"] = int(time.time())
        stored.message = new.message
        return _copy(stored.message)

    async def _m_sendDocument(self, ctx: _Ctx) -> dict[str, Any]:
        """An uploaded file (the bot never resends one by file_id or URL)."""
        p = ctx.params
        chat_id = self._chat_id(p)
        doc = p.get("document")
        if isinstance(doc, str) and doc.startswith("attach://"):
            upload = ctx.files.get(doc[len("attach://") :])
        else:
            upload = ctx.files.get("document")
        if upload is None:
            raise bad("there is no document in the request")
        if not upload.content:
            raise bad("file must be non-empty")
        caption, caption_entities = check_text(p.get("caption"), p.get("parse_mode"), caption=True)
        markup = check_reply_markup(p.get("reply_markup"))
        thread_id, reply_to = self._where(p, chat_id)
        self._gate(ctx, chat_id)
        mime = mimetypes.guess_type(upload.filename or "")[0] or "application/octet-stream"
        stored = self._register_file(upload.content, "documents", upload.filename, mime)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_name": stored.file_name,
            "mime_type": mime,
        }
        message = self._bot_message(
            ctx.token, chat_id, thread_id=thread_id, reply_to=reply_to,
            document={k: v for k, v in document.items() if v},
            caption=caption, caption_entities=caption_entities,
            reply_markup=_inline_markup(markup),
        )
        self.documents.append(
            SentDocument(chat_id, upload.filename, upload.content, p.get("caption"), mime)
        )
        return message

    async def _m_copyMessage(self, ctx: _Ctx) -> dict[str, int]:
        """A copy of a message the fake knows, sent by the bot, without a "forwarded" header.

        As Telegram: ``caption`` (with ``parse_mode``) replaces a media message's caption and
        is ignored for a text; only ``reply_markup`` given here is attached; the answer is a
        MessageId."""
        p = ctx.params
        chat_id = self._chat_id(p)
        new_caption = None
        if p.get("caption") is not None:
            new_caption = check_text(p["caption"], p.get("parse_mode"), caption=True)
        markup = check_reply_markup(p.get("reply_markup"))
        source = self._source(p, "message to copy")
        thread_id, reply_to = self._where(p, chat_id)
        if is_service_message(source.message):
            raise bad("the message can't be copied")
        self._gate(ctx, chat_id)
        content = {k: _copy(v) for k, v in source.message.items() if k in COPIED_FIELDS}
        if new_caption is not None and "text" not in content:
            content.pop("caption", None)
            content.pop("caption_entities", None)
            content["caption"], content["caption_entities"] = new_caption
        message = self._bot_message(
            ctx.token, chat_id, thread_id=thread_id, reply_to=reply_to,
            reply_markup=_inline_markup(markup), **content,
        )
        return {"message_id": message["message_id"]}

    async def _m_forwardMessage(self, ctx: _Ctx) -> dict[str, Any]:
        """A forward: the original's content under a header naming who wrote it first
        (``forward_origin``, and the older ``forward_from`` / ``forward_date`` Telegram still
        sends); a forward of a forward names the first author."""
        p = ctx.params
        chat_id = self._chat_id(p)
        source = self._source(p, "message to forward")
        thread_id, reply_to = self._where(p, chat_id, replies=False)
        if is_service_message(source.message):
            raise bad("the message can't be forwarded")
        self._gate(ctx, chat_id)
        original = source.message
        content = {k: _copy(v) for k, v in original.items() if k in COPIED_FIELDS}
        if "forward_origin" in original:
            content.update({k: _copy(original[k]) for k in FORWARD_FIELDS if k in original})
        else:
            author = _copy(original["from"])
            content["forward_origin"] = {
                "type": "user", "sender_user": author, "date": original["date"]
            }
            content["forward_from"] = author
            content["forward_date"] = original["date"]
        return self._bot_message(
            ctx.token, chat_id, thread_id=thread_id, reply_to=reply_to, **content
        )

    # ------------------------------------------------------------------ methods: forum topics

    async def _m_createForumTopic(self, ctx: _Ctx) -> dict[str, Any]:
        """A topic in a forum supergroup, opened by its «forum_topic_created» service message
        (whose id is the topic's ``message_thread_id``); answers the ForumTopic."""
        p = ctx.params
        chat_id = self._chat_id(p)
        self._forum(chat_id)
        name = clean_topic_name(p.get("name"))
        color = p.get("icon_color")
        color = TOPIC_ICON_COLORS[0] if color in (None, "", 0) else check_topic_icon_color(color)
        emoji = p.get("icon_custom_emoji_id") or None
        self._gate(ctx, chat_id)
        topic = self._new_topic(
            chat_id, name, color, emoji, self._bot_user(ctx.token), created_by_bot=True
        )
        return topic.forum_topic()

    async def _m_editForumTopic(self, ctx: _Ctx) -> bool:
        """A new name and/or icon; the topic shows «forum_topic_edited»."""
        p = ctx.params
        chat_id = self._chat_id(p)
        self._forum(chat_id)
        topic = self._topic_of(chat_id, p.get("message_thread_id"))
        name = clean_topic_name(p["name"]) if p.get("name") else None
        emoji_given = "icon_custom_emoji_id" in p
        emoji = p.get("icon_custom_emoji_id") or None
        if name is None and not emoji_given:
            self._gate(ctx, chat_id)
            return True  # nothing to change: Telegram does not even ask
        if (name is None or name == topic.name) and (
            not emoji_given or emoji == topic.icon_custom_emoji_id
        ):
            raise bad("TOPIC_NOT_MODIFIED")
        self._gate(ctx, chat_id)
        edited: dict[str, Any] = {}
        if name is not None:
            topic.name = edited["name"] = name
        if emoji_given:
            topic.icon_custom_emoji_id = emoji
            edited["icon_custom_emoji_id"] = emoji or ""
        self._service(chat_id, topic.message_thread_id, self._bot_user(ctx.token),
                      {"forum_topic_edited": edited})
        return True

    async def _m_closeForumTopic(self, ctx: _Ctx) -> bool:
        return self._toggle_topic(ctx, closed=True)

    async def _m_reopenForumTopic(self, ctx: _Ctx) -> bool:
        return self._toggle_topic(ctx, closed=False)

    async def _m_deleteForumTopic(self, ctx: _Ctx) -> bool:
        """The topic and every message in it are gone."""
        p = ctx.params
        chat_id = self._chat_id(p)
        self._forum(chat_id)
        topic = self._topic_of(chat_id, p.get("message_thread_id"))
        self._gate(ctx, chat_id)
        self.delete_topic(chat_id, topic.message_thread_id)
        return True

    def _toggle_topic(self, ctx: _Ctx, closed: bool) -> bool:
        p = ctx.params
        chat_id = self._chat_id(p)
        self._forum(chat_id)
        topic = self._topic_of(chat_id, p.get("message_thread_id"))
        if topic.closed == closed:
            raise bad("TOPIC_NOT_MODIFIED")
        self._gate(ctx, chat_id)
        topic.closed = closed
        kind = "forum_topic_closed" if closed else "forum_topic_reopened"
        self._service(chat_id, topic.message_thread_id, self._bot_user(ctx.token), {kind: {}})
        return True

    # ------------------------------------------------------------------ methods: queries, files

    async def _m_answerCallbackQuery(self, ctx: _Ctx) -> bool:
        p = ctx.params
        query_id = str(p.get("callback_query_id") or "")
        if self._callback_queries.get(query_id, True):  # unknown or already answered
            raise bad(QUERY_TOO_OLD)
        check_callback_answer(p.get("text"), p.get("url"))
        self._gate(ctx)
        self._callback_queries[query_id] = True
        return True

    async def _m_answerInlineQuery(self, ctx: _Ctx) -> bool:
        p = ctx.params
        query_id = str(p.get("inline_query_id") or "")
        if self._inline_queries.get(query_id, True):
            raise bad(QUERY_TOO_OLD)
        check_inline_results(p.get("results"))
        next_offset = p.get("next_offset")
        if next_offset is not None and len(str(next_offset).encode("utf-8")) > 64:
            raise bad("NEXT_OFFSET_INVALID")
        self._gate(ctx)
        self._inline_queries[query_id] = True
        return True

    async def _m_getFile(self, ctx: _Ctx) -> dict[str, Any]:
        file_id = ctx.params.get("file_id")
        stored = self._files.get(file_id) if isinstance(file_id, str) else None
        if stored is None:
            raise bad("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_BYTES:
            raise bad("file is too big")
        self._gate(ctx)
        result = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }
        if not stored.size_known:
            del result["file_size"]
        return result
