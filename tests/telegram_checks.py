"""What Telegram refuses, as pure checks: one module for every fake Telegram of the tests.

The HTTP fake Bot API server (``tests/fakebotapi.py``, end-to-end tests) and the in-process
aiogram session (``tests/inprocess.py``, the bot tests) both run the bot's requests through
these functions, so the two cannot drift apart: HTML entity parsing, text and caption
lengths in UTF-16 units, inline keyboards (one action per button, ``callback_data`` of
1..64 bytes, button URLs), reply keyboards, callback answers, inline query results, command
lists, forum topic names and icon colours, reply parameters, and which messages are service
messages (those copyMessage / forwardMessage refuse). A refusal raises ``ApiError`` with
Telegram's status code and wording.

Deliberately *stricter* than Telegram, so a bug is caught early rather than tolerated: in
HTML a bare ``>`` or ``&`` is refused (Telegram sometimes lets them through), unknown
attributes of known tags are refused, an inline button must carry exactly one action, and
only the parse mode the bot uses (HTML, or none) is understood; a topic icon colour must be
one of the six Telegram documents (Telegram checks only that it is an RGB value).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "ApiError",
    "EntityParseError",
    "bad",
    "check_callback_answer",
    "check_commands",
    "check_inline_results",
    "check_reply_markup",
    "check_text",
    "check_topic_icon_color",
    "clean_topic_name",
    "is_service_message",
    "parse_html",
    "reply_parameters",
    "utf16_len",
    "valid_button_url",
]

MAX_TEXT_LEN = 4096  # UTF-16 code units, after entity parsing
MAX_CAPTION_LEN = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LEN = 200
MAX_INLINE_RESULTS = 50
MAX_INLINE_RESULT_ID_BYTES = 64
MAX_KEYBOARD_BUTTONS = 100
MAX_COMMANDS = 100
MAX_TOPIC_NAME_LEN = 128  # characters; Telegram cuts a longer name, it does not refuse it

#: The colours of a forum topic's icon that Telegram documents (createForumTopic).
TOPIC_ICON_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)

#: What a message that is not a service message holds: what copyMessage and forwardMessage
#: can send again. A message with none of these (a topic created or closed, a member joined,
#: a pinned message...) is a service message: "the message can't be copied".
MESSAGE_CONTENT_KINDS = (
    "text", "photo", "document", "voice", "audio", "video", "video_note", "animation",
    "sticker", "location", "venue", "contact", "poll", "dice",
)

#: The actions an inline button may carry; exactly one per button.
INLINE_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status = ``code``, JSON body like Telegram's."""

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
            "ok": False, "error_code": self.code, "description": self.description
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad(description: str) -> ApiError:
    """400 with Telegram's "Bad Request: ..." prefix."""
    return ApiError(400, f"Bad Request: {description}")


# --------------------------------------------------------------------------- HTML


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

