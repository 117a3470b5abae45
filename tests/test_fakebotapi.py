"""The fake Bot API must reject what Telegram rejects and accept what it accepts.

If the fake were laxer than Telegram, the bot's end-to-end tests would pass on messages that
production refuses; if it were stricter by mistake, they would fail on correct code.  These
tests pin both sides, first on the pure checks, then over HTTP with raw requests (JSON, form,
multipart, bad tokens) and with a real aiogram ``Bot`` / ``Dispatcher``.
"""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    Update,
)

from tests.fakebotapi import (
    TEST_TOKEN,
    ApiError,
    EntityParseError,
    FakeBotAPI,
    check_reply_markup,
    check_text,
    parse_html,
    utf16_len,
)


@pytest.fixture
async def api():
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def bot(api):
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
    b = Bot(TEST_TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    yield b
    await api.close_bot(b)


@pytest.fixture
async def http(api):
    async with aiohttp.ClientSession() as session:
        yield session


def url(api: FakeBotAPI, method: str, token: str = TEST_TOKEN) -> str:
    return f"{api.base_url}/bot{token}/{method}"


def inline(*buttons: dict) -> dict:
    return {"inline_keyboard": [list(buttons)]}


# --------------------------------------------------------------------------- HTML


@pytest.mark.parametrize(
    "text",
    [
        "просто текст",
        "<b>ж</b> <strong>ж</strong> <i>к</i> <em>к</em> <u>п</u> <ins>п</ins>",
        "<s>з</s> <strike>з</strike> <del>з</del>",
        '<span class="tg-spoiler">спойлер</span> <tg-spoiler>спойлер</tg-spoiler>',
        '<a href="https://example.org/?a=1&amp;b=2">ссылка</a>',
        "<a href='tg://user?id=123'>юзер</a>",
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "<code>x = 1</code>",
        '<pre><code class="language-python">print(1)</code></pre>',
        "<pre>блок</pre>",
        "<blockquote>цитата</blockquote>",
        "<blockquote expandable>длинная цитата</blockquote>",
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
        ("<span>x</span>", 'class "tg-spoiler"'),
        ('<span class="bold">x</span>', 'class "tg-spoiler"'),
        ("<a>x</a>", 'must have attribute "href"'),
        ('<a href="https://x.org" target="_blank">x</a>', 'attribute "target"'),
        ('<b class="x">x</b>', 'attribute "class"'),
        ("<tg-emoji>x</tg-emoji>", "emoji-id"),
        ('<code class="python">x</code>', "language-"),
        ("<b/>", "self-closing"),
        ('<a href="a<b">x</a>', 'Character "<"'),
        ('<a href="x&y">x</a>', 'Character "&"'),
        ('<b onclick="x">x</b>', 'attribute "onclick"'),
    ],
)
def test_html_rejects_what_telegram_rejects(text, fragment):
    with pytest.raises(EntityParseError, match=None) as exc:
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


def test_pre_with_language_becomes_one_entity():
    plain, entities = parse_html('<pre><code class="language-python">x</code></pre>')
    assert plain == "x"
    assert entities == [{"type": "pre", "offset": 0, "length": 1, "language": "python"}]


def test_byte_offset_is_in_utf8_bytes():
    with pytest.raises(EntityParseError, match="byte offset 7"):
        parse_html("абв <br>")  # 3 Cyrillic letters = 6 bytes, then a space


# --------------------------------------------------------------------------- text length


def error_of(fn, *args, **kwargs) -> str:
    with pytest.raises(ApiError) as exc:
        fn(*args, **kwargs)
    assert exc.value.code == 400
    return exc.value.description


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


def test_unknown_parse_mode_is_rejected():
    assert error_of(check_text, "x", "htm") == "Bad Request: unsupported parse_mode"


# --------------------------------------------------------------------------- reply markup


@pytest.mark.parametrize(
    "markup",
    [
        inline({"text": "Да", "callback_data": "yes"}),
        inline({"text": "д", "callback_data": "я" * 32}),  # 64 bytes in UTF-8
        inline({"text": "Сайт", "url": "https://example.org/путь?q=1"}),
        inline({"text": "Канал", "url": "tg://resolve?domain=durov"}),
        inline({"text": "Поиск", "switch_inline_query_current_chat": ""}),
        inline({"text": "Поделиться", "switch_inline_query": "запрос"}),
        {"keyboard": [["Да", {"text": "Нет"}]], "resize_keyboard": True},
        {"remove_keyboard": True},
        {"force_reply": True},
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


# --------------------------------------------------------------------------- raw HTTP


async def test_bad_token_is_401_and_unknown_method_404(api, http):
    async with http.post(f"{api.base_url}/bot123:short/getMe") as resp:
        assert resp.status == 401
        assert await resp.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    async with http.post(f"{api.base_url}/botabc:{'x' * 35}/getMe") as resp:
        assert resp.status == 401
    async with http.post(url(api, "sendMessag")) as resp:
        assert resp.status == 404
        body = await resp.json()
        assert body["description"] == "Not Found: method not found"
    assert [c.error_code for c in api.errors] == [401, 401, 404]


async def test_json_form_and_multipart_bodies(api, http):
    async with http.post(url(api, "sendMessage"), json={"chat_id": 7, "text": "json"}) as r:
        body = await r.json()
        assert body["ok"] is True and body["result"]["text"] == "json"
    form = {"chat_id": "7", "text": "42", "reply_markup": json.dumps(inline(
        {"text": "Да", "callback_data": "yes"}))}
    async with http.post(url(api, "sendMessage"), data=form) as r:
        body = await r.json()
        assert body["result"]["text"] == "42"
        assert body["result"]["reply_markup"] == inline({"text": "Да", "callback_data": "yes"})
    mp = aiohttp.FormData()
    mp.add_field("chat_id", "7")
    mp.add_field("document", b"%PDF-1.4 fake", filename="file.pdf")
    async with http.post(url(api, "sendDocument"), data=mp) as r:
        body = await r.json()
        assert body["result"]["document"]["file_name"] == "file.pdf"
    # GET with a query string works too, as on Telegram.
    async with http.get(url(api, "getMe")) as r:
        assert (await r.json())["result"]["is_bot"] is True
    call = api.calls_of("sendMessage")[1]
    assert call.params["chat_id"] == 7  # JSON-decoded
    assert call.params["text"] == "42"  # text stays a string
    assert isinstance(call.params["reply_markup"], dict)
    assert api.documents[0].content == b"%PDF-1.4 fake"
    assert api.errors == []


async def test_message_ids_increment_per_chat(api, http):
    ids = []
    for chat in (1, 2, 1, 1, 2):
        async with http.post(url(api, "sendMessage"), json={"chat_id": chat, "text": "x"}) as r:
            ids.append((chat, (await r.json())["result"]["message_id"]))
    assert ids == [(1, 1), (2, 1), (1, 2), (1, 3), (2, 2)]


async def test_missing_or_bad_chat_id(api, http):
    async with http.post(url(api, "sendMessage"), json={"text": "x"}) as r:
        assert r.status == 400
    async with http.post(url(api, "sendMessage"), json={"chat_id": "@nobody", "text": "x"}) as r:
        assert (await r.json())["description"] == "Bad Request: chat not found"
    api.missing_chat(99)
    async with http.post(url(api, "sendMessage"), json={"chat_id": 99, "text": "x"}) as r:
        assert (await r.json())["description"] == "Bad Request: chat not found"
    assert len(api.errors) == 2  # the injected "chat not found" is not the bot's fault


# --------------------------------------------------------------------------- aiogram Bot


async def test_aiogram_get_me_and_send_message(api, bot):
    me = await bot.get_me()
    assert me.id == 123456789 and me.is_bot and me.username == api.bot_username
    kb = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Ещё", callback_data="more:1")]]
    )
    msg = await bot.send_message(42, "<b>Привет</b> &amp; всё", reply_markup=kb)
    assert isinstance(msg, Message)
    assert msg.text == "Привет & всё"
    assert msg.html_text == "<b>Привет</b> &amp; всё"
    assert msg.chat.id == 42 and msg.from_user.id == me.id
    assert msg.reply_markup.model_dump(exclude_none=True) == kb.model_dump(exclude_none=True)
    call = api.calls_of("sendMessage")[0]
    assert call.params["parse_mode"] == "HTML"
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "more:1"
    assert api.sent_texts(42) == ["<b>Привет</b> &amp; всё"]
    assert api.sent_texts(43) == []
    assert api.errors == []


async def test_aiogram_sees_telegram_errors(api, bot):
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(1, "1 < 2")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(1, " ")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(1, "ы" * 4097)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(1, "x", reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="д" * 40)]]))
    assert [c.error for c in api.errors] == [
        "Bad Request: can't parse entities: Unsupported start tag \"\" at byte offset 2",
        "Bad Request: message text is empty",
        "Bad Request: message is too long",
        "Bad Request: BUTTON_DATA_INVALID",
    ]


