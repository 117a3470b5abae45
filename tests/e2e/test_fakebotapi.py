"""The fake Bot API over HTTP behaves like Telegram for what the bot calls.

With raw requests in the two forms aiogram sends (urlencoded, multipart) and with a real
aiogram ``Bot`` / ``Dispatcher``: message state and edits, files both ways, callback and
inline queries answered once, injected failures, sending limits, long polling. The pure
checks are pinned in tests/unit/test_telegram_checks.py; the last test here holds the two
transports (HTTP and the bot tests' in-process session) to the same verdicts.
"""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
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
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    Update,
)

from tests.fakebotapi import TEST_TOKEN, FakeBotAPI
from tests.inprocess import InProcessSession


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


def keyboard(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(buttons)])


async def polling(api: FakeBotAPI) -> None:
    """Until a long poll is waiting on the server."""
    while not api._waiters:
        await asyncio.sleep(0.01)


def collect(api: FakeBotAPI) -> list[Update]:
    """Pushed updates, handed over at once instead of waiting for getUpdates."""
    got: list[Update] = []
    api.on_update = lambda raw: got.append(Update.model_validate(raw))
    return got


# --------------------------------------------------------------------------- raw HTTP


async def test_unknown_method_is_404(api, http):
    async with http.post(url(api, "sendMessag"), data={"chat_id": "1", "text": "x"}) as resp:
        assert resp.status == 404
        assert (await resp.json())["description"] == "Not Found: method not found"
    assert [c.error_code for c in api.errors] == [404]


async def test_form_and_multipart_bodies(api, http):
    """aiogram sends a urlencoded form, or multipart when there is a file."""
    form = {"chat_id": "7", "text": "42", "reply_markup": '{"inline_keyboard": '
            '[[{"text": "Да", "callback_data": "yes"}]]}'}
    async with http.post(url(api, "sendMessage"), data=form) as r:
        body = await r.json()
        assert body["result"]["text"] == "42"
        assert body["result"]["reply_markup"] == {
            "inline_keyboard": [[{"text": "Да", "callback_data": "yes"}]]
        }
    mp = aiohttp.FormData()
    mp.add_field("chat_id", "7")
    mp.add_field("document", b"%PDF-1.4 fake", filename="file.pdf")
    async with http.post(url(api, "sendDocument"), data=mp) as r:
        body = await r.json()
        assert body["result"]["document"]["file_name"] == "file.pdf"
    call = api.calls_of("sendMessage")[0]
    assert call.params["chat_id"] == 7  # JSON-decoded
    assert call.params["text"] == "42"  # text stays a string
    assert isinstance(call.params["reply_markup"], dict)
    assert api.documents[0].content == b"%PDF-1.4 fake"
    assert api.errors == []


async def test_message_ids_increment_per_chat(api, http):
    ids = []
    for chat in (1, 2, 1, 1, 2):
        form = {"chat_id": str(chat), "text": "x"}
        async with http.post(url(api, "sendMessage"), data=form) as r:
            ids.append((chat, (await r.json())["result"]["message_id"]))
    assert ids == [(1, 1), (2, 1), (1, 2), (1, 3), (2, 2)]


async def test_missing_or_bad_chat_id(api, http):
    async with http.post(url(api, "sendMessage"), data={"text": "x"}) as r:
        assert r.status == 400
        assert (await r.json())["description"] == "Bad Request: chat_id is empty"
    async with http.post(url(api, "sendMessage"), data={"chat_id": "@nobody", "text": "x"}) as r:
        assert (await r.json())["description"] == "Bad Request: chat not found"
    api.missing_chat(99)
    async with http.post(url(api, "sendMessage"), data={"chat_id": "99", "text": "x"}) as r:
        assert (await r.json())["description"] == "Bad Request: chat not found"
    assert len(api.errors) == 2  # the injected "chat not found" is not the bot's fault


# --------------------------------------------------------------------------- aiogram Bot


async def test_aiogram_get_me_and_send_message(api, bot):
    me = await bot.get_me()
    assert me.id == 123456789 and me.is_bot and me.username == api.bot_username
    kb = keyboard(InlineKeyboardButton(text="Ещё", callback_data="more:1"))
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
    # A reply keyboard (the main menu) is accepted and, as on Telegram, not echoed.
    menu = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Телефон доверия")]])
    assert (await bot.send_message(42, "Меню", reply_markup=menu)).reply_markup is None
    assert api.errors == []


async def test_aiogram_sees_telegram_errors(api, bot):
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(1, "1 < 2")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(1, " ")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(1, "ы" * 4097)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(1, "x", reply_markup=keyboard(
            InlineKeyboardButton(text="x", callback_data="д" * 40)))
    with pytest.raises(TelegramNotFound, match="method not found"):
        await bot.set_my_description("Бот помощи семьям")  # not a method the bot calls
    assert [c.error for c in api.errors] == [
        "Bad Request: can't parse entities: Unsupported start tag \"\" at byte offset 2",
        "Bad Request: message text is empty",
        "Bad Request: message is too long",
        "Bad Request: BUTTON_DATA_INVALID",
        "Not Found: method not found",
    ]


