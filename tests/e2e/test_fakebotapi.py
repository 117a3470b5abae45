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
    ForumTopic,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    KeyboardButton,
    Message,
    MessageId,
    ReplyKeyboardMarkup,
    ReplyParameters,
    Update,
)

from tests.fakebotapi import TEST_TOKEN, FakeBotAPI
from tests.inprocess import InProcessSession
from tests.telegram_checks import TOPIC_ICON_COLORS


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


# --------------------------------------------------------------------------- hand-off: forums

SUPPORT = -1001234567890  # the specialists' supergroup
PERSON = 501
SPECIALIST = 9001


def thread_of(api: FakeBotAPI, chat_id: int) -> int:
    """The one topic the chat has."""
    (thread_id,) = api.topics[chat_id]
    return thread_id


async def test_forum_topic_is_created_and_messages_go_into_it(api, bot):
    api.add_supergroup(SUPPORT, "Специалисты", is_forum=True)
    topic = await bot.create_forum_topic(SUPPORT, "Обращение №1")
    assert isinstance(topic, ForumTopic)
    assert topic.name == "Обращение №1" and topic.icon_color in TOPIC_ICON_COLORS
    tid = topic.message_thread_id
    assert tid > 1  # 1 is the "General" topic of a forum
    record = api.topics[SUPPORT][tid]
    assert (record.name, record.closed, record.deleted, record.created_by_bot) == (
        "Обращение №1", False, False, True)
    (created,) = api.messages_in(SUPPORT, tid)
    assert created["message_id"] == tid and created["message_thread_id"] == tid
    assert created["forum_topic_created"] == {"name": "Обращение №1",
                                              "icon_color": topic.icon_color}

    sent = await bot.send_message(SUPPORT, "Новое <b>обращение</b>", message_thread_id=tid)
    assert sent.message_thread_id == tid and sent.is_topic_message
    assert sent.chat.is_forum
    # Telegram's implicit reply: a message in a topic "replies" to the topic's first message.
    assert sent.reply_to_message.message_id == tid
    assert sent.reply_to_message.forum_topic_created.name == "Обращение №1"
    doc = await bot.send_document(SUPPORT, BufferedInputFile(b"x;y\n", "a.csv"),
                                  message_thread_id=tid)
    assert doc.message_thread_id == tid
    general = await bot.send_message(SUPPORT, "В общий чат")
    assert general.message_thread_id is None and general.reply_to_message is None
    assert api.texts_in(SUPPORT, tid) == ["Новое обращение"]
    assert api.texts_in(SUPPORT, 0) == ["В общий чат"]
    assert [m["message_id"] for m in api.messages_in(SUPPORT, tid)] == [
        tid, sent.message_id, doc.message_id]

    # Telegram cleans the name: spaces and line breaks collapse, longer than 128 is cut.
    assert (await bot.create_forum_topic(SUPPORT, "  Анна \n\n Петрова ")).name == "Анна Петрова"
    assert (await bot.create_forum_topic(SUPPORT, "я" * 200)).name == "я" * 128
    third = await bot.create_forum_topic(SUPPORT, "42", icon_color=0xFF93B2)
    assert (third.name, third.icon_color) == ("42", 0xFF93B2)  # a name stays a string
    assert len(api.topics[SUPPORT]) == 4
    assert api.errors == []