async def test_edit_message(api, bot):
    kb = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="A", callback_data="a")]])
    msg = await bot.send_message(5, "<b>раз</b>", reply_markup=kb)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("<b>раз</b>", chat_id=5, message_id=msg.message_id,
                                    reply_markup=kb)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        # <strong> is the same entity as <b>: Telegram compares the result, not the markup
        await bot.edit_message_text("<strong>раз</strong>", chat_id=5,
                                    message_id=msg.message_id, reply_markup=kb)
    edited = await bot.edit_message_text("<b>раз</b>", chat_id=5, message_id=msg.message_id)
    assert edited.reply_markup is None  # an edit without markup removes the keyboard
    edited = await bot.edit_message_text("два", chat_id=5, message_id=msg.message_id)
    assert edited.text == "два" and edited.edit_date is not None
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=5, message_id=msg.message_id)
    edited = await bot.edit_message_reply_markup(chat_id=5, message_id=msg.message_id,
                                                 reply_markup=kb)
    assert edited.reply_markup.model_dump(exclude_none=True) == kb.model_dump(exclude_none=True)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=5, message_id=999)
    api.push_message("пользователь", chat_id=5)
    user_msg_id = api.messages(5)[-1]["message_id"]
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=5, message_id=user_msg_id)
    assert await bot.delete_message(5, user_msg_id) is True
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(5, user_msg_id)
    assert [m["text"] for m in api.messages(5)] == ["два"]