async def test_edit_message(api, bot):
    kb = keyboard(InlineKeyboardButton(text="A", callback_data="a"))
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
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=5, message_id=999)
    updates = collect(api)
    api.push_message("пользователь", chat_id=5)
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=5, message_id=updates[-1].message.message_id)


async def test_send_document_and_download_user_file(api, bot, http):
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

    updates = collect(api)
    api.push_document(b"\x50\x4b\x03\x04docx", "анкета.docx", chat_id=9)
    document = updates[-1].message.document
    assert document.file_size == 8
    assert document.mime_type.endswith("wordprocessingml.document")
    file = await bot.get_file(document.file_id)
    assert file.file_size == 8 and file.file_path
    data = await bot.download(file)
    assert data.read() == b"\x50\x4b\x03\x04docx"
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")
    async with http.get(f"{api.base_url}/file/bot{TEST_TOKEN}/documents/nope.pdf") as r:
        assert r.status == 404
    assert api.errors[-1].method == "downloadFile"


async def test_commands_for_everyone_and_for_one_chat(api, bot):
    cmds = [BotCommand(command="start", description="Начать"),
            BotCommand(command="help", description="Помощь")]
    admin = [BotCommand(command="reload", description="Перечитать базу")]
    assert await bot.set_my_commands(cmds)
    assert await bot.set_my_commands(admin, scope=BotCommandScopeChat(chat_id=555))
    first, second = api.calls_of("setMyCommands")
    assert [c["command"] for c in first.params["commands"]] == ["start", "help"]
    assert second.params["scope"] == {"type": "chat", "chat_id": 555}
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start", description="x")])


async def test_callback_query_answer(api, bot):
    sent = await bot.send_message(3, "Выберите", reply_markup=keyboard(
        InlineKeyboardButton(text="1", callback_data="pick:1")))
    updates = collect(api)
    api.push_callback("pick:1", chat_id=3)
    cq = updates[-1].callback_query
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
    def article(i, text="текст"):
        return InlineQueryResultArticle(
            id=str(i), title=f"Статья {i}",
            input_message_content=InputTextMessageContent(message_text=text))

    updates = collect(api)
    api.push_inline_query("центр")
    qid = updates[-1].inline_query.id
    with pytest.raises(TelegramBadRequest, match="RESULT_ID_DUPLICATE"):
        await bot.answer_inline_query(qid, [article(1), article(1)])
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.answer_inline_query(qid, [article(1, text="a < b")])
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
    api.block_chat(-100500)
    with pytest.raises(TelegramForbiddenError, match="bot was kicked from the group chat"):
        await bot.send_message(-100500, "x")
    # Injected failures are the environment, not bugs of the bot.
    assert api.errors == []
    assert sum(1 for c in api.calls if c.injected) == 9


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
    assert [c.error_code for c in api.errors] == [429, 429]


# --------------------------------------------------------------------------- getUpdates


async def test_long_poll_wakes_on_push_and_an_offset_confirms(api, bot):
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await polling(api)
    assert not poll.done()
    update_id = api.push_message("привет")
    updates = await asyncio.wait_for(poll, 2)  # woken by the push, not by the 5 s timeout
    assert [u.update_id for u in updates] == [update_id]
    assert updates[0].message.text == "привет"
    assert [u.update_id for u in await bot.get_updates()] == [update_id]  # not confirmed yet
    assert await bot.get_updates(offset=update_id + 1) == []  # the offset confirms it


async def test_long_poll_timeout_is_honoured(api, http):
    # Telegram takes a whole number of seconds; this fake also takes fractions to stay fast.
    started = time.monotonic()
    async with http.post(url(api, "getUpdates"), data={"timeout": "0.3"}) as r:
        assert (await r.json()) == {"ok": True, "result": []}
    assert time.monotonic() - started >= 0.25


async def test_offset_limit_and_allowed_updates(api, bot):
    ids = [api.push_message(f"m{i}") for i in range(5)]
    got = await bot.get_updates(limit=2)
    assert [u.update_id for u in got] == ids[:2]
    got = await bot.get_updates(offset=ids[1] + 1)  # confirms the first two
    assert [u.update_id for u in got] == ids[2:]

    await bot.get_updates(offset=ids[-1] + 1, allowed_updates=["message"])
    api.push_callback("x", chat_id=1)  # a type the bot did not ask for: never delivered
    kept = api.push_message("/help")
    got = await bot.get_updates()
    assert [u.update_id for u in got] == [kept]
    assert got[0].message.entities[0].type == "bot_command"


async def test_stop_releases_a_pending_long_poll():
    api = FakeBotAPI()
    await api.start()
    bot = api.bot()
    try:
        poll = asyncio.create_task(bot.get_updates(timeout=30))  # aiogram's own session
        await polling(api)
        await api.stop()
        assert await asyncio.wait_for(poll, 2) == []
    finally:
        await api.close_bot(bot)


