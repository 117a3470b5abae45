"""The Telegram checks must reject what Telegram rejects and accept what it accepts.

Both fakes of Telegram (the HTTP server of the e2e tests and the in-process session of the
bot tests) apply ``tests/telegram_checks.py``. If the checks were laxer than Telegram, the
bot's tests would pass on messages production refuses; if stricter by mistake, they would
fail on correct code. These tests pin both sides on the pure functions.
"""

from __future__ import annotations

import json

import pytest

from tests.telegram_checks import (
    ApiError,
    EntityParseError,
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


def inline(*buttons: dict) -> dict:
    return {"inline_keyboard": [list(buttons)]}


def error_of(fn, *args, **kwargs) -> str:
    with pytest.raises(ApiError) as exc:
        fn(*args, **kwargs)
    assert exc.value.code == 400
    return exc.value.description


# --------------------------------------------------------------------------- HTML


@pytest.mark.parametrize(
    "text",
    [
        "просто текст",
        "<b>ж</b> <strong>ж</strong> <i>к</i> <em>к</em> <u>п</u> <ins>п</ins>",
        "<s>з</s> <strike>з</strike> <del>з</del>",
        "<tg-spoiler>спойлер</tg-spoiler>",
        '<a href="https://example.org/?a=1&amp;b=2">ссылка</a>',
        "<a href='tg://user?id=123'>юзер</a>",
        "<code>x = 1</code>",
        "<pre>блок</pre>",
        "<blockquote>цитата</blockquote>",
        "a &lt; b &gt; c &amp; &quot;d&quot;",
        "&#1055;&#x41F; &#128077;",
        "<b>жирный <i>и курсив</i></b>",
        "<B>верхний регистр</B>",
        "<b >пробел в теге</b >",
        "строка 1\nстрока 2",
    ],
)
def test_html_accepts_telegram_markup(text):
    parse_html(text)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("строка<br>строка", 'Unsupported start tag "br"'),
        ("<p>абзац</p>", 'Unsupported start tag "p"'),
        ("a < b", 'Unsupported start tag ""'),
        ("a > b", 'Character ">"'),
        ("AT&T", 'Character "&"'),
        ("a&nbsp;b", 'Unsupported HTML entity "&nbsp;"'),
        ("&apos;", "Unsupported HTML entity"),
        ("&#xD800;", "Invalid character reference"),
        ("<b>не закрыт", "Can't find end tag corresponding to start tag \"b\""),
        ("лишний</b>", "Unexpected end tag"),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("<a>x</a>", 'must have attribute "href"'),
        ('<a href="https://x.org" target="_blank">x</a>', 'attribute "target"'),
        ('<b class="x">x</b>', 'attribute "class"'),
        ("<b/>", "self-closing"),
        ('<a href="a<b">x</a>', 'Character "<"'),
        ('<a href="x&y">x</a>', 'Character "&"'),
        ('<b onclick="x">x</b>', 'attribute "onclick"'),
        # Telegram has it, the bot never writes it: refused until the fake learns it.
        ('<span class="tg-spoiler">x</span>', 'Unsupported start tag "span"'),
    ],
)
def test_html_rejects_what_telegram_rejects(text, fragment):
    with pytest.raises(EntityParseError) as exc:
        parse_html(text)
    assert fragment in str(exc.value)


def test_html_entities_have_utf16_offsets_and_decoded_text():
    plain, entities = parse_html(
        '<b>Привет</b>, <i>мир 👍</i> <a href="https://t.me/x">ссылка</a> &lt;3'
    )
    assert plain == "Привет, мир 👍 ссылка <3"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 6},
        {"type": "italic", "offset": 8, "length": 6},  # 👍 counts 2 UTF-16 units
        {"type": "text_link", "offset": 15, "length": 6, "url": "https://t.me/x"},
    ]


def test_byte_offset_is_in_utf8_bytes():
    with pytest.raises(EntityParseError, match="byte offset 7"):
        parse_html("абв <br>")  # 3 Cyrillic letters = 6 bytes, then a space


# --------------------------------------------------------------------------- text length


def test_text_length_limit_is_4096_utf16_units_after_parsing():
    check_text("я" * 4096, None)
    assert error_of(check_text, "я" * 4097, None) == "Bad Request: message is too long"
    check_text("👍" * 2048, None)
    assert utf16_len("👍") == 2
    assert error_of(check_text, "👍" * 2049, None) == "Bad Request: message is too long"
    # Tags do not count, an entity counts as one character.
    check_text("<b>" + "я" * 4096 + "</b>", "HTML")
    check_text("&amp;" * 4096, "HTML")
    assert error_of(check_text, "&amp;" * 4097, "HTML") == "Bad Request: message is too long"


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "<b> </b>", None])
def test_empty_text_is_rejected(text):
    assert error_of(check_text, text, "HTML") == "Bad Request: message text is empty"


