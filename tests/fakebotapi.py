"""A fake Telegram Bot API server that is as strict as Telegram.

Why: the bot's handlers are tested end to end through the real aiogram ``Dispatcher`` and the
real ``AiohttpSession``.  Mocking ``Bot`` methods would let through exactly the bugs that only
show up in production: unescaped ``<`` in HTML, a message longer than 4096 UTF-16 units, a
``callback_data`` over 64 bytes, an edit that changes nothing, a button URL with a space.  This
server speaks HTTP on 127.0.0.1 like ``api.telegram.org`` does, rejects those requests with
Telegram's own status codes and wording, records every call for assertions, serves long polling
(``getUpdates``) so that ``Dispatcher.start_polling`` works unchanged, and can inject the
failures a real bot meets (429 with ``retry_after``, 403 "bot was blocked", 5xx, a group
migrated to a supergroup, an answer that comes late).

Usage::

    async with FakeBotAPI() as api:
        bot = api.bot()                       # aiogram Bot pointed at the fake
        api.push_message("/start", chat_id=42)
        ...start the dispatcher polling with ``bot``...
        call = await api.wait_for("sendMessage", lambda c: c.params["chat_id"] == 42)
        assert api.errors == []
        await api.close_bot(bot)

Where this fake is deliberately *stricter* than Telegram (so a bug is caught early rather than
tolerated): in HTML mode a bare ``>`` or ``&`` is rejected (Telegram sometimes lets them
through), unknown attributes on known tags are rejected, an inline button must carry exactly
one action, and ``setMyCommands`` needs 1..100 commands.  Markdown / MarkdownV2 are accepted
but not validated (the project uses HTML).
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
from urllib.parse import urlsplit

from aiohttp import BodyPartReader, web

__all__ = [
    "TEST_TOKEN",
    "ApiError",
    "Call",
    "EntityParseError",
    "FakeBotAPI",
    "SentDocument",
    "UploadedFile",
    "check_reply_markup",
    "check_text",
    "parse_html",
    "utf16_len",
]

#: A token of the shape Telegram issues; aiogram's own token validation accepts it too.
TEST_TOKEN = "123456789:AAFakeTokenForTests_0123456789abcdefXYZ"

TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]{30,}$")

MAX_TEXT_LEN = 4096  # UTF-16 code units, after entity parsing
MAX_CAPTION_LEN = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LEN = 200
MAX_INLINE_RESULTS = 50
MAX_INLINE_RESULT_ID_BYTES = 64
MAX_KEYBOARD_BUTTONS = 100
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # bots may upload up to 50 MB
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # ...and download up to 20 MB via getFile

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)

#: Update types a bot receives when ``allowed_updates`` was never set or set to ``[]``.
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post",
        "business_connection", "business_message", "edited_business_message",
        "deleted_business_messages", "inline_query", "chosen_inline_result",
        "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media",
        "poll", "poll_answer", "my_chat_member", "chat_join_request", "chat_boost",
        "removed_chat_boost",
    }
)

CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)

INLINE_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)

INLINE_RESULT_TYPES = frozenset(
    {
        "article", "photo", "gif", "mpeg4_gif", "video", "audio", "voice", "document",
        "location", "venue", "contact", "game", "sticker",
    }
)

COMMAND_SCOPES = {
    "default": (), "all_private_chats": (), "all_group_chats": (),
    "all_chat_administrators": (), "chat": ("chat_id",),
    "chat_administrators": ("chat_id",), "chat_member": ("chat_id", "user_id"),
}

#: Request fields that are always plain strings: never JSON-decode them even if the text looks
#: like a number or ``true`` (a user may well send the text "42").
STRING_FIELDS = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "inline_query_id", "url",
        "action", "language_code", "next_offset", "switch_pm_text", "switch_pm_parameter",
        "file_id", "document", "photo", "voice", "sticker", "title", "description",
        "short_description", "name", "inline_message_id", "emoji", "secret_token",
        "ip_address", "business_connection_id", "message_effect_id", "query",
    }
)

#: Methods that count toward Telegram's sending limits in ``rate_limit`` mode.
RATE_LIMITED_PREFIXES = ("send", "copymessage", "forwardmessage")


# --------------------------------------------------------------------------- errors


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status = ``error_code``, JSON body like Telegram's."""

    def __init__(
        self,
        code: int,
        description: str,
        parameters: dict[str, Any] | None = None,
        *,
        injected: bool = False,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters
        #: True when the error was asked for by the test (fail_next, block_chat, ...), so it
        #: is not a bug of the bot and does not show up in ``FakeBotAPI.errors``.
        self.injected = injected

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad(description: str) -> ApiError:
    """400 with Telegram's "Bad Request: ..." prefix."""
    return ApiError(400, f"Bad Request: {description}")


# --------------------------------------------------------------------------- text checks


def utf16_len(s: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji outside the BMP counts 2)."""
    return len(s.encode("utf-16-le")) // 2


class EntityParseError(ValueError):
    """The HTML of a message is not what Telegram's parser accepts."""


_SPECIAL_RE = re.compile(r"[<>&]")
_CHAR_REF_RE = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]*);")
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_END_TAG_RE = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>")
_ATTR_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_UNQUOTED_VALUE_RE = re.compile(r"[^\s\"'`=<>]+")

#: Telegram's HTML tags and the attributes each one may carry.
_TAG_ATTRS: dict[str, frozenset[str]] = {
    "b": frozenset(), "strong": frozenset(), "i": frozenset(), "em": frozenset(),
    "u": frozenset(), "ins": frozenset(), "s": frozenset(), "strike": frozenset(),
    "del": frozenset(), "tg-spoiler": frozenset(), "pre": frozenset(),
    "span": frozenset({"class"}), "a": frozenset({"href"}),
    "tg-emoji": frozenset({"emoji-id"}), "code": frozenset({"class"}),
    "blockquote": frozenset({"expandable"}),
}
_TAG_ENTITY = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "span": "spoiler", "tg-spoiler": "spoiler", "a": "text_link",
    "tg-emoji": "custom_emoji", "code": "code", "pre": "pre", "blockquote": "blockquote",
}


def _byte_offset(text: str, pos: int) -> int:
    return len(text[:pos].encode("utf-8"))