def test_pushed_updates_are_valid_for_aiogram():
    api = FakeBotAPI()
    updates = collect(api)
    api.push_message("/start@test_family_bot arg", chat_id=10)
    api.push_message("в группе", chat_type="supergroup", user_id=11)
    api.push_edited_message("исправлено", chat_id=10)
    api.push_callback("cb", chat_id=10)
    api.push_inline_query("запрос", user_id=10)
    api.push_document(b"x", "a.pdf", caption="файл", chat_id=10)
    api.push_photo(chat_id=10)
    api.push_voice(chat_id=10)
    api.push_sticker(chat_id=10)
    assert [u.event_type for u in updates] == [
        "message", "message", "edited_message", "callback_query", "inline_query",
        "message", "message", "message", "message",
    ]
    assert [u.update_id for u in updates] == list(range(1, 10))
    start = updates[0].message
    assert start.entities[0].length == len("/start@test_family_bot")
    assert updates[1].message.chat.type == "supergroup" and updates[1].message.chat.id < 0
    assert updates[2].edited_message.message_id == start.message_id
    assert updates[5].message.document.file_size == 1 and updates[5].message.caption == "файл"
    assert updates[6].message.photo and updates[7].message.voice and updates[8].message.sticker


# --------------------------------------------------------------------------- whole dispatcher


async def test_dispatcher_round_trip(api, bot):
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(
            f"Здравствуйте, <b>{message.from_user.first_name}</b>!",
            reply_markup=keyboard(InlineKeyboardButton(text="Дальше", callback_data="next")),
        )

    @router.callback_query(F.data == "next")
    async def next_(query: CallbackQuery) -> None:
        await query.message.edit_text("Шаг 2")
        await query.answer()

    dp = Dispatcher()
    dp.include_router(router)
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
        assert edit.result["text"] == "Шаг 2"
        await api.wait_for("answerCallbackQuery", since=mark)
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


async def test_empty_inline_keyboard_is_not_echoed(api, bot):
    msg = await bot.send_message(1, "x", reply_markup=InlineKeyboardMarkup(inline_keyboard=[]))
    assert msg.reply_markup is None


# --------------------------------------------------------------------------- the two transports


async def test_http_and_in_process_sessions_give_the_same_verdicts(api, bot):
    """The bot tests reach the fake in-process: every request below — good ones and each kind
    Telegram refuses — must get the same answer, the same recorded call, as over HTTP."""
    local = FakeBotAPI()
    in_process = Bot(TEST_TOKEN, session=InProcessSession(local),
                     default=DefaultBotProperties(parse_mode="HTML"))
    requests = [
        lambda b: b.send_message(1, "<b>Привет</b> &amp; всё", reply_markup=keyboard(
            InlineKeyboardButton(text="Сайт", url="https://example.org/путь"))),
        lambda b: b.send_message(1, "1 < 2"),
        lambda b: b.send_message(1, "ы" * 4097),
        lambda b: b.send_message(1, " "),
        lambda b: b.send_message(1, "x", reply_markup=keyboard(
            InlineKeyboardButton(text="x", callback_data="д" * 33))),
        lambda b: b.send_message(1, "x", reply_markup=keyboard(
            InlineKeyboardButton(text="x", url="https://exa mple.org"))),
        lambda b: b.send_message(1, "x", reply_markup=ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text="Меню")]])),
        lambda b: b.edit_message_text("<b>Привет</b> &amp; всё", chat_id=1, message_id=1,
                                      reply_markup=keyboard(InlineKeyboardButton(
                                          text="Сайт", url="https://example.org/путь"))),
        lambda b: b.edit_message_text("Другой", chat_id=1, message_id=1),
        lambda b: b.send_document(1, BufferedInputFile(b"BEGIN:VCALENDAR", "a.ics"),
                                  caption="я" * 1025),
        lambda b: b.send_document(1, BufferedInputFile(b"BEGIN:VCALENDAR", "a.ics"),
                                  caption="Календарь"),
        lambda b: b.answer_callback_query("404"),
        lambda b: b.set_my_commands([BotCommand(command="start", description="Начать")],
                                    scope=BotCommandScopeChat(chat_id=777)),
        lambda b: b.set_my_commands([BotCommand(command="Start", description="x")]),
        lambda b: b.get_file("nope"),
    ]

    async def outcomes(b: Bot, fake: FakeBotAPI) -> list[tuple]:
        for request in requests:
            try:
                await request(b)
            except TelegramBadRequest:
                pass
        return [(c.method, c.status, c.error, c.params.get("text") or c.params.get("caption"))
                for c in fake.calls]

    try:
        over_http = await outcomes(bot, api)
        assert await outcomes(in_process, local) == over_http
    finally:
        await in_process.session.close()
    assert [status for _, status, _, _ in over_http].count(200) == 5