#: Telegram's HTML tags (the entity each one makes); only <a> carries an attribute, href.
#: The tags with attributes the bot never writes (<span class>, <tg-emoji>, <code class>,
#: <blockquote expandable>) are refused: the fake learns them when the bot needs them.
_TAG_ENTITY = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "tg-spoiler": "spoiler", "a": "text_link", "code": "code",
    "pre": "pre", "blockquote": "blockquote",
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
    if name not in _TAG_ENTITY:
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
        if (name, attr) != ("a", "href"):
            raise EntityParseError(
                f'Tag "{name}" must not have attribute "{attr}" at byte offset {boff}'
            )
        if attr in attrs:
            raise EntityParseError(
                f'Duplicate attribute "{attr}" in the tag "{name}" at byte offset {boff}'
            )
        attrs[attr] = value

    if name == "a" and "href" not in attrs:
        raise EntityParseError(f'Tag "a" must have attribute "href" at byte offset {boff}')
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
            _close_entity(open_tag, u16, entities)
        else:
            name, attrs, i = _parse_start_tag(text, i)
            stack.append({"name": name, "attrs": attrs, "start": u16})
    if stack:
        raise EntityParseError(
            f'Can\'t find end tag corresponding to start tag "{stack[-1]["name"]}"'
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close_entity(tag: dict[str, Any], end: int, entities: list[dict[str, Any]]) -> None:
    length = end - tag["start"]
    if length <= 0:
        return  # Telegram silently drops empty entities
    entity: dict[str, Any] = {"type": _TAG_ENTITY[tag["name"]], "offset": tag["start"],
                              "length": length}
    if tag["name"] == "a":
        entity["url"] = tag["attrs"]["href"]
    entities.append(entity)


# --------------------------------------------------------------------------- texts


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
    if not isinstance(text, str):
        raise bad("can't parse caption" if caption else "message text is empty")
    if not parse_mode:
        plain, entities = text, []
    elif str(parse_mode).lower() == "html":
        try:
            plain, entities = parse_html(text)
        except EntityParseError as e:
            raise bad(f"can't parse entities: {e}") from None
    else:
        raise bad("unsupported parse_mode")  # the bot speaks HTML only: Markdown is a bug
    limit = MAX_CAPTION_LEN if caption else MAX_TEXT_LEN
    if utf16_len(plain) > limit:
        raise bad("message caption is too long" if caption else "message is too long")
    if not caption and not plain.strip():
        raise bad("message text is empty")
    return plain, entities


# --------------------------------------------------------------------------- keyboards


def valid_button_url(url: Any) -> bool:
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
    value = button[actions[0]]
    if actions[0] == "callback_data":
        size = len(value.encode("utf-8")) if isinstance(value, str) else 0
        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise bad("BUTTON_DATA_INVALID")
    elif actions[0] == "url" and not valid_button_url(value):
        raise bad("BUTTON_URL_INVALID")


def _rows(markup: dict[str, Any], key: str) -> list[list[Any]]:
    rows = markup[key]
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad(f'Field "{key}" of the keyboard markup must be an Array of Arrays')
    if sum(len(r) for r in rows) > MAX_KEYBOARD_BUTTONS:
        raise bad("REPLY_MARKUP_TOO_LONG")
    return rows


def check_reply_markup(raw: Any) -> dict[str, Any] | None:
    """Validate ``reply_markup`` (dict or its JSON string); return it decoded, or None.

    The shapes the bot sends: an inline keyboard, or a reply keyboard (the main menu)."""
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
        for row in _rows(markup, "inline_keyboard"):
            for button in row:
                _check_inline_button(button)
    elif "keyboard" in markup:
        for row in _rows(markup, "keyboard"):
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str) or not text.strip():
                    raise bad("can't parse keyboard button: Text must be non-empty")
    else:
        raise bad("can't parse reply keyboard markup JSON object")
    return markup


# --------------------------------------------------------------------------- answers, commands


def check_callback_answer(text: Any, url: Any) -> None:
    """answerCallbackQuery: a notification of at most 200 characters, a valid URL."""
    if text is not None and utf16_len(str(text)) > MAX_CALLBACK_ANSWER_LEN:
        raise bad("MESSAGE_TOO_LONG")
    if url is not None and not valid_button_url(url):
        raise bad("URL_INVALID")