async def test_topics_only_in_a_forum_and_thread_ids_only_of_its_topics(api, bot):
    api.add_supergroup(SUPPORT, is_forum=False)
    forum = -1009876543210
    api.add_supergroup(forum, "Форум", is_forum=True)
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(SUPPORT, "Обращение")
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(PERSON, "Обращение")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.create_forum_topic(-1005555555555, "Обращение")  # not a chat of the bot
    with pytest.raises(TelegramBadRequest, match="name must be non-empty"):
        await bot.create_forum_topic(forum, " \n ")
    with pytest.raises(TelegramBadRequest, match="invalid icon color specified"):
        await bot.create_forum_topic(forum, "Обращение", icon_color=0x123456)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(SUPPORT, "x", message_thread_id=7)  # a group without topics
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(PERSON, "x", message_thread_id=7)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(forum, "x", message_thread_id=7)  # no such topic
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(forum, "x", message_thread_id=1)  # General is not a thread id
    with pytest.raises(TelegramBadRequest, match="TOPIC_ID_INVALID"):
        await bot.close_forum_topic(forum, 7)
    assert (await bot.send_message(SUPPORT, "без темы")).message_thread_id is None
    assert [c.error for c in api.errors] == [
        "Bad Request: the chat is not a forum",
        "Bad Request: the chat is not a forum",
        "Bad Request: chat not found",
        "Bad Request: name must be non-empty",
        "Bad Request: invalid icon color specified",
        "Bad Request: message thread not found",
        "Bad Request: message thread not found",
        "Bad Request: message thread not found",
        "Bad Request: message thread not found",
        "Bad Request: TOPIC_ID_INVALID",
    ]
    assert api.topics.get(forum) is None


async def test_a_deleted_topic_takes_its_messages_and_refuses_sends(api, bot):
    api.add_supergroup(SUPPORT, is_forum=True)
    api.push_message("Мне нужна помощь", chat_id=PERSON)
    tid = (await bot.create_forum_topic(SUPPORT, "Обращение №1")).message_thread_id
    copied = await bot.copy_message(SUPPORT, PERSON, 1, message_thread_id=tid)
    api.delete_topic(SUPPORT, tid)  # a specialist deleted it in the app
    assert api.topics[SUPPORT][tid].deleted
    assert api.messages_in(SUPPORT, tid) == []
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(SUPPORT, "x", message_thread_id=tid)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_document(SUPPORT, BufferedInputFile(b"x", "a.txt"), message_thread_id=tid)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.copy_message(SUPPORT, PERSON, 1, message_thread_id=tid)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.forward_message(SUPPORT, PERSON, 1, message_thread_id=tid)
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(PERSON, SUPPORT, copied.message_id)  # gone with the topic
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(SUPPORT, "x", reply_to_message_id=copied.message_id)
    with pytest.raises(TelegramBadRequest, match="TOPIC_DELETED"):
        await bot.close_forum_topic(SUPPORT, tid)
    with pytest.raises(ValueError, match="no topic"):
        api.push_message("поздно", chat_id=SUPPORT, user_id=SPECIALIST, message_thread_id=tid)
    # The bot opens a new topic and goes on there.
    new = await bot.create_forum_topic(SUPPORT, "Обращение №1")
    assert new.message_thread_id != tid
    await bot.send_message(SUPPORT, "снова", message_thread_id=new.message_thread_id)
    assert len(api.errors) == 7

    # The bot deleting a topic itself does the same.
    assert await bot.delete_forum_topic(SUPPORT, new.message_thread_id)
    assert api.topics[SUPPORT][new.message_thread_id].deleted
    assert api.messages_in(SUPPORT, new.message_thread_id) == []