def _decode_char_ref(text: str, pos: int) -> tuple[str, int]:
    """Decode the character reference at ``text[pos] == '&'``; return (char, end position)."""
    m = _CHAR_REF_RE.match(text, pos)
    if m is None:
        raise EntityParseError(
            f'Character "&" must be escaped as "&amp;" at byte offset {_byte_offset(text, pos)}'
        )
    ref = m.group(1)
    if ref[0] == "#":
        code = int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:])
        if not (0 < code <= 0x10FFFF) or 0xD800 <= code <= 0xDFFF:
            raise EntityParseError(
                f'Invalid character reference "&{ref};" at byte offset {_byte_offset(text, pos)}'
            )
        return chr(code), m.end()
    if ref not in _NAMED_REFS:
        raise EntityParseError(
            f'Unsupported HTML entity "&{ref};" at byte offset {_byte_offset(text, pos)}; '
            "only &lt; &gt; &amp; &quot; and numeric references are supported"
        )
    return _NAMED_REFS[ref], m.end()


def _decode_attr_value(raw: str, text: str, base: int) -> str:
    out: list[str] = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == "&":
            ch, end = _decode_char_ref(raw, i)
            out.append(ch)
            i = end
        elif c == "<":
            raise EntityParseError(
                f'Character "<" in an attribute value must be escaped at byte offset '
                f"{_byte_offset(text, base + i)}"
            )
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _parse_start_tag(text: str, pos: int) -> tuple[str, dict[str, str], int]:
    """Parse ``<name attr="v" ...>`` at ``pos``; return (name, attributes, end position)."""
    boff = _byte_offset(text, pos)
    m = _TAG_NAME_RE.match(text, pos + 1)
    if m is None:
        # "a < b" ends up here: Telegram sees a start tag with an empty name.
        raise EntityParseError(f'Unsupported start tag "" at byte offset {boff}')
    name = m.group().lower()
    if name not in _TAG_ATTRS:
        raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {boff}')
    attrs: dict[str, str] = {}
    i = m.end()
    n = len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(f'Unclosed start tag "{name}" at byte offset {boff}')
        if text[i] == ">":
            i += 1
            break
        if text[i] == "/":
            raise EntityParseError(
                f'Unsupported self-closing tag "{name}" at byte offset {boff}'
            )
        am = _ATTR_NAME_RE.match(text, i)
        if am is None:
            raise EntityParseError(
                f'Unexpected character in the start tag "{name}" at byte offset '
                f"{_byte_offset(text, i)}"
            )
        attr = am.group().lower()
        i = am.end()
        while i < n and text[i].isspace():
            i += 1
        value = ""
        if i < n and text[i] == "=":
            i += 1
            while i < n and text[i].isspace():
                i += 1
            if i < n and text[i] in "\"'":
                quote = text[i]
                close = text.find(quote, i + 1)
                if close < 0:
                    raise EntityParseError(
                        f'Unclosed attribute value in the tag "{name}" at byte offset {boff}'
                    )
                value = _decode_attr_value(text[i + 1 : close], text, i + 1)
                i = close + 1
            else:
                vm = _UNQUOTED_VALUE_RE.match(text, i)
                if vm is None:
                    raise EntityParseError(
                        f'Expected attribute value in the tag "{name}" at byte offset {boff}'
                    )
                value = _decode_attr_value(vm.group(), text, i)
                i = vm.end()
        if attr not in _TAG_ATTRS[name]:
            raise EntityParseError(
                f'Tag "{name}" must not have attribute "{attr}" at byte offset {boff}'
            )
        if attr in attrs:
            raise EntityParseError(
                f'Duplicate attribute "{attr}" in the tag "{name}" at byte offset {boff}'
            )
        attrs[attr] = value

    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {boff}')
    if name == "a" and "href" not in attrs:
        raise EntityParseError(f'Tag "a" must have attribute "href" at byte offset {boff}')
    if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
        raise EntityParseError(
            f'Tag "tg-emoji" must have a numeric attribute "emoji-id" at byte offset {boff}'
        )
    if name == "code" and "class" in attrs:
        cls = attrs["class"]
        if not cls.startswith("language-") or len(cls) == len("language-"):
            raise EntityParseError(
                f'Tag "code" may only have class "language-..." at byte offset {boff}'
            )
    if name == "blockquote" and attrs.get("expandable"):
        raise EntityParseError(
            f'Attribute "expandable" of the tag "blockquote" takes no value at byte offset {boff}'
        )
    return name, attrs, i


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-HTML into (plain text, message entities) or raise EntityParseError.

    Offsets and lengths of entities are in UTF-16 code units like Telegram's.  Tags must be
    Telegram's, balanced and properly nested; ``<``, ``>`` and ``&`` in text must be escaped.
    """
    out: list[str] = []
    u16 = 0
    stack: list[dict[str, Any]] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(text)
    while i < n:
        m = _SPECIAL_RE.search(text, i)
        j = m.start() if m else n
        if j > i:
            chunk = text[i:j]
            out.append(chunk)
            u16 += utf16_len(chunk)
            i = j
            continue
        c = text[i]
        if c == "&":
            ch, i = _decode_char_ref(text, i)
            out.append(ch)
            u16 += utf16_len(ch)
        elif c == ">":
            raise EntityParseError(
                f'Character ">" must be escaped as "&gt;" at byte offset {_byte_offset(text, i)}'
            )
        elif text.startswith("</", i):
            em = _END_TAG_RE.match(text, i)
            boff = _byte_offset(text, i)
            if em is None:
                raise EntityParseError(f"Unsupported end tag at byte offset {boff}")
            name = em.group(1).lower()
            if not stack:
                raise EntityParseError(f'Unexpected end tag "{name}" at byte offset {boff}')
            top = stack[-1]["name"]
            if name != top:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {boff}, expected "</{top}>", '
                    f'found "</{name}>"'
                )
            open_tag = stack.pop()
            i = em.end()
            _close_entity(open_tag, u16, stack, entities)
        else:
            name, attrs, i = _parse_start_tag(text, i)
            stack.append({"name": name, "attrs": attrs, "start": u16})
    if stack:
        raise EntityParseError(
            f'Can\'t find end tag corresponding to start tag "{stack[-1]["name"]}"'
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close_entity(
    tag: dict[str, Any], end: int, stack: list[dict[str, Any]], entities: list[dict[str, Any]]
) -> None:
    name, attrs, start = tag["name"], tag["attrs"], tag["start"]
    # <pre><code class="language-x">…</code></pre> becomes one "pre" entity with a language.
    if name == "code" and "class" in attrs and stack and stack[-1]["name"] == "pre":
        stack[-1]["language"] = attrs["class"][len("language-") :]
        return
    length = end - start
    if length <= 0:
        return  # Telegram silently drops empty entities
    entity: dict[str, Any] = {"type": _TAG_ENTITY[name], "offset": start, "length": length}
    if name == "a":
        entity["url"] = attrs["href"]
    elif name == "tg-emoji":
        entity["custom_emoji_id"] = attrs["emoji-id"]
    elif name == "pre" and tag.get("language"):
        entity["language"] = tag["language"]
    elif name == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    entities.append(entity)


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Apply ``parse_mode`` like Telegram: returns (plain text, entities)."""
    if not parse_mode:
        return text, []
    mode = str(parse_mode).lower()
    if mode == "html":
        try:
            return parse_html(text)
        except EntityParseError as e:
            raise bad(f"can't parse entities: {e}") from None
    if mode in ("markdown", "markdownv2"):
        return text, []  # not validated by this fake; the project uses HTML
    raise bad("unsupported parse_mode")