async def test_send_document_and_download_user_file(api, bot):
    msg = await bot.send_document(
        77, BufferedInputFile(b"col1;col2\n1;2\n", filename="отчёт.csv"),
        caption="<i>Отчёт</i>",
    )
    assert msg.document.file_name == "отчёт.csv" and msg.caption == "Отчёт"
    doc = api.documents[0]
    assert (doc.chat_id, doc.filename, doc.content, doc.caption) == (
        77, "отчёт.csv", b"col1;col2\n1;2\n", "<i>Отчёт</i>",
    )
    call = api.calls_of("sendDocument")[0]
    (upload,) = call.files.values()
    assert upload.filename == "отчёт.csv"
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_document(77, BufferedInputFile(b"x", "a.txt"), caption="я" * 1025)
    with pytest.raises(TelegramBadRequest, match="file must be non-empty"):
        await bot.send_document(77, BufferedInputFile(b"", "a.txt"))
    # A document the bot sent can be sent again by file_id.
    again = await bot.send_document(78, msg.document.file_id)
    assert again.document.file_unique_id == msg.document.file_unique_id

    api.push_document(b"\x50\x4b\x03\x04docx", "анкета.docx", chat_id=9)
    update = api.pending_updates[-1]
    document = Update.model_validate(update).message.document
    assert document.file_size == 8
    assert document.mime_type.endswith("wordprocessingml.document")
    file = await bot.get_file(document.file_id)
    assert file.file_size == 8 and file.file_path
    data = await bot.download(file)
    assert data.read() == b"\x50\x4b\x03\x04docx"
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")