def check_inline_results(results: Any) -> None:
    """answerInlineQuery: at most 50 articles, unique ids of 1..64 bytes, a title, a valid
    message text, an inline keyboard if any."""
    if not isinstance(results, list):
        raise bad("can't parse inline query results JSON object")
    if len(results) > MAX_INLINE_RESULTS:
        raise bad("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        if not isinstance(result, dict):
            raise bad("can't parse inline query result: InlineQueryResult must be an Object")
        if result.get("type") != "article":  # the only kind the bot sends
            raise bad(f'can\'t parse inline query result: Unsupported type "{result.get("type")}"')
        rid = result.get("id")
        size = len(rid.encode("utf-8")) if isinstance(rid, str) else 0
        if not 1 <= size <= MAX_INLINE_RESULT_ID_BYTES:
            raise bad("RESULT_ID_INVALID")
        if rid in seen:
            raise bad("RESULT_ID_DUPLICATE")
        seen.add(rid)
        title = result.get("title")
        if not isinstance(title, str) or not title.strip():
            raise bad("RESULT_TITLE_EMPTY")
        content = result.get("input_message_content")
        if not isinstance(content, dict):
            raise bad(
                'can\'t parse inline query result: Can\'t find field "input_message_content"'
            )
        check_text(content.get("message_text"), content.get("parse_mode"))
        if result.get("reply_markup") is not None:
            markup = check_reply_markup(result["reply_markup"])
            if markup is None or "inline_keyboard" not in markup:
                raise bad("inline keyboard expected")


def check_commands(commands: Any) -> list[dict[str, str]]:
    """setMyCommands: 1..100 commands of [a-z0-9_]{1,32}, each with a 1..256 description."""
    if not isinstance(commands, list):
        raise bad("can't parse commands JSON object")
    if not commands:
        raise bad("commands must be non-empty")
    if len(commands) > MAX_COMMANDS:
        raise bad("BOT_COMMANDS_TOO_MUCH")
    clean = []
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
    return clean


# --------------------------------------------------------------------------- forums, replies

#: Characters Telegram turns into a plain space in a name, and those that alone make it empty.
_NAME_SPACES = re.compile("[\u1680\u180e\u2000-\u200a\u202e\u202f\u205f\u2800\u3000\ufffc]")
_NAME_EMPTY = frozenset(" \n\u200b\u200c\u200d\u200e\u200f\u202e\ufeff\u00a0")


def clean_topic_name(name: Any) -> str:
    """A forum topic's name as Telegram keeps it (createForumTopic, editForumTopic).

    As TDLib's ``clean_name``: unusual spaces become spaces, the name is trimmed and cut to
    128 characters (a longer name is cut, not refused), runs of spaces and line breaks become
    one space. Nothing visible left: "name must be non-empty".
    """
    if not isinstance(name, str):
        raise bad("name must be non-empty")
    text = _NAME_SPACES.sub(" ", name).strip()[:MAX_TOPIC_NAME_LEN].strip()
    if all(ch in _NAME_EMPTY for ch in text):
        raise bad("name must be non-empty")
    return re.sub(r"[ \n\u00a0]+", " ", text).strip()


def check_topic_icon_color(color: Any) -> int:
    """createForumTopic's ``icon_color``: one of Telegram's six colours (stricter than Telegram,
    which refuses only a value that is not RGB, and then says "invalid icon color specified")."""
    if isinstance(color, bool) or not isinstance(color, int) or color not in TOPIC_ICON_COLORS:
        raise bad("invalid icon color specified")
    return color


def is_service_message(message: dict[str, Any]) -> bool:
    """A message about the chat (topic created, closed...) rather than one a person wrote."""
    return not any(kind in message for kind in MESSAGE_CONTENT_KINDS)


def reply_parameters(params: dict[str, Any]) -> tuple[int | None, Any, bool]:
    """What a send method is asked to reply to: (message_id, chat_id, allow_sending_without_reply).

    ``reply_parameters`` (Bot API 7.0) or the older ``reply_to_message_id`` /
    ``allow_sending_without_reply``, which Telegram still takes. ``chat_id`` is None for a
    reply in the same chat; ``message_id`` None when the message replies to nothing.
    """
    if "reply_parameters" in params:
        raw = params["reply_parameters"]
        if raw is None or raw == "":
            return None, None, False
        rp = raw
        if isinstance(raw, str):
            try:
                rp = json.loads(raw)
            except ValueError:
                raise bad("can't parse reply parameters JSON object") from None
        if not isinstance(rp, dict):
            raise bad("object expected as reply parameters")
        if not rp:
            return None, None, False
        message_id = rp.get("message_id")
        if isinstance(message_id, bool) or not isinstance(message_id, int):
            raise bad('can\'t find field "message_id"')
        if message_id <= 0:
            return None, None, False
        return message_id, rp.get("chat_id"), bool(rp.get("allow_sending_without_reply"))
    message_id = params.get("reply_to_message_id")
    if isinstance(message_id, bool) or not isinstance(message_id, int) or message_id <= 0:
        return None, None, False  # as Telegram: an unreadable id replies to nothing
    return message_id, None, bool(params.get("allow_sending_without_reply"))