def check_text(
    text: Any, parse_mode: str | None, *, caption: bool = False
) -> tuple[str, list[dict[str, Any]]]:
    """Validate a message text (or caption): returns (plain text, entities) or raises ApiError.

    Text: non-empty after parsing and stripping whitespace, at most 4096 UTF-16 units.
    Caption: may be empty/absent, at most 1024 UTF-16 units.
    """
    if text is None or text == "":
        if caption:
            return "", []
        raise bad("message text is empty")
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise bad("message text is empty" if not caption else "can't parse caption")
    plain, entities = parse_text(str(text), parse_mode)
    if caption:
        if utf16_len(plain) > MAX_CAPTION_LEN:
            raise bad("message caption is too long")
        return plain, entities
    if not plain.strip():
        raise bad("message text is empty")
    if utf16_len(plain) > MAX_TEXT_LEN:
        raise bad("message is too long")
    return plain, entities


# --------------------------------------------------------------------------- markup checks


def _valid_button_url(url: Any) -> bool:
    """http(s):// or tg:// with a host, no whitespace - what Telegram turns into a button."""
    if not isinstance(url, str) or not url or any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https", "tg") and bool(parts.netloc)


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if "text" not in button:
        raise bad('can\'t parse inline keyboard button: Can\'t find field "text"')
    text = button["text"]
    if not isinstance(text, str) or not text.strip():
        raise bad("BUTTON_TEXT_INVALID")
    actions = [k for k in INLINE_BUTTON_ACTIONS if button.get(k) is not None]
    if not actions:
        raise bad(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad(
            "can't parse inline keyboard button: exactly one of the optional fields must be "
            f"used, got {', '.join(actions)}"
        )
    action = actions[0]
    value = button[action]
    if action == "callback_data":
        if not isinstance(value, str) or not 1 <= len(value.encode("utf-8")) <= (
            MAX_CALLBACK_DATA_BYTES
        ):
            raise bad("BUTTON_DATA_INVALID")
    elif action == "url":
        if not _valid_button_url(value):
            raise bad("BUTTON_URL_INVALID")
    elif action == "login_url":
        if not isinstance(value, dict) or not _valid_button_url(value.get("url")):
            raise bad("BUTTON_URL_INVALID")
    elif action == "web_app":
        url = value.get("url") if isinstance(value, dict) else None
        if not _valid_button_url(url) or not url.lower().startswith("https://"):
            raise bad("BUTTON_URL_INVALID")
    elif action in ("switch_inline_query", "switch_inline_query_current_chat"):
        if not isinstance(value, str):
            raise bad(f'can\'t parse inline keyboard button: Field "{action}" must be a String')


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad('Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    if sum(len(r) for r in rows) > MAX_KEYBOARD_BUTTONS:
        raise bad("REPLY_MARKUP_TOO_LONG")
    for row in rows:
        for button in row:
            _check_inline_button(button)


def check_reply_markup(raw: Any) -> dict[str, Any] | None:
    """Validate ``reply_markup`` (dict or its JSON string); return it decoded, or None."""
    if raw is None or raw == "":
        return None
    markup = raw
    if isinstance(raw, str):
        try:
            markup = json.loads(raw)
        except ValueError:
            markup = None
    if not isinstance(markup, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad('Field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
        for row in rows:
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str) or not text.strip():
                    raise bad("can't parse keyboard button: Text must be non-empty")
    elif "remove_keyboard" in markup:
        if markup["remove_keyboard"] is not True:
            raise bad('can\'t parse ReplyKeyboardRemove: Field "remove_keyboard" must be true')
    elif "force_reply" in markup:
        if markup["force_reply"] is not True:
            raise bad('can\'t parse ForceReply: Field "force_reply" must be true')
    else:
        raise bad("can't parse reply keyboard markup JSON object")
    return markup


def _inline_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Telegram echoes only inline keyboards in the returned Message."""
    if markup and "inline_keyboard" in markup and any(markup["inline_keyboard"]):
        return {"inline_keyboard": markup["inline_keyboard"]}
    return None


# --------------------------------------------------------------------------- records


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content: bytes
    content_type: str | None = None


@dataclass
class Call:
    """One request the bot made, as seen by the server, with the answer it got."""

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
    call: Call | None = None


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
class _FailRule:
    method: str
    code: int
    description: str
    parameters: dict[str, Any] | None
    chat_id: int | None
    remaining: int

    def matches(self, method: str, chat_id: int | None) -> bool:
        return self.method == method and (self.chat_id is None or self.chat_id == chat_id)


@dataclass
class _DelayRule:
    method: str
    seconds: float
    chat_id: int | None
    remaining: int

    def matches(self, method: str, chat_id: Any) -> bool:
        return self.method == method and (self.chat_id is None or self.chat_id == chat_id)


@dataclass
class _RateLimit:
    per_chat_per_sec: int
    global_per_sec: int
    per_group_per_min: int
    sent: deque[tuple[float, int]] = field(default_factory=deque)


@dataclass
class _Ctx:
    method: str
    token: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    request: web.Request
    gated: bool = False


def _coerce(key: str, value: Any) -> Any:
    """Form fields arrive as strings; decode JSON ones (objects, arrays, numbers, booleans)."""
    if not isinstance(value, str) or key in STRING_FIELDS:
        return value
    s = value.strip()
    if not s:
        return value
    if s[0] in "{[" or s in ("true", "false", "null") or re.fullmatch(r"-?\d+(\.\d+)?", s):
        try:
            return json.loads(s)
        except ValueError:
            return value
    return value


# --------------------------------------------------------------------------- the server


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
        #: Updates not delivered because ``allowed_updates`` excluded their type (like Telegram).
        self.dropped_updates: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] | None = None

        self._runner: web.AppRunner | None = None
        self._closing = False
        self._last_token = TEST_TOKEN  # whose bot "sent" the messages push_callback makes up
        self._waiters: list[asyncio.Future[None]] = []

        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._confirmed_upto = 0  # all update_id < this were confirmed by an offset
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0

        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[int, dict[int, _StoredMessage]] = {}
        self._last_message_id: dict[int, int] = {}
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_seq = 0
        self._query_seq = 0
        self._callback_queries: dict[str, bool] = {}  # id -> answered
        self._inline_queries: dict[str, bool] = {}
        self._commands: dict[tuple[str, str], list[dict[str, str]]] = {}

        self._fail_rules: list[_FailRule] = []
        self._blocked: set[int] = set()
        self._missing_chats: set[int] = set()
        self._migrated: dict[int, int] = {}  # group id -> supergroup id
        self._delays: list[_DelayRule] = []
        self._rate: _RateLimit | None = None
        self._extra_methods: dict[str, Any] = {}

        self._methods: dict[str, tuple[str, Callable[[_Ctx], Any]]] = {}
        for name in (
            "getMe", "logOut", "close", "deleteWebhook", "setWebhook", "getWebhookInfo",
            "getUpdates", "sendMessage", "editMessageText", "editMessageReplyMarkup",
            "deleteMessage", "answerCallbackQuery", "sendDocument", "sendChatAction",
            "answerInlineQuery", "setMyCommands", "deleteMyCommands", "getMyCommands",
            "getFile",
        ):
            self._methods[name.lower()] = (name, getattr(self, f"_m_{name}"))

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> str:
        """Bind 127.0.0.1 on a free port; return the base URL (for ``TelegramAPIServer``)."""
        self._closing = False
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
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

    def clear_calls(self) -> None:
        self.calls.clear()
        self.documents.clear()

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

    async def wait_confirmed(self, update_id: int, timeout: float = 5.0) -> None:
        """Wait until the bot confirmed ``update_id`` (asked getUpdates with a larger offset)."""
        deadline = time.monotonic() + timeout
        while self._confirmed_upto <= update_id:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"update {update_id} was not confirmed within {timeout}s")
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
        except asyncio.TimeoutError:
            pass
        finally:
            if fut in self._waiters:
                self._waiters.remove(fut)

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
                401: "Unauthorized",
                403: "Forbidden: bot was blocked by the user",
                404: "Not Found",
                409: "Conflict",
            }.get(error_code, "Internal Server Error")
        self._fail_rules.append(
            _FailRule(method.lower(), error_code, description, parameters, chat_id, times)
        )

    def block_chat(self, chat_id: int) -> None:
        """Every call to this chat answers 403 from now on (the user blocked the bot)."""
        self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

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
        self._delays.append(_DelayRule(method.lower(), seconds, chat_id, times))

    def rate_limit(
        self, per_chat_per_sec: int = 1, global_per_sec: int = 30, per_group_per_min: int = 20
    ) -> None:
        """Answer 429 when sends exceed Telegram's limits (per chat, global, per group/minute)."""
        self._rate = _RateLimit(per_chat_per_sec, global_per_sec, per_group_per_min)

    def clear_rate_limit(self) -> None:
        self._rate = None

    def accept_method(self, name: str, result: Any = True) -> None:
        """Let an extra method (e.g. setMyDescription) succeed with ``result``, recorded only."""
        self._extra_methods[name.lower()] = result
        self._methods[name.lower()] = (name, self._m_extra)

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
        for rule in self._fail_rules:
            if rule.matches(method, chat_id):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._fail_rules.remove(rule)
                raise ApiError(rule.code, rule.description, rule.parameters, injected=True)
        if (
            self._rate is not None
            and chat_id is not None
            and method.startswith(RATE_LIMITED_PREFIXES)
            and method != "sendchataction"
        ):
            self._check_rate(self._rate, chat_id)

    @staticmethod
    def _check_rate(rate: _RateLimit, chat_id: int) -> None:
        now = time.monotonic()
        while rate.sent and rate.sent[0][0] <= now - 60:
            rate.sent.popleft()
        last_sec = [(t, c) for t, c in rate.sent if t > now - 1]
        to_chat = [t for t, c in last_sec if c == chat_id]
        waits = []
        if len(last_sec) >= rate.global_per_sec:
            waits.append(last_sec[-rate.global_per_sec][0] + 1 - now)
        if len(to_chat) >= rate.per_chat_per_sec:
            waits.append(to_chat[-rate.per_chat_per_sec] + 1 - now)
        if chat_id < 0:
            to_group = [t for t, c in rate.sent if c == chat_id]
            if len(to_group) >= rate.per_group_per_min:
                waits.append(to_group[-rate.per_group_per_min] + 60 - now)
        if waits:
            retry = max(1, math.ceil(max(waits)))
            raise ApiError(
                429, f"Too Many Requests: retry after {retry}", {"retry_after": retry}
            )
        rate.sent.append((now, chat_id))

    # ------------------------------------------------------------------ HTTP plumbing

    async def _read_params(
        self, request: web.Request
    ) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        raw: dict[str, Any] = dict(request.query)
        files: dict[str, UploadedFile] = {}
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise bad("can't parse JSON object") from None
                if not isinstance(body, dict):
                    raise bad("can't parse JSON object")
                raw.update(body)
            elif ctype == "multipart/form-data":
                reader = await request.multipart()
                while (part := await reader.next()) is not None:
                    if not isinstance(part, BodyPartReader) or part.name is None:
                        continue
                    if part.filename is not None:
                        content = bytes(await part.read())
                        files[part.name] = UploadedFile(
                            part.filename, content, part.headers.get("Content-Type")
                        )
                    else:
                        raw[part.name] = await part.text()
            elif ctype == "application/x-www-form-urlencoded":
                raw.update(await request.post())
        return {k: _coerce(k, v) for k, v in raw.items()}, files

    async def _handle_method(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        requested = request.match_info["method"]
        name, handler = self._methods.get(requested.lower(), (requested, None))
        started = time.monotonic()
        params: dict[str, Any] = {}
        files: dict[str, UploadedFile] = {}
        injected = False
        try:
            if not TOKEN_RE.match(token):
                raise ApiError(401, "Unauthorized")
            self._last_token = token
            params, files = await self._read_params(request)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            ctx = _Ctx(name, token, params, files, request)
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
        for rule in self._delays:
            if rule.matches(name.lower(), params.get("chat_id")):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._delays.remove(rule)
                await asyncio.sleep(rule.seconds)
                break
        return web.json_response(body, status=status)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        path = request.match_info["path"]
        stored = self._files_by_path.get(path) if TOKEN_RE.match(token) else None
        if stored is None:
            body = {"ok": False, "error_code": 404, "description": "Not Found"}
            self._record(
                Call("downloadFile", {"file_path": path}, {}, time.monotonic(), body, 404, token)
            )
            return web.json_response(body, status=404)
        self._record(
            Call(
                "downloadFile", {"file_path": path}, {}, time.monotonic(),
                {"ok": True, "result": None}, 200, token,
            )
        )
        return web.Response(body=stored.content, content_type="application/octet-stream")

    # ------------------------------------------------------------------ parameter helpers

    def _chat_id(self, params: dict[str, Any], key: str = "chat_id") -> int:
        value = params.get(key)
        if value is None or value == "":
            raise bad("chat_id is empty")
        if isinstance(value, bool):
            raise bad("chat not found")
        if isinstance(value, int):
            chat_id = value
        elif isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            chat_id = int(value)
        elif isinstance(value, str) and value.startswith("@"):
            for cid, chat in self._chats.items():
                if chat.get("username", "").lower() == value[1:].lower():
                    return cid
            raise bad("chat not found")
        else:
            raise bad("chat not found")
        if chat_id == 0:
            raise bad("chat not found")
        return chat_id

    @staticmethod
    def _message_id(params: dict[str, Any], key: str = "message_id") -> int:
        value = params.get(key)
        if isinstance(value, bool) or value in (None, ""):
            raise bad("message identifier is not specified")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad("message identifier is not specified") from None

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

    def _stored(self, chat_id: int, message_id: int) -> _StoredMessage | None:
        return self._messages.get(chat_id, {}).get(message_id)

    def _bot_message(self, token: str, chat_id: int, **content: Any) -> dict[str, Any]:
        message = {
            "message_id": self._new_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self._bot_user(token),
        }
        message.update({k: v for k, v in content.items() if v not in (None, [], "")})
        self._store(chat_id, message, from_bot=True)
        return json.loads(json.dumps(message))  # a copy: later edits must not change old results

    def _check_reply_to(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any] | None:
        """reply_parameters / reply_to_message_id must point to an existing message."""
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow = bool(reply.get("allow_sending_without_reply"))
            target_chat = reply.get("chat_id", chat_id)
        elif params.get("reply_to_message_id") is not None:
            message_id = params.get("reply_to_message_id")
            allow = bool(params.get("allow_sending_without_reply"))
            target_chat = chat_id
        else:
            return None
        stored = self._stored(target_chat, message_id) if isinstance(message_id, int) else None
        if stored is None:
            if allow:
                return None
            raise bad("message to be replied not found")
        return json.loads(json.dumps(stored.message))

    def _register_file(
        self,
        content: bytes,
        folder: str,
        file_name: str | None = None,
        mime_type: str | None = None,
        prefix: str = "BQACAgIAAxkBAA",
    ) -> _StoredFile:
        self._file_seq += 1
        ext = ""
        if file_name and "." in file_name:
            ext = file_name[file_name.rfind(".") :]
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

    async def _m_logOut(self, ctx: _Ctx) -> bool:
        self._gate(ctx)
        return True

    async def _m_close(self, ctx: _Ctx) -> bool:
        self._gate(ctx)
        return True

    async def _m_extra(self, ctx: _Ctx) -> Any:
        self._gate(ctx)
        return self._extra_methods[ctx.method.lower()]

    async def _m_setWebhook(self, ctx: _Ctx) -> bool:
        url = ctx.params.get("url")
        if url not in (None, "") and not (isinstance(url, str) and url.startswith("https://")):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        self._gate(ctx)
        self.webhook = dict(ctx.params) if url else None  # an empty url removes the webhook
        return True

    async def _m_deleteWebhook(self, ctx: _Ctx) -> bool:
        self._gate(ctx)
        self.webhook = None
        if ctx.params.get("drop_pending_updates") is True:
            if self._updates:
                self._confirmed_upto = max(self._confirmed_upto, self._updates[-1]["update_id"] + 1)
            self._updates.clear()
        return True

    async def _m_getWebhookInfo(self, ctx: _Ctx) -> dict[str, Any]:
        self._gate(ctx)
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    # ------------------------------------------------------------------ methods: updates

    async def _m_getUpdates(self, ctx: _Ctx) -> list[dict[str, Any]]:
        """Long polling as Telegram does it: offset confirms, timeout waits, 409 on a rival."""
        p = ctx.params
        if self.webhook:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        try:
            offset = int(p.get("offset") or 0)
            limit = int(p.get("limit") or 100)
            timeout = float(p.get("timeout") or 0)
        except (TypeError, ValueError):
            raise bad("wrong parameter in request") from None
        limit = min(max(limit, 1), 100)
        allowed = p.get("allowed_updates")
        if allowed is not None and not isinstance(allowed, list):
            raise bad("can't parse allowed updates JSON object")
        self._gate(ctx)
        if allowed is not None:
            self._allowed_updates = frozenset(allowed) or None
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if offset > self._confirmed_upto:
                self._confirmed_upto = offset
        elif offset < 0:
            dropped = self._updates[:offset]
            self._updates = self._updates[offset:]
            if dropped:
                self._confirmed_upto = max(self._confirmed_upto, dropped[-1]["update_id"] + 1)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # wakes a rival long poll, which then answers 409
        deadline = time.monotonic() + max(timeout, 0)
        while True:
            if generation != self._poll_generation:
                transport = ctx.request.transport
                if transport is None or transport.is_closing():
                    return []  # the old client went away; nobody to tell about the conflict
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )
            if self._updates or self._closing:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await self._wait_change(remaining)
        return json.loads(json.dumps(self._updates[:limit]))

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates pushed but not yet confirmed by the bot."""
        return list(self._updates)

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update (``update_id`` assigned unless given); wakes a waiting getUpdates.

        As on Telegram, an update whose type the bot excluded with ``allowed_updates`` is never
        delivered; it lands in ``dropped_updates`` instead.
        """
        update = dict(update)
        if "update_id" in update:
            self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        else:
            update["update_id"] = self._next_update_id
            self._next_update_id += 1
        kinds = [k for k in update if k != "update_id"]
        allowed = self._allowed_updates or DEFAULT_ALLOWED_UPDATES
        if kinds and kinds[0] not in allowed:
            self.dropped_updates.append(update)
        else:
            self._updates.append(update)
            self._notify()
        return update["update_id"]

    def _user(
        self, user_id: int, first_name: str, username: str | None = None
    ) -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "ru"}
        if username:
            user["username"] = username
        return user

    def _resolve_ids(
        self, chat_id: int | None, user_id: int | None, chat_type: str
    ) -> tuple[int, int]:
        if chat_type == "private":
            user_id = user_id if user_id is not None else (chat_id or self.DEFAULT_USER_ID)
            return (chat_id if chat_id is not None else user_id), user_id
        return (
            chat_id if chat_id is not None else self.DEFAULT_GROUP_ID,
            user_id if user_id is not None else self.DEFAULT_USER_ID,
        )

    def _user_message(
        self,
        chat_id: int | None,
        user_id: int | None,
        chat_type: str,
        first_name: str,
        username: str | None,
        content: dict[str, Any],
        chat_title: str = "Тестовая группа",
    ) -> dict[str, Any]:
        chat_id, user_id = self._resolve_ids(chat_id, user_id, chat_type)
        user = self._user(user_id, first_name, username)
        if chat_type == "private":
            chat: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": first_name}
            if username:
                chat["username"] = username
        else:
            chat = {"id": chat_id, "type": chat_type, "title": chat_title}
        self._chats[chat_id] = chat
        message = {
            "message_id": self._new_message_id(chat_id),
            "date": int(time.time()),
            "chat": dict(chat),
            "from": user,
            **content,
        }
        self._store(chat_id, message, from_bot=False)
        return json.loads(json.dumps(message))

    def push_message(
        self,
        text: str,
        chat_id: int | None = None,
        user_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Тест",
        username: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        """A user's text message; a leading /command gets its bot_command entity (as Telegram)."""
        content: dict[str, Any] = {"text": text}
        if entities is None:
            m = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,})?", text)
            entities = (
                [{"type": "bot_command", "offset": 0, "length": utf16_len(m.group())}]
                if m
                else []
            )
        if entities:
            content["entities"] = entities
        if reply_to_message_id is not None:
            cid, _ = self._resolve_ids(chat_id, user_id, chat_type)
            stored = self._stored(cid, reply_to_message_id)
            if stored is not None:
                content["reply_to_message"] = json.loads(json.dumps(stored.message))
        message = self._user_message(chat_id, user_id, chat_type, first_name, username, content)
        return self.push_update({"message": message})

    def push_edited_message(
        self,
        text: str,
        message_id: int | None = None,
        chat_id: int | None = None,
        user_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Тест",
    ) -> int:
        """The user edited one of their messages (by default the last one in the chat)."""
        chat_id, user_id = self._resolve_ids(chat_id, user_id, chat_type)
        own = {
            mid: s for mid, s in self._messages.get(chat_id, {}).items() if not s.from_bot
        }
        if message_id is None:
            message_id = max(own) if own else None
        if message_id is None or message_id not in own:
            # Nothing to edit yet: create the original message first.
            original = self._user_message(chat_id, user_id, chat_type, first_name, None, {
                "text": text
            })
            message_id = original["message_id"]
            own = {message_id: self._messages[chat_id][message_id]}
        stored = own[message_id]
        stored.message["text"] = text
        stored.message.pop("entities", None)
        stored.message["edit_date"] = int(time.time())
        return self.push_update({"edited_message": json.loads(json.dumps(stored.message))})

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
        bot_messages = {
            mid: s for mid, s in self._messages.get(chat_id, {}).items() if s.from_bot
        }
        if message_id is None and bot_messages:
            message_id = max(bot_messages)
        stored = bot_messages.get(message_id) if message_id is not None else None
        if stored is None and message_id in self._messages.get(chat_id, {}):
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
                    "message": json.loads(json.dumps(stored.message)),
                    "data": data,
                }
            }
        )

    def push_inline_query(
        self, query: str, user_id: int | None = None, offset: str = "", first_name: str = "Тест"
    ) -> int:
        self._query_seq += 1
        query_id = f"{5_000_000_000_000_000 + self._query_seq}"
        self._inline_queries[query_id] = False
        return self.push_update(
            {
                "inline_query": {
                    "id": query_id,
                    "from": self._user(user_id or self.DEFAULT_USER_ID, first_name),
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
        first_name: str = "Тест",
        with_size: bool = True,
    ) -> int:
        """A user sends a file; getFile + download then return exactly ``file_bytes``.

        ``with_size=False`` leaves ``file_size`` out of the message and of getFile's answer,
        as the Bot API allows (it is optional in both).
        """
        mime_type = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        stored = self._register_file(file_bytes, "documents", file_name, mime_type)
        stored.size_known = with_size
        content: dict[str, Any] = {
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": file_name,
                "mime_type": mime_type,
            }
        }
        if with_size:
            content["document"]["file_size"] = len(file_bytes)
        if caption:
            content["caption"] = caption
        message = self._user_message(chat_id, user_id, chat_type, first_name, None, content)
        return self.push_update({"message": message})

    def push_photo(
        self,
        file_bytes: bytes = b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9",
        caption: str | None = None,
        chat_id: int | None = None,
        user_id: int | None = None,
        chat_type: str = "private",
    ) -> int:
        stored = self._register_file(file_bytes, "photos", "photo.jpg", "image/jpeg", "AgACAgIAAx")
        content: dict[str, Any] = {
            "photo": [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": 640,
                    "height": 480,
                    "file_size": len(file_bytes),
                }
            ]
        }
        if caption:
            content["caption"] = caption
        message = self._user_message(chat_id, user_id, chat_type, "Тест", None, content)
        return self.push_update({"message": message})

    def push_voice(
        self,
        file_bytes: bytes = b"OggS\x00fake-voice",
        duration: int = 3,
        chat_id: int | None = None,
        user_id: int | None = None,
        chat_type: str = "private",
    ) -> int:
        stored = self._register_file(file_bytes, "voice", "voice.oga", "audio/ogg", "AwACAgIAAx")
        content = {
            "voice": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "duration": duration,
                "mime_type": "audio/ogg",
                "file_size": len(file_bytes),
            }
        }
        message = self._user_message(chat_id, user_id, chat_type, "Тест", None, content)
        return self.push_update({"message": message})

    def push_sticker(
        self,
        emoji: str = "👍",
        chat_id: int | None = None,
        user_id: int | None = None,
        chat_type: str = "private",
    ) -> int:
        stored = self._register_file(b"RIFFfake-webp", "stickers", "sticker.webp", "image/webp",
                                     "CAACAgIAAx")
        content = {
            "sticker": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": emoji,
                "file_size": len(stored.content),
            }
        }
        message = self._user_message(chat_id, user_id, chat_type, "Тест", None, content)
        return self.push_update({"message": message})

    # ------------------------------------------------------------------ inspection helpers

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Current state of the chat (user and bot messages, after edits and deletions)."""
        stored = self._messages.get(chat_id, {})
        return [json.loads(json.dumps(stored[mid].message)) for mid in sorted(stored)]

    def last_bot_message(self, chat_id: int) -> dict[str, Any] | None:
        bot = [m for m in self.messages(chat_id) if m.get("from", {}).get("is_bot")]
        return bot[-1] if bot else None

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[
        dict[str, str]
    ]:
        """Commands currently set for ``scope`` (default scope if None) and language."""
        return list(self._commands.get((self._scope_key(scope), language_code or ""), []))

    # ------------------------------------------------------------------ methods: messages

    async def _m_sendMessage(self, ctx: _Ctx) -> dict[str, Any]:
        p = ctx.params
        chat_id = self._chat_id(p)
        plain, entities = check_text(p.get("text"), p.get("parse_mode"))
        markup = check_reply_markup(p.get("reply_markup"))
        reply_to = self._check_reply_to(chat_id, p)
        self._gate(ctx, chat_id)
        return self._bot_message(
            ctx.token, chat_id, text=plain, entities=entities,
            reply_markup=_inline_markup(markup), reply_to_message=reply_to,
        )

    def _editable(self, chat_id: int, message_id: int) -> _StoredMessage:
        stored = self._stored(chat_id, message_id)
        if stored is None:
            raise bad("message to edit not found")
        if not stored.from_bot:
            raise bad("message can't be edited")
        return stored

    async def _m_editMessageText(self, ctx: _Ctx) -> dict[str, Any] | bool:
        p = ctx.params
        plain, entities = check_text(p.get("text"), p.get("parse_mode"))
        markup = check_reply_markup(p.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise bad("inline keyboard expected")
        if p.get("inline_message_id"):
            self._gate(ctx)
            return True
        chat_id = self._chat_id(p)
        stored = self._editable(chat_id, self._message_id(p))
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
        return json.loads(json.dumps(stored.message))

    async def _m_editMessageReplyMarkup(self, ctx: _Ctx) -> dict[str, Any] | bool:
        p = ctx.params
        markup = check_reply_markup(p.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise bad("inline keyboard expected")
        if p.get("inline_message_id"):
            self._gate(ctx)
            return True
        chat_id = self._chat_id(p)
        stored = self._editable(chat_id, self._message_id(p))
        old_markup = stored.message.get("reply_markup")
        new_markup = _inline_markup(markup)
        if json.dumps(old_markup, sort_keys=True) == json.dumps(new_markup, sort_keys=True):
            raise ApiError(400, NOT_MODIFIED)
        self._gate(ctx, chat_id)
        if new_markup:
            stored.message["reply_markup"] = new_markup
        else:
            stored.message.pop("reply_markup", None)
        stored.message["edit_date"] = int(time.time())
        return json.loads(json.dumps(stored.message))

    async def _m_deleteMessage(self, ctx: _Ctx) -> bool:
        p = ctx.params
        chat_id = self._chat_id(p)
        message_id = self._message_id(p)
        if self._stored(chat_id, message_id) is None:
            raise bad("message to delete not found")
        self._gate(ctx, chat_id)
        del self._messages[chat_id][message_id]
        return True

    async def _m_sendChatAction(self, ctx: _Ctx) -> bool:
        p = ctx.params
        chat_id = self._chat_id(p)
        if p.get("action") not in CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        self._gate(ctx, chat_id)
        return True

    async def _m_sendDocument(self, ctx: _Ctx) -> dict[str, Any]:
        p = ctx.params
        chat_id = self._chat_id(p)
        doc = p.get("document")
        upload: UploadedFile | None = None
        reused: _StoredFile | None = None
        if isinstance(doc, str) and doc.startswith("attach://"):
            upload = ctx.files.get(doc[len("attach://") :])
            if upload is None:
                raise bad("wrong file identifier/HTTP URL specified")
        elif "document" in ctx.files:
            upload = ctx.files["document"]
        elif isinstance(doc, str) and doc in self._files:
            reused = self._files[doc]
        elif isinstance(doc, str) and doc.lower().startswith(("http://", "https://")):
            raise bad("failed to get HTTP URL content")
        elif not doc:
            raise bad("there is no document in the request")
        else:
            raise bad("wrong file identifier/HTTP URL specified")
        if upload is not None:
            if not upload.content:
                raise bad("file must be non-empty")
            if len(upload.content) > MAX_UPLOAD_BYTES:
                raise ApiError(413, "Request Entity Too Large")
        caption, caption_entities = check_text(p.get("caption"), p.get("parse_mode"), caption=True)
        markup = check_reply_markup(p.get("reply_markup"))
        reply_to = self._check_reply_to(chat_id, p)
        self._gate(ctx, chat_id)
        if upload is not None:
            filename = upload.filename
            mime = mimetypes.guess_type(filename or "")[0] or "application/octet-stream"
            stored = self._register_file(upload.content, "documents", filename, mime)
        else:
            assert reused is not None
            stored = reused
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        message = self._bot_message(
            ctx.token, chat_id, document=document, caption=caption,
            caption_entities=caption_entities, reply_markup=_inline_markup(markup),
            reply_to_message=reply_to,
        )
        self.documents.append(
            SentDocument(chat_id, stored.file_name, stored.content, p.get("caption"),
                         stored.mime_type)
        )
        return message

    # ------------------------------------------------------------------ methods: queries

    async def _m_answerCallbackQuery(self, ctx: _Ctx) -> bool:
        p = ctx.params
        query_id = str(p.get("callback_query_id") or "")
        if self._callback_queries.get(query_id, True):  # unknown or already answered
            raise bad(QUERY_TOO_OLD[len("Bad Request: ") :])
        text = p.get("text")
        if text is not None and utf16_len(str(text)) > MAX_CALLBACK_ANSWER_LEN:
            raise bad("MESSAGE_TOO_LONG")
        url = p.get("url")
        if url is not None and not _valid_button_url(url):
            raise bad("URL_INVALID")
        self._gate(ctx)
        self._callback_queries[query_id] = True
        return True

    async def _m_answerInlineQuery(self, ctx: _Ctx) -> bool:
        p = ctx.params
        query_id = str(p.get("inline_query_id") or "")
        if self._inline_queries.get(query_id, True):
            raise bad(QUERY_TOO_OLD[len("Bad Request: ") :])
        results = p.get("results")
        if not isinstance(results, list):
            raise bad("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise bad("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            self._check_inline_result(result, seen)
        next_offset = p.get("next_offset")
        if next_offset is not None and len(str(next_offset).encode("utf-8")) > 64:
            raise bad("NEXT_OFFSET_INVALID")
        self._gate(ctx)
        self._inline_queries[query_id] = True
        return True

    @staticmethod
    def _check_inline_result(result: Any, seen: set[str]) -> None:
        if not isinstance(result, dict):
            raise bad("can't parse inline query result: InlineQueryResult must be an Object")
        kind = result.get("type")
        if kind not in INLINE_RESULT_TYPES:
            raise bad(f'can\'t parse inline query result: Unsupported type "{kind}"')
        rid = result.get("id")
        if not isinstance(rid, str) or not 1 <= len(rid.encode("utf-8")) <= (
            MAX_INLINE_RESULT_ID_BYTES
        ):
            raise bad("RESULT_ID_INVALID")
        if rid in seen:
            raise bad("RESULT_ID_DUPLICATE")
        seen.add(rid)
        if kind == "article":
            title = result.get("title")
            if not isinstance(title, str) or not title.strip():
                raise bad("RESULT_TITLE_EMPTY")
        content = result.get("input_message_content")
        if kind == "article" and not isinstance(content, dict):
            raise bad('can\'t parse inline query result: Can\'t find field "input_message_content"')
        if isinstance(content, dict) and "message_text" in content:
            check_text(content.get("message_text"), content.get("parse_mode"))
        elif kind == "article":
            raise bad("message text is empty")
        if "caption" in result:
            check_text(result.get("caption"), result.get("parse_mode"), caption=True)
        if result.get("reply_markup") is not None:
            markup = check_reply_markup(result["reply_markup"])
            if markup is None or "inline_keyboard" not in markup:
                raise bad("inline keyboard expected")

    # ------------------------------------------------------------------ methods: commands

    @staticmethod
    def _scope_key(scope: Any) -> str:
        scope = scope or {"type": "default"}
        return json.dumps(scope, sort_keys=True, ensure_ascii=False)

    def _check_scope(self, params: dict[str, Any]) -> str:
        scope = params.get("scope")
        if scope is None:
            return self._scope_key(None)
        if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
            raise bad("can't parse BotCommandScope JSON object")
        for key in COMMAND_SCOPES[scope["type"]]:
            if key not in scope:
                raise bad(f'can\'t parse BotCommandScope: Can\'t find field "{key}"')
        normalized = dict(scope)
        if "chat_id" in normalized:
            normalized["chat_id"] = self._chat_id(normalized)
        return self._scope_key(normalized)

    @staticmethod
    def _check_language(params: dict[str, Any]) -> str:
        lang = params.get("language_code") or ""
        if lang and not re.fullmatch(r"[a-z]{2}", str(lang)):
            raise bad("invalid language code specified")
        return str(lang)

    async def _m_setMyCommands(self, ctx: _Ctx) -> bool:
        p = ctx.params
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise bad("can't parse commands JSON object")
        if not commands:
            raise bad("commands must be non-empty")
        if len(commands) > 100:
            raise bad("BOT_COMMANDS_TOO_MUCH")
        clean: list[dict[str, str]] = []
        for cmd in commands:
            if not isinstance(cmd, dict):
                raise bad("can't parse BotCommand JSON object")
            name = cmd.get("command")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise bad("BOT_COMMAND_INVALID")
            desc = cmd.get("description")
            if not isinstance(desc, str) or not desc.strip() or len(desc) > 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": name, "description": desc})
        scope = self._check_scope(p)
        lang = self._check_language(p)
        self._gate(ctx)
        self._commands[(scope, lang)] = clean
        return True

    async def _m_deleteMyCommands(self, ctx: _Ctx) -> bool:
        scope = self._check_scope(ctx.params)
        lang = self._check_language(ctx.params)
        self._gate(ctx)
        self._commands.pop((scope, lang), None)
        return True

    async def _m_getMyCommands(self, ctx: _Ctx) -> list[dict[str, str]]:
        scope = self._check_scope(ctx.params)
        lang = self._check_language(ctx.params)
        self._gate(ctx)
        return list(self._commands.get((scope, lang), []))

    # ------------------------------------------------------------------ methods: files

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