async def test_a_closed_topic_refuses_sends_until_reopened(api, bot):
    api.add_supergroup(SUPPORT, is_forum=True)
    tid = (await bot.create_forum_topic(SUPPORT, "Обращение №1")).message_thread_id
    api.push_message("Спасибо", chat_id=PERSON)
    assert await bot.close_forum_topic(SUPPORT, tid)
    assert api.topics[SUPPORT][tid].closed
    with pytest.raises(TelegramBadRequest, match="TOPIC_CLOSED"):
        await bot.send_message(SUPPORT, "x", message_thread_id=tid)
    with pytest.raises(TelegramBadRequest, match="TOPIC_CLOSED"):
        await bot.copy_message(SUPPORT, PERSON, 1, message_thread_id=tid)
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.close_forum_topic(SUPPORT, tid)
    assert await bot.reopen_forum_topic(SUPPORT, tid)
    await bot.send_message(SUPPORT, "снова открыто", message_thread_id=tid)
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.reopen_forum_topic(SUPPORT, tid)

    assert await bot.edit_forum_topic(SUPPORT, tid, name="Обращение №1 — закрыто")
    assert api.topics[SUPPORT][tid].name == "Обращение №1 — закрыто"
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.edit_forum_topic(SUPPORT, tid, name="Обращение №1 — закрыто")
    with pytest.raises(TelegramBadRequest, match="name must be non-empty"):
        await bot.edit_forum_topic(SUPPORT, tid, name="   ")
    assert await bot.edit_forum_topic(SUPPORT, tid)  # nothing to change: Telegram says yes

    # A specialist closes it in the app: the bot hears of it, and cannot write there.
    updates = collect(api)
    api.close_topic(SUPPORT, tid, user_id=SPECIALIST)
    closed = updates[-1].message
    assert closed.forum_topic_closed is not None and closed.message_thread_id == tid
    assert closed.from_user.id == SPECIALIST
    with pytest.raises(TelegramBadRequest, match="TOPIC_CLOSED"):
        await bot.send_message(SUPPORT, "x", message_thread_id=tid)
    # ...while the specialist, an administrator, still may.
    api.push_message("последнее слово", chat_id=SUPPORT, user_id=SPECIALIST, message_thread_id=tid)
    api.reopen_topic(SUPPORT, tid, user_id=SPECIALIST)
    assert updates[-1].message.forum_topic_reopened is not None
    await bot.send_message(SUPPORT, "продолжим", message_thread_id=tid)

    kinds = [next(k for k in ("forum_topic_created", "forum_topic_closed", "forum_topic_reopened",
                              "forum_topic_edited", "text") if k in m)
             for m in api.messages_in(SUPPORT, tid)]
    assert kinds == ["forum_topic_created", "forum_topic_closed", "forum_topic_reopened", "text",
                     "forum_topic_edited", "forum_topic_closed", "text", "forum_topic_reopened",
                     "text"]
    assert [c.error for c in api.errors] == [
        "Bad Request: TOPIC_CLOSED", "Bad Request: TOPIC_CLOSED", "Bad Request: TOPIC_NOT_MODIFIED",
        "Bad Request: TOPIC_NOT_MODIFIED", "Bad Request: TOPIC_NOT_MODIFIED",
        "Bad Request: name must be non-empty", "Bad Request: TOPIC_CLOSED",
    ]