def test_without_parse_mode_html_is_not_parsed_but_length_still_checked():
    assert check_text("a < b <br> &nbsp;", None)[0] == "a < b <br> &nbsp;"
    assert error_of(check_text, "a < b", "HTML").startswith("Bad Request: can't parse entities: ")
    assert error_of(check_text, "<b>x</b>" * 600, None) == "Bad Request: message is too long"


def test_caption_limit_is_1024_and_may_be_empty():
    assert check_text(None, "HTML", caption=True) == ("", [])
    check_text("я" * 1024, "HTML", caption=True)
    assert (
        error_of(check_text, "я" * 1025, "HTML", caption=True)
        == "Bad Request: message caption is too long"
    )
    assert "can't parse entities" in error_of(check_text, "<br>", "HTML", caption=True)


@pytest.mark.parametrize("mode", ["htm", "MarkdownV2"])
def test_a_parse_mode_the_bot_does_not_use_is_rejected(mode):
    assert error_of(check_text, "x", mode) == "Bad Request: unsupported parse_mode"


# --------------------------------------------------------------------------- reply markup


@pytest.mark.parametrize(
    "markup",
    [
        inline({"text": "Да", "callback_data": "yes"}),
        inline({"text": "д", "callback_data": "я" * 32}),  # 64 bytes in UTF-8
        inline({"text": "Сайт", "url": "https://example.org/путь?q=1"}),
        inline({"text": "Канал", "url": "tg://resolve?domain=durov"}),
        {"keyboard": [["Да", {"text": "Нет"}]], "resize_keyboard": True},
        json.dumps(inline({"text": "Да", "callback_data": "yes"})),
        None,
    ],
)
def test_markup_accepted(markup):
    check_reply_markup(markup)


@pytest.mark.parametrize(
    "markup, description",
    [
        (inline({"text": "Да", "callback_data": "x" * 65}), "BUTTON_DATA_INVALID"),
        (inline({"text": "Да", "callback_data": "я" * 33}), "BUTTON_DATA_INVALID"),
        (inline({"text": "Да", "callback_data": ""}), "BUTTON_DATA_INVALID"),
        (inline({"text": "Сайт", "url": "example.org"}), "BUTTON_URL_INVALID"),
        (inline({"text": "Сайт", "url": "https://exa mple.org"}), "BUTTON_URL_INVALID"),
        (inline({"text": "Сайт", "url": "ftp://example.org"}), "BUTTON_URL_INVALID"),
        (inline({"text": "Сайт", "url": "https://"}), "BUTTON_URL_INVALID"),
        (inline({"text": "Сайт", "url": "javascript:alert(1)"}), "BUTTON_URL_INVALID"),
        (inline({"text": "Текст"}), "Text buttons are unallowed in the inline keyboard"),
        (inline({"text": "", "callback_data": "x"}), "BUTTON_TEXT_INVALID"),
        (inline({"callback_data": "x"}), 'Can\'t find field "text"'),
        (inline({"text": "Два", "callback_data": "x", "url": "https://a.org"}), "exactly one"),
        ({"keyboard": [[{"text": ""}]]}, "Text must be non-empty"),
        ({"keyboard": [[" "]]}, "Text must be non-empty"),
        ("{not json", "can't parse reply keyboard markup JSON object"),
        ({"something": 1}, "can't parse reply keyboard markup JSON object"),
        ({"inline_keyboard": [[{"text": str(i), "callback_data": "x"} for i in range(101)]]},
         "REPLY_MARKUP_TOO_LONG"),
    ],
)
def test_markup_rejected(markup, description):
    assert description in error_of(check_reply_markup, markup)


# --------------------------------------------------------------------------- answers, commands


def test_callback_answer_text_and_url():
    check_callback_answer("я" * 200, None)
    check_callback_answer(None, "https://t.me/test_family_bot?start=x")
    assert error_of(check_callback_answer, "я" * 201, None) == "Bad Request: MESSAGE_TOO_LONG"
    assert error_of(check_callback_answer, None, "not a url") == "Bad Request: URL_INVALID"


def article(i, text="текст", title=None, **extra) -> dict:
    return {
        "type": "article", "id": str(i), "title": f"Статья {i}" if title is None else title,
        "input_message_content": {"message_text": text, "parse_mode": "HTML"}, **extra,
    }


def test_inline_results_accepted():
    check_inline_results([article(i) for i in range(50)])
    check_inline_results([article(1, reply_markup=inline({"text": "Да", "callback_data": "y"}))])
    check_inline_results([])


@pytest.mark.parametrize(
    "results, description",
    [
        ([article(i) for i in range(51)], "RESULTS_TOO_MUCH"),
        ([article(1), article(1)], "RESULT_ID_DUPLICATE"),
        ([article("я" * 33)], "RESULT_ID_INVALID"),
        ([article("")], "RESULT_ID_INVALID"),
        ([article(1, title=" ")], "RESULT_TITLE_EMPTY"),
        ([article(1, text="a < b")], "can't parse entities"),
        ([article(1, text="ю" * 4097)], "message is too long"),
        ([article(1, text=" ")], "message text is empty"),
        ([{**article(1), "type": "photo"}], 'Unsupported type "photo"'),
        ([{k: v for k, v in article(1).items() if k != "input_message_content"}],
         'Can\'t find field "input_message_content"'),
        ([article(1, reply_markup={"keyboard": [["Да"]]})], "inline keyboard expected"),
    ],
)
def test_inline_results_rejected(results, description):
    assert description in error_of(check_inline_results, results)