async def test_chat_action_and_commands(api, bot):
    assert await bot.send_chat_action(1, "typing") is True
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(1, "dancing")
    cmds = [BotCommand(command="start", description="Начать"),
            BotCommand(command="help", description="Помощь")]
    admin = [BotCommand(command="reload", description="Перечитать базу")]
    await bot.set_my_commands(cmds)
    await bot.set_my_commands(admin, scope=BotCommandScopeChat(chat_id=555))
    assert [c["command"] for c in api.commands()] == ["start", "help"]
    assert api.commands({"type": "chat", "chat_id": 555}) == [
        {"command": "reload", "description": "Перечитать базу"}
    ]
    assert api.calls_of("setMyCommands")[1].params["scope"] == {"type": "chat", "chat_id": 555}
    got = await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=555))
    assert [c.command for c in got] == ["reload"]
    assert await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=555))
    assert api.commands({"type": "chat", "chat_id": 555}) == []
    assert api.errors[0].method == "sendChatAction" and len(api.errors) == 1


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
async def test_set_my_commands_rejects(api, http, commands, description):
    async with http.post(url(api, "setMyCommands"), json={"commands": commands}) as r:
        assert r.status == 400
        assert description in (await r.json())["description"]


async def test_callback_query_answer(api, bot):
    sent = await bot.send_message(3, "Выберите", reply_markup=InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="1", callback_data="pick:1")]]))
    api.push_callback("pick:1", chat_id=3)
    cq = Update.model_validate(api.pending_updates[-1]).callback_query
    assert cq.message.message_id == sent.message_id  # the bot's own message, with its keyboard
    assert cq.message.reply_markup.model_dump() == sent.reply_markup.model_dump()
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(cq.id, text="я" * 201)
    assert await bot.answer_callback_query(cq.id, text="Готово")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(cq.id)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("123")


async def test_inline_query_answer(api, bot):
    def article(i, text="текст", **kw):
        return InlineQueryResultArticle(
            id=str(i), title=kw.pop("title", f"Статья {i}"),
            input_message_content=InputTextMessageContent(message_text=text), **kw)

    api.push_inline_query("центр")
    qid = api.pending_updates[-1]["inline_query"]["id"]
    for results, description in [
        ([article(i) for i in range(51)], "RESULTS_TOO_MUCH"),
        ([article(1), article(1)], "RESULT_ID_DUPLICATE"),
        ([article("я" * 33)], "RESULT_ID_INVALID"),
        ([article(1, title=" ")], "RESULT_TITLE_EMPTY"),
        ([article(1, text="a < b")], "can't parse entities"),
        ([article(1, text="ю" * 4097)], "message is too long"),
    ]:
        with pytest.raises(TelegramBadRequest, match=description):
            await bot.answer_inline_query(qid, results)
    assert await bot.answer_inline_query(qid, [article(i) for i in range(50)], cache_time=1)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_inline_query(qid, [])


# --------------------------------------------------------------------------- failures


async def test_injected_failures(api, bot):
    api.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as exc:
        await bot.send_message(1, "x")
    assert exc.value.retry_after == 7
    assert "Too Many Requests: retry after 7" in exc.value.message
    await bot.send_message(1, "x")  # only the next call failed

    api.fail_next("sendMessage", 403, chat_id=2)
    await bot.send_message(1, "другому чату можно")
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(2, "x")

    api.fail_next("sendmessage", 500, times=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError, match="Internal Server Error"):
            await bot.send_message(1, "x")
    await bot.send_message(1, "x")

    api.fail_next("sendMessage", 502)
    with pytest.raises(TelegramServerError):
        await bot.send_message(1, "x")

    api.block_chat(9)
    for _ in range(2):
        with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
            await bot.send_message(9, "x")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_document(9, BufferedInputFile(b"x", "a.txt"))
    api.unblock_chat(9)
    await bot.send_message(9, "снова можно")
    # Injected failures are the environment, not bugs of the bot.
    assert api.errors == []
    assert sum(1 for c in api.calls if c.injected) == 8


async def test_injection_does_not_hide_invalid_requests(api, bot):
    api.fail_next("sendMessage", 429)
    with pytest.raises(TelegramBadRequest):
        await bot.send_message(1, "<br>")
    with pytest.raises(TelegramRetryAfter):  # the rule is still armed for a valid call
        await bot.send_message(1, "ok")