async def test_copy_from_a_person_to_a_topic_and_back(api, bot):
    api.add_supergroup(SUPPORT, is_forum=True)
    tid = (await bot.create_forum_topic(SUPPORT, "Обращение №1")).message_thread_id
    updates = collect(api)
    api.push_message("Мне <страшно>", chat_id=PERSON, first_name="Анна")
    api.push_photo(chat_id=PERSON, caption="вот фото")
    api.push_voice(chat_id=PERSON)
    api.push_document(b"%PDF-1.4", "справка.pdf", chat_id=PERSON)
    api.push_sticker(chat_id=PERSON)
    originals = [u.message for u in updates]

    copies = [await bot.copy_message(SUPPORT, PERSON, m.message_id, message_thread_id=tid)
              for m in originals]
    assert all(isinstance(c, MessageId) for c in copies)
    seen = api.messages_in(SUPPORT, tid, from_bot=True)[1:]  # after «forum_topic_created»
    assert [m["message_id"] for m in seen] == [c.message_id for c in copies]
    for copy in seen:
        assert copy["from"]["is_bot"] and "forward_origin" not in copy
        assert copy["message_thread_id"] == tid and copy["is_topic_message"]
        assert copy["chat"]["id"] == SUPPORT
    text, photo, voice, document, sticker = seen
    assert text["text"] == "Мне <страшно>"  # parse_mode HTML of the bot's defaults: not applied
    assert photo["photo"][-1]["file_id"] == originals[1].photo[-1].file_id
    assert photo["caption"] == "вот фото"
    assert voice["voice"]["file_id"] == originals[2].voice.file_id
    assert document["document"]["file_name"] == "справка.pdf" and "sticker" in sticker

    # A new caption replaces a media message's own; a text has none to replace.
    recaptioned = await bot.copy_message(SUPPORT, PERSON, originals[1].message_id,
                                         message_thread_id=tid, caption="<b>Анна</b>: фото")
    shown = api.messages_in(SUPPORT, tid)[-1]
    assert shown["message_id"] == recaptioned.message_id and shown["caption"] == "Анна: фото"
    assert shown["caption_entities"] == [{"type": "bold", "offset": 0, "length": 4}]
    await bot.copy_message(SUPPORT, PERSON, originals[0].message_id, message_thread_id=tid,
                           caption="не к месту")
    assert "caption" not in api.messages_in(SUPPORT, tid)[-1]

    # The specialist answers in the topic; the bot copies it to the person.
    api.push_message("Здравствуйте, Анна. Я рядом.", chat_id=SUPPORT, user_id=SPECIALIST,
                     first_name="Ольга", message_thread_id=tid)
    answer = updates[-1].message
    assert answer.chat.id == SUPPORT and answer.from_user.id == SPECIALIST
    assert answer.message_thread_id == tid and answer.is_topic_message
    back = await bot.copy_message(PERSON, SUPPORT, answer.message_id,
                                  reply_markup=keyboard(InlineKeyboardButton(
                                      text="Завершить", callback_data="handoff:end")))
    person_sees = api.messages_in(PERSON, from_bot=True)
    assert person_sees[-1]["message_id"] == back.message_id
    assert person_sees[-1]["text"] == "Здравствуйте, Анна. Я рядом."
    assert "message_thread_id" not in person_sees[-1] and "forward_origin" not in person_sees[-1]
    assert person_sees[-1]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Завершить"
    assert api.texts_in(PERSON) == ["Мне <страшно>", "вот фото", "Здравствуйте, Анна. Я рядом."]
    assert api.errors == []

    with pytest.raises(TelegramBadRequest, match="the message can't be copied"):
        await bot.copy_message(PERSON, SUPPORT, tid)  # «forum_topic_created»
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(SUPPORT, PERSON, 999, message_thread_id=tid)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.copy_message(SUPPORT, 777777, 1)
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.copy_message(SUPPORT, PERSON, originals[1].message_id, caption="a < b")
    api.block_chat(PERSON)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.copy_message(PERSON, SUPPORT, answer.message_id)
    assert [c.error for c in api.errors] == [
        "Bad Request: the message can't be copied",
        "Bad Request: message to copy not found",
        "Bad Request: chat not found",
        "Bad Request: can't parse entities: Unsupported start tag \"\" at byte offset 2",
    ]


async def test_forward_from_a_person_to_a_topic_and_back(api, bot):
    api.add_supergroup(SUPPORT, is_forum=True)
    tid = (await bot.create_forum_topic(SUPPORT, "Обращение №1")).message_thread_id
    updates = collect(api)
    api.push_message("Помогите", chat_id=PERSON, first_name="Анна")
    original = updates[-1].message
    forwarded = await bot.forward_message(SUPPORT, PERSON, original.message_id,
                                          message_thread_id=tid)
    assert isinstance(forwarded, Message)
    assert forwarded.text == "Помогите" and forwarded.message_thread_id == tid
    assert forwarded.forward_origin.type == "user"
    assert forwarded.forward_origin.sender_user.id == PERSON
    assert forwarded.forward_origin.date == original.date
    assert forwarded.from_user.is_bot

    api.push_voice(chat_id=SUPPORT, user_id=SPECIALIST, message_thread_id=tid)
    voice = updates[-1].message
    back = await bot.forward_message(PERSON, SUPPORT, voice.message_id)
    assert back.voice.file_id == voice.voice.file_id and back.message_thread_id is None
    assert back.forward_origin.sender_user.id == SPECIALIST
    again = await bot.forward_message(SUPPORT, SUPPORT, forwarded.message_id,
                                      message_thread_id=tid)
    assert again.forward_origin.sender_user.id == PERSON  # the first author, not the bot
    assert api.errors == []
    with pytest.raises(TelegramBadRequest, match="the message can't be forwarded"):
        await bot.forward_message(PERSON, SUPPORT, tid)
    with pytest.raises(TelegramBadRequest, match="message to forward not found"):
        await bot.forward_message(SUPPORT, PERSON, 999, message_thread_id=tid)