@pytest.mark.parametrize(
    "commands, description",
    [
        ([], "commands must be non-empty"),
        ([{"command": "Start", "description": "x"}], "BOT_COMMAND_INVALID"),
        ([{"command": "/start", "description": "x"}], "BOT_COMMAND_INVALID"),
        ([{"command": "a" * 33, "description": "x"}], "BOT_COMMAND_INVALID"),
        ([{"command": "ok", "description": ""}], "BOT_COMMAND_DESCRIPTION_INVALID"),
        ([{"command": "ok", "description": "x" * 257}], "BOT_COMMAND_DESCRIPTION_INVALID"),
        ([{"command": f"c{i}", "description": "x"} for i in range(101)], "BOT_COMMANDS_TOO_MUCH"),
    ],
)
def test_commands_rejected(commands, description):
    assert description in error_of(check_commands, commands)


def test_commands_accepted():
    commands = [{"command": "start", "description": "Начать"}, {"command": "help_2",
                                                                "description": "Помощь"}]
    assert check_commands(commands) == commands


# --------------------------------------------------------------------------- forums, replies


@pytest.mark.parametrize(
    "name, kept",
    [
        ("Обращение №12", "Обращение №12"),
        ("  Анна \n\n  Петрова  ", "Анна Петрова"),  # runs of spaces and line breaks: one space
        ("a\u2003b\u00a0c", "a b c"),  # unusual spaces become spaces
        ("я" * 128, "я" * 128),
        ("я" * 129, "я" * 128),  # Telegram cuts a longer name, it does not refuse it
        ("👍" * 130, "👍" * 128),  # characters, not UTF-16 units
        ("42", "42"),
    ],
)
def test_topic_names_as_telegram_keeps_them(name, kept):
    assert clean_topic_name(name) == kept


@pytest.mark.parametrize("name", ["", "   ", "\n", "\u200b\u200b", None])
def test_an_empty_topic_name_is_refused(name):
    assert error_of(clean_topic_name, name) == "Bad Request: name must be non-empty"


def test_topic_icon_colors():
    for color in (7322096, 16766590, 13338331, 9367192, 16749490, 16478047):
        assert check_topic_icon_color(color) == color
    for color in (0x123456, -1, 0x1000000, True, "7322096"):
        assert error_of(check_topic_icon_color, color) == (
            "Bad Request: invalid icon color specified"
        )


@pytest.mark.parametrize(
    "message, service",
    [
        ({"message_id": 1, "text": "привет"}, False),
        ({"message_id": 1, "photo": [{"file_id": "x"}], "caption": "фото"}, False),
        ({"message_id": 1, "voice": {"file_id": "x"}}, False),
        ({"message_id": 1, "sticker": {"file_id": "x"}}, False),
        ({"message_id": 1, "document": {"file_id": "x"}}, False),
        ({"message_id": 1, "forum_topic_created": {"name": "x", "icon_color": 7322096}}, True),
        ({"message_id": 1, "forum_topic_closed": {}}, True),
        ({"message_id": 1, "new_chat_members": [{"id": 1}]}, True),
        ({"message_id": 1, "pinned_message": {"message_id": 2, "text": "x"}}, True),
    ],
)
def test_service_messages(message, service):
    assert is_service_message(message) is service


@pytest.mark.parametrize(
    "params, parsed",
    [
        ({}, (None, None, False)),
        ({"reply_to_message_id": 5}, (5, None, False)),
        ({"reply_to_message_id": 5, "allow_sending_without_reply": True}, (5, None, True)),
        ({"reply_to_message_id": 0}, (None, None, False)),
        ({"reply_to_message_id": "x"}, (None, None, False)),  # unreadable: replies to nothing
        ({"reply_parameters": {"message_id": 7}}, (7, None, False)),
        ({"reply_parameters": json.dumps({"message_id": 7, "chat_id": -100,
                                          "allow_sending_without_reply": True})},
         (7, -100, True)),
        ({"reply_parameters": {}}, (None, None, False)),
        # reply_parameters wins over the older fields
        ({"reply_parameters": {"message_id": 7}, "reply_to_message_id": 5}, (7, None, False)),
    ],
)
def test_reply_parameters_read(params, parsed):
    assert reply_parameters(params) == parsed


@pytest.mark.parametrize(
    "raw, description",
    [
        ("{not json", "can't parse reply parameters JSON object"),
        ("[1]", "object expected as reply parameters"),
        ({"chat_id": 1}, 'can\'t find field "message_id"'),
        ({"message_id": "7"}, 'can\'t find field "message_id"'),
    ],
)
def test_reply_parameters_refused(raw, description):
    assert error_of(reply_parameters, {"reply_parameters": raw}) == f"Bad Request: {description}"