async def test_rate_limit_mode(api, bot):
    api.rate_limit(per_chat_per_sec=1, global_per_sec=3)
    await bot.send_message(1, "a")
    with pytest.raises(TelegramRetryAfter) as exc:
        await bot.send_message(1, "b")
    assert exc.value.retry_after == 1
    await bot.send_message(2, "c")
    await bot.send_message(3, "d")
    with pytest.raises(TelegramRetryAfter):  # 4th message within a second, globally
        await bot.send_message(4, "e")
    assert await bot.send_chat_action(1, "typing")  # chat actions are not counted
    assert [c.error_code for c in api.errors] == [429, 429]
    api.clear_rate_limit()
    await bot.send_message(1, "b")


# --------------------------------------------------------------------------- getUpdates


async def test_long_poll_wakes_on_push_and_honours_timeout(api, bot):
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    assert not poll.done()
    update_id = api.push_message("привет")
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 1.5
    assert [u.update_id for u in updates] == [update_id]
    assert updates[0].message.text == "привет"

    with pytest.raises(AssertionError, match="not confirmed"):
        await api.wait_confirmed(update_id, timeout=0.1)  # delivered, not yet confirmed
    assert await bot.get_updates(offset=update_id + 1) == []  # the offset confirms it
    await api.wait_confirmed(update_id, timeout=0.1)
    assert api.pending_updates == []


async def test_long_poll_timeout_is_honoured(api, http):
    # Telegram takes a whole number of seconds; this fake also takes fractions to stay fast.
    started = time.monotonic()
    async with http.post(url(api, "getUpdates"), json={"timeout": 0.3}) as r:
        assert (await r.json()) == {"ok": True, "result": []}
    assert 0.25 < time.monotonic() - started < 1


async def test_offset_limit_and_allowed_updates(api, bot):
    ids = [api.push_message(f"m{i}") for i in range(5)]
    got = await bot.get_updates(limit=2)
    assert [u.update_id for u in got] == ids[:2]
    got = await bot.get_updates(offset=ids[1] + 1)  # confirms the first two
    assert [u.update_id for u in got] == ids[2:]
    got = await bot.get_updates(offset=-1)
    assert [u.update_id for u in got] == ids[-1:]
    assert [u["update_id"] for u in api.pending_updates] == ids[-1:]

    await bot.get_updates(offset=ids[-1] + 1, allowed_updates=["message"])
    dropped = api.push_callback("x", chat_id=1)
    kept = api.push_message("/help")
    got = await bot.get_updates()
    assert [u.update_id for u in got] == [kept]
    assert [u["update_id"] for u in api.dropped_updates] == [dropped]
    assert got[0].message.entities[0].type == "bot_command"


async def test_two_pollers_conflict_and_webhook_conflict(api, bot, http):
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(bot.get_updates(timeout=1))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await asyncio.wait_for(first, 2)
    second.cancel()
    await bot.set_webhook("https://example.org/hook")
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == []


async def test_stop_releases_a_pending_long_poll():
    api = FakeBotAPI()
    await api.start()
    bot = api.bot()
    try:
        poll = asyncio.create_task(bot.get_updates(timeout=30))  # aiogram's own session
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await api.stop()
        assert await asyncio.wait_for(poll, 2) == []
        assert time.monotonic() - started < 2
    finally:
        await api.close_bot(bot)