async def test_replies_carry_the_message_they_answer(api, bot):
    api.add_supergroup(SUPPORT, is_forum=True)
    tid = (await bot.create_forum_topic(SUPPORT, "Обращение №1")).message_thread_id
    updates = collect(api)
    api.push_photo(chat_id=PERSON, caption="Вот")
    relayed = await bot.copy_message(SUPPORT, PERSON, updates[-1].message.message_id,
                                     message_thread_id=tid)

    # A specialist replies to the relayed message: no thread given, it goes to its topic.
    api.push_message("Вижу, спасибо", chat_id=SUPPORT, user_id=SPECIALIST,
                     reply_to_message_id=relayed.message_id)
    reply = updates[-1].message
    assert reply.message_thread_id == tid and reply.is_topic_message
    assert reply.reply_to_message.message_id == relayed.message_id
    assert reply.reply_to_message.from_user.is_bot
    assert reply.reply_to_message.caption == "Вот" and reply.reply_to_message.photo
    assert reply.reply_to_message.reply_to_message is None  # Telegram nests one level
    # Writing in the topic without replying: the "reply" is the topic's first message.
    api.push_message("Вы здесь?", chat_id=SUPPORT, user_id=SPECIALIST, message_thread_id=tid)
    plain = updates[-1].message
    assert plain.reply_to_message.message_id == tid
    assert plain.reply_to_message.forum_topic_created is not None

    # The bot replies (reply_parameters, or the older reply_to_message_id).
    sent = await bot.send_message(SUPPORT, "Передала", message_thread_id=tid,
                                  reply_parameters=ReplyParameters(message_id=reply.message_id))
    assert sent.reply_to_message.message_id == reply.message_id
    assert sent.reply_to_message.text == "Вижу, спасибо"
    inferred = await bot.send_message(SUPPORT, "В ту же тему", reply_to_message_id=plain.message_id)
    assert inferred.message_thread_id == tid  # a reply goes to the replied message's topic
    copy = await bot.copy_message(SUPPORT, PERSON, 1, reply_to_message_id=reply.message_id)
    assert api.messages_in(SUPPORT)[-1]["message_id"] == copy.message_id
    assert api.messages_in(SUPPORT)[-1]["reply_to_message"]["message_id"] == reply.message_id
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(SUPPORT, "x", message_thread_id=tid, reply_to_message_id=999)
    lenient = await bot.send_message(SUPPORT, "x", message_thread_id=tid,
                                     reply_parameters=ReplyParameters(
                                         message_id=999, allow_sending_without_reply=True))
    assert lenient.reply_to_message.message_id == tid  # the implicit one, nothing else

    # In the private chat too: the person replies to the bot's message.
    mine = await bot.send_message(PERSON, "Специалист ответит здесь")
    api.push_message("Жду", chat_id=PERSON, reply_to_message_id=mine.message_id)
    assert updates[-1].message.reply_to_message.text == "Специалист ответит здесь"
    assert updates[-1].message.reply_to_message.from_user.is_bot
    with pytest.raises(ValueError, match="no message 999"):
        api.push_message("x", chat_id=PERSON, reply_to_message_id=999)
    assert [c.error for c in api.errors] == ["Bad Request: message to be replied not found"]


