"""A hand-off over HTTP: the bot's real aiohttp session, long polling, the fake Bot API with
forum topics — a person and a specialist talk through the bot."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import USER_ID, start_harness, stop_harness
from tests.fakebotapi import FakeBotAPI

SUPPORT = -1001999888777
SPECIALIST = 9002


async def test_a_person_and_a_specialist_talk_through_the_bot(
    fake_api: FakeBotAPI, db_path: Path
) -> None:
    fake_api.add_supergroup(SUPPORT, "Специалисты", is_forum=True)
    h = await start_harness(fake_api, db_path, support_chat_id=SUPPORT)
    try:
        await h.send("Позовите оператора")
        (topic,) = fake_api.topics[SUPPORT].values()
        thread = topic.message_thread_id
        await h.send("Нам отказали в пособии, что делать?")
        assert fake_api.texts_in(SUPPORT, thread)[-1] == "Нам отказали в пособии, что делать?"
        await h.push(
            fake_api.push_message(
                "Подскажу. В каком вы регионе?",
                chat_id=SUPPORT,
                user_id=SPECIALIST,
                message_thread_id=thread,
            )
        )
        assert fake_api.texts_in(USER_ID, from_bot=True)[-1] == "Подскажу. В каком вы регионе?"
    finally:
        await stop_harness(h)
    assert not fake_api.errors, fake_api.errors