def test_pushed_updates_are_valid_for_aiogram():
    api = FakeBotAPI()
    api.push_message("/start@test_family_bot arg", chat_id=10)
    api.push_message("в группе", chat_type="supergroup", user_id=11)
    api.push_edited_message("исправлено", chat_id=10)
    api.push_callback("cb", chat_id=10)
    api.push_inline_query("запрос", user_id=10)
    api.push_document(b"x", "a.pdf", caption="файл", chat_id=10)
    api.push_photo(chat_id=10, caption="фото")
    api.push_voice(chat_id=10)
    api.push_sticker(chat_id=10)
    api.push_update({"my_chat_member": {
        "chat": {"id": 10, "type": "private", "first_name": "Т"},
        "from": {"id": 10, "is_bot": False, "first_name": "Т"}, "date": 1,
        "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True,
                                                         "first_name": "b"}},
        "new_chat_member": {"status": "kicked", "until_date": 0,
                            "user": {"id": 1, "is_bot": True, "first_name": "b"}},
    }})
    updates = [Update.model_validate(u) for u in api.pending_updates]
    assert [u.event_type for u in updates] == [
        "message", "message", "edited_message", "callback_query", "inline_query",
        "message", "message", "message", "message", "my_chat_member",
    ]
    assert [u.update_id for u in updates] == list(range(1, 11))
    start = updates[0].message
    assert start.entities[0].length == len("/start@test_family_bot")
    assert updates[1].message.chat.type == "supergroup" and updates[1].message.chat.id < 0
    assert updates[2].edited_message.message_id == start.message_id
    assert updates[5].message.document.file_size == 1
    assert updates[6].message.photo and updates[7].message.voice and updates[8].message.sticker


# --------------------------------------------------------------------------- whole dispatcher


async def test_dispatcher_round_trip(api, bot):
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(
            "Здравствуйте, <b>{}</b>!".format(message.from_user.first_name),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[
                InlineKeyboardButton(text="Дальше", callback_data="next")]]),
        )

    @router.callback_query(F.data == "next")
    async def next_(query: CallbackQuery) -> None:
        await query.message.edit_text("Шаг 2")
        await query.answer()

    dp = Dispatcher()
    dp.include_router(router)
    await bot.delete_webhook(drop_pending_updates=True)
    polling = asyncio.create_task(
        dp.start_polling(bot, polling_timeout=1, handle_signals=False, close_bot_session=False)
    )
    try:
        mark = len(api.calls)
        api.push_message("/start", chat_id=501, first_name="Анна")
        sent = await api.wait_for("sendMessage", since=mark)
        assert sent.params["text"] == "Здравствуйте, <b>Анна</b>!"
        assert sent.result["chat"]["id"] == 501

        mark = len(api.calls)
        api.push_callback("next", chat_id=501)
        edit = await api.wait_for("editMessageText", since=mark)
        assert edit.ok and edit.result["message_id"] == sent.result["message_id"]
        await api.wait_for("answerCallbackQuery", since=mark)
        assert api.messages(501)[-1]["text"] == "Шаг 2"
        # allowed_updates was resolved by aiogram from the handlers in use
        assert set(api.calls_of("getUpdates")[-1].params["allowed_updates"]) == {
            "message", "callback_query"}
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 5)
    assert api.errors == []


async def test_wait_for_times_out_with_a_clear_message(api, bot):
    await bot.send_message(1, "что-то другое")
    with pytest.raises(AssertionError, match="no sendDocument call within 0.2s") as exc:
        await api.wait_for("sendDocument", timeout=0.2)
    assert "что-то другое" in str(exc.value)
    found = await api.wait_for("sendMessage", lambda c: c.params["chat_id"] == 1, timeout=0.2)
    assert found.ok


async def test_replies_downloads_and_extra_methods(api, bot, http):
    api.push_message("вопрос", chat_id=8, username="anna")
    asked = api.messages(8)[-1]["message_id"]
    reply = await bot.send_message(8, "ответ", reply_to_message_id=asked)
    assert reply.reply_to_message.text == "вопрос"
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(8, "ответ", reply_to_message_id=999)
    assert (await bot.send_message("@anna", "по имени")).chat.id == 8

    async with http.get(f"{api.base_url}/file/bot{TEST_TOKEN}/documents/nope.pdf") as r:
        assert r.status == 404
    assert api.errors[-1].method == "downloadFile"

    with pytest.raises(TelegramNotFound, match="method not found"):
        await bot.set_my_description("Бот помощи семьям")
    api.accept_method("setMyDescription")
    assert await bot.set_my_description("Бот помощи семьям") is True
    assert api.calls_of("setMyDescription")[-1].params["description"] == "Бот помощи семьям"


async def test_empty_inline_keyboard_is_not_echoed(api, bot):
    msg = await bot.send_message(1, "x", reply_markup=InlineKeyboardMarkup(inline_keyboard=[]))
    assert msg.reply_markup is None