async def test_a_support_group_without_topics(api, bot):
    """The specialists' chat may have no topics: copies go to the chat, answers are replies."""
    api.add_supergroup(SUPPORT, "Специалисты", is_forum=False)
    updates = collect(api)
    api.push_message("Нужна помощь", chat_id=PERSON)
    relayed = await bot.copy_message(SUPPORT, PERSON, updates[-1].message.message_id)
    api.push_message("Отвечаю", chat_id=SUPPORT, user_id=SPECIALIST,
                     reply_to_message_id=relayed.message_id)
    answer = updates[-1].message
    assert answer.chat.type == "supergroup" and answer.chat.title == "Специалисты"
    assert not answer.chat.is_forum
    assert answer.message_thread_id is None and not answer.is_topic_message
    assert answer.reply_to_message.message_id == relayed.message_id
    assert answer.reply_to_message.text == "Нужна помощь"
    api.push_message("Без ответа", chat_id=SUPPORT, user_id=SPECIALIST)
    assert updates[-1].message.reply_to_message is None
    await bot.copy_message(PERSON, SUPPORT, answer.message_id)
    assert api.texts_in(PERSON, from_bot=True) == ["Отвечаю"]
    assert api.texts_in(SUPPORT) == ["Нужна помощь", "Отвечаю", "Без ответа"]
    with pytest.raises(ValueError, match="no topic"):
        api.push_message("x", chat_id=SUPPORT, user_id=SPECIALIST, message_thread_id=2)
    assert api.errors == []


async def test_copies_count_against_the_sending_limits(api, bot):
    api.push_message("раз", chat_id=PERSON)
    api.rate_limit(per_chat_per_sec=1, global_per_sec=30)
    await bot.copy_message(7, PERSON, 1)
    with pytest.raises(TelegramRetryAfter):
        await bot.forward_message(7, PERSON, 1)


async def test_relay_through_a_dispatcher(api, bot):
    """The shape of the hand-off, with aiogram's own handlers: a person's message opens a
    topic and is copied into it; the specialist's answer in the topic is copied back."""
    api.add_supergroup(SUPPORT, is_forum=True)
    threads: dict[int, int] = {}  # person -> topic
    router = Router()

    @router.message(F.chat.type == "private")
    async def from_person(message: Message) -> None:
        if message.chat.id not in threads:
            topic = await message.bot.create_forum_topic(SUPPORT, f"Обращение {message.chat.id}")
            threads[message.chat.id] = topic.message_thread_id
        await message.copy_to(SUPPORT, message_thread_id=threads[message.chat.id])

    @router.message(F.chat.id == SUPPORT, F.is_topic_message)
    async def from_specialist(message: Message) -> None:
        person = next(p for p, t in threads.items() if t == message.message_thread_id)
        await message.copy_to(person)

    dp = Dispatcher()
    dp.include_router(router)
    polling = asyncio.create_task(
        dp.start_polling(bot, polling_timeout=1, handle_signals=False, close_bot_session=False)
    )
    try:
        # One at a time: handled concurrently, two first messages would open two topics.
        for push in (lambda: api.push_message("Хочу поговорить с человеком", chat_id=PERSON),
                     lambda: api.push_voice(chat_id=PERSON)):
            mark = len(api.calls)
            push()
            await api.wait_for("copyMessage", since=mark)
        tid = threads[PERSON]
        mark = len(api.calls)
        api.push_message("Здравствуйте! Я слушаю.", chat_id=SUPPORT, user_id=SPECIALIST,
                         message_thread_id=tid)
        await api.wait_for("copyMessage", lambda c: c.params["chat_id"] == PERSON, since=mark)
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 5)
    assert api.texts_in(SUPPORT, tid) == ["Хочу поговорить с человеком", "Здравствуйте! Я слушаю."]
    assert "voice" in api.messages_in(SUPPORT, tid, from_bot=True)[-1]
    assert api.texts_in(PERSON, from_bot=True) == ["Здравствуйте! Я слушаю."]
    assert api.errors == []


