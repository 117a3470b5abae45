"""Every update path is total: no input makes a handler raise.

Hypothesis generates what people (and attackers) send — any text including lone
surrogates, control characters, huge and non-ASCII numbers, commands with odd arguments,
captions, forged callback data — pushed through the fake Bot API into the real
dispatcher. The errors router (the apology) must never be reached, and nothing the bot
sends may be rejected by the fake Telegram.
"""

from __future__ import annotations

import logging

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.errors import APOLOGY
from tests.conftest import ADMIN_ID, USER_ID

# Any code point, lone surrogates and control characters included.
ANY_TEXT = st.text(st.characters(codec=None, categories=None), min_size=1, max_size=80)
NUMBERS = st.sampled_from(
    ["0", "-1", "1" * 40, "²", "١٢", "9" * 25, "1e9", "0x10", "٣", "½", "𝟘", "007"]
)
COMMANDS = st.sampled_from(
    [
        "/delete",
        "/events",
        "/search",
        "/subscribe",
        "/unsubscribe",
        "/articles",
        "/start",
        "/help",
        "/helpline",
        "/mfc",
        "/services",
        "/stats",
        "/add",
        "/region",
        "/forget",
        "/broadcast",
        "/nonexistent",
        "/",
    ]
)
MESSAGES = st.one_of(
    ANY_TEXT,
    st.builds(lambda c, n: f"{c} {n}", COMMANDS, NUMBERS),
    st.builds(lambda c, t: f"{c} {t}", COMMANDS, ANY_TEXT),
    st.builds(lambda a, b: a + "\ud800" + b, ANY_TEXT, ANY_TEXT),
)
CALLBACKS = st.one_of(
    ANY_TEXT.map(lambda t: t[:64]),
    st.builds(
        lambda p, n: f"{p}:{n}", st.sampled_from(["ics", "del", "arts", "ev", "open"]), NUMBERS
    ),
    st.builds(lambda n: f"open:a:{n}", NUMBERS),
    st.builds(lambda n: f"del:{n}:1", NUMBERS),
    st.builds(lambda n: f"ev:{n}::0", NUMBERS),
    st.builds(lambda n: f"reg:{n}", NUMBERS),
    st.builds(lambda a, n: f"bc:{a}:{n}", st.sampled_from(["send", "cancel"]), NUMBERS),
    st.just("regsub"),
)


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _apologies(harness) -> list:
    return [
        c
        for c in harness.api.calls
        if c.method in ("sendMessage", "answerCallbackQuery")
        and APOLOGY in (c.params.get("text") or "")
    ]


_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@_SETTINGS
@given(text=MESSAGES, admin=st.booleans())
async def test_any_message_is_answered_without_an_error(harness, text, admin):
    user = ADMIN_ID if admin else USER_ID
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    try:
        await harness.send(text, user_id=user)
    finally:
        logging.getLogger().removeHandler(errors)
    assert not errors.records, [r.getMessage() for r in errors.records]
    assert not _apologies(harness)
    assert not harness.api.errors


ENTITIES = st.lists(
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(
                ["bot_command", "bold", "italic", "url", "mention", "text_link", "code"]
            ),
            "offset": st.integers(min_value=0, max_value=200),
            "length": st.integers(min_value=0, max_value=200),
        }
    ).map(lambda e: {**e, "url": "https://example.org"} if e["type"] == "text_link" else e),
    max_size=4,
)


@_SETTINGS
@given(text=MESSAGES, entities=ENTITIES)
async def test_any_entities_are_handled(harness, text, entities):
    """Entities Telegram attaches (commands, links, formatting), even ones that point past
    the end of the text, never break a handler."""
    update = harness.api.push_message(text, chat_id=USER_ID, user_id=USER_ID, entities=entities)
    await harness.push(update)
    assert not _apologies(harness)
    assert not harness.api.errors


@_SETTINGS
@given(caption=MESSAGES)
async def test_any_caption_is_handled(harness, caption):
    update = harness.api.push_document(
        "Текст статьи.".encode(),
        "a.txt",
        caption=caption[:1000],
        user_id=USER_ID,
        chat_id=USER_ID,
    )
    await harness.push(update)
    assert not _apologies(harness)
    assert not harness.api.errors


@_SETTINGS
@given(data=CALLBACKS, admin=st.booleans())
async def test_forged_callback_data_gets_a_polite_answer(harness, data, admin):
    user = ADMIN_ID if admin else USER_ID
    update = harness.api.push_callback(data, user_id=user, chat_id=user)
    calls = await harness.push(update)
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    # The button's spinner stops: one answer, accepted by Telegram.
    assert [c.ok for c in answers] == [True], f"answers to callback {data!r}: {answers}"
    assert not _apologies(harness)
    assert not harness.api.errors