async def test_forum_requests_get_the_same_verdicts_in_process(api, bot):
    """The new methods, too, answer alike over HTTP and in the bot tests' session."""
    local = FakeBotAPI()
    in_process = Bot(TEST_TOKEN, session=InProcessSession(local),
                     default=DefaultBotProperties(parse_mode="HTML"))
    forum, plain = SUPPORT, -1009876543210
    requests = [
        lambda b: b.create_forum_topic(forum, "Обращение №1"),
        lambda b: b.create_forum_topic(plain, "Обращение"),
        lambda b: b.create_forum_topic(forum, " "),
        lambda b: b.send_message(forum, "<b>в тему</b>", message_thread_id=2),
        lambda b: b.send_message(plain, "x", message_thread_id=2),
        lambda b: b.copy_message(forum, PERSON, 1, message_thread_id=2),
        lambda b: b.copy_message(forum, PERSON, 1, message_thread_id=2, caption="<i>ок</i>"),
        lambda b: b.copy_message(PERSON, forum, 2),
        lambda b: b.copy_message(PERSON, forum, 99),
        lambda b: b.forward_message(forum, PERSON, 1, message_thread_id=2),
        lambda b: b.send_message(forum, "ответ", reply_parameters=ReplyParameters(message_id=3)),
        lambda b: b.send_message(forum, "ответ", reply_to_message_id=99),
        lambda b: b.close_forum_topic(forum, 2),
        lambda b: b.send_message(forum, "x", message_thread_id=2),
        lambda b: b.close_forum_topic(forum, 2),
        lambda b: b.reopen_forum_topic(forum, 2),
        lambda b: b.edit_forum_topic(forum, 2, name="Обращение №1 (Анна)"),
        lambda b: b.delete_forum_topic(forum, 2),
        lambda b: b.send_message(forum, "x", message_thread_id=2),
    ]

    async def outcomes(b: Bot, fake: FakeBotAPI) -> list[tuple]:
        fake.add_supergroup(forum, is_forum=True)
        fake.add_supergroup(plain)
        fake.push_message("Помогите", chat_id=PERSON)
        for request in requests:
            try:
                await request(b)
            except TelegramBadRequest:
                pass
        return [(c.method, c.status, c.error) for c in fake.calls] + [
            (m["message_id"], m.get("text"), m.get("caption")) for m in fake.messages_in(forum)
        ]

    try:
        over_http = await outcomes(bot, api)
        assert await outcomes(in_process, local) == over_http
    finally:
        await in_process.session.close()
    assert [status for _, status, _ in over_http[: len(requests)]].count(200) == 10


async def test_a_topic_a_specialist_opened_in_the_app(api, bot):
    api.add_supergroup(SUPPORT, is_forum=True)
    tid = api.add_topic(SUPPORT, "Дежурство", user_id=SPECIALIST)
    record = api.topics[SUPPORT][tid]
    assert not record.created_by_bot and record.name == "Дежурство"
    (created,) = api.messages_in(SUPPORT, tid, from_bot=False)
    assert created["from"]["id"] == SPECIALIST
    sent = await bot.send_message(SUPPORT, "Новое обращение", message_thread_id=tid)
    assert sent.reply_to_message.forum_topic_created.name == "Дежурство"
    updates = collect(api)
    api.push_message("Беру", chat_id=SUPPORT, message_thread_id=tid)  # no user_id: a member
    assert updates[-1].message.from_user.id == FakeBotAPI.DEFAULT_USER_ID
    assert updates[-1].message.chat.type == "supergroup"
    assert await bot.edit_forum_topic(SUPPORT, tid, icon_custom_emoji_id="5434144690511290129")
    assert api.topics[SUPPORT][tid].icon_custom_emoji_id == "5434144690511290129"
    assert api.messages_in(SUPPORT, tid)[-1]["forum_topic_edited"] == {
        "icon_custom_emoji_id": "5434144690511290129"}
    assert api.errors == []
