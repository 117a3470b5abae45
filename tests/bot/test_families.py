"""Families: crisis replies, inline mode, long answers, flood control, privacy, odd updates."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import USER_ID
from tests.fakebotapi import parse_html
from tests.inprocess import start_inprocess, stop_inprocess
from tests.unit.test_crisis import CRISIS, ORDINARY


async def test_crisis_reply_leads_with_112_and_helpline(harness):
    text = await harness.ask("папа бьёт меня каждый день, мне страшно")
    first_lines = text.split("\n\n")[:2]
    assert "112" in first_lines[0] and "8-800-2000-122" in first_lines[1]
    assert "Не нашёл" not in text


@pytest.mark.parametrize("phrase", [t for t, _ in CRISIS[:12]])
async def test_crisis_phrasings_through_the_bot(harness, phrase):
    text, _ = parse_html(await harness.ask(phrase))
    assert text.lstrip().startswith("Если тебе угрожает опасность прямо сейчас — звони 112")


@pytest.mark.parametrize("phrase", ORDINARY[:12])
async def test_ordinary_questions_are_not_crisis(harness, phrase):
    assert "угрожает опасность прямо сейчас" not in await harness.ask(phrase)


async def test_crisis_is_counted_never_stored(harness):
    secret = "отчим меня избивает и угрожает"
    await harness.ask(secret)
    await harness.ask("что такое семейный мфц")
    stats = await harness.app.store.query_stats(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert stats["crisis"] == 1
    logged = [t for t, _ in stats["top"]]
    assert "что такое семейный мфц" in logged and all("отчим" not in t for t in logged)


async def test_query_log_has_no_user_ids_and_is_purged(harness):
    async with harness.app.store._db.execute("PRAGMA table_info(query_log)") as cur:
        columns = {row[1] for row in await cur.fetchall()}
    assert not {"user_id", "chat_id", "username"} & columns
    await harness.ask("где семейный мфц")
    assert (
        await harness.app.store.purge_queries(dt.datetime.now(dt.UTC) + dt.timedelta(days=1)) >= 1
    )


async def test_inline_mode_returns_escaped_articles(harness):
    update = harness.api.push_inline_query("семейный мфц", user_id=USER_ID)
    calls = await harness.push(update)
    answer = next(c for c in calls if c.method == "answerInlineQuery")
    results = answer.params["results"]
    assert 1 <= len(results) <= 10
    assert all(r["type"] == "article" and r.get("description") for r in results)
    assert any("МФЦ" in r["title"] for r in results)


async def test_inline_empty_query_offers_services(harness):
    calls = await harness.push(harness.api.push_inline_query("", user_id=USER_ID))
    results = next(c for c in calls if c.method == "answerInlineQuery").params["results"]
    assert any("8-800-2000-122" in r["input_message_content"]["message_text"] for r in results)


async def test_very_long_message_is_answered(harness):
    text, _ = parse_html(await harness.ask("мфц " * 1000))
    assert text.startswith("Семейный МФЦ") and "«одного окна»" in text


async def test_flood_control_warns_once(fake_api, db_path):
    h = await start_inprocess(fake_api, db_path, flood_limit=3)
    texts = [await h.ask("где семейный мфц") for _ in range(6)]
    await stop_inprocess(h)
    warnings = [t for t in texts if "очень часто" in t]
    assert len(warnings) == 1 and texts[4] == texts[5] == ""
    assert all("Семейный МФЦ" in t for t in texts[:3])  # answered until the limit


@pytest.mark.parametrize("push", ["push_photo", "push_voice", "push_sticker"])
async def test_non_text_messages_get_a_hint(harness, push):
    update = getattr(harness.api, push)(chat_id=USER_ID, user_id=USER_ID)
    calls = await harness.push(update)
    assert any("текст" in c.params.get("text", "") for c in calls if c.method == "sendMessage")


async def test_edited_message_and_group_chatter_are_ignored(harness):
    calls = await harness.push(
        harness.api.push_edited_message("телефон доверия", chat_id=USER_ID, user_id=USER_ID)
    )
    assert not [c for c in calls if c.method == "sendMessage"]
    calls = await harness.send("всем привет", chat_id=-100500, user_id=USER_ID, chat_type="group")
    assert not [c for c in calls if c.method == "sendMessage"]
    calls = await harness.send("/helpline", chat_id=-100500, user_id=USER_ID, chat_type="group")
    assert any("8-800-2000-122" in c.params.get("text", "") for c in calls)


async def test_question_about_a_service_gets_the_fact_that_answers_it(harness):
    text, _ = parse_html(await harness.ask("сколько семейных мфц работает"))
    lines = text.splitlines()
    assert lines[0] == "Семейный МФЦ" and "144 центра в 55 регионах" in lines[1]
    calls = harness.api.calls_of("sendMessage")
    buttons = [b["text"] for row in calls[-1].params["reply_markup"]["inline_keyboard"] for b in row]
    assert "Всё о службе" in buttons


async def test_naming_a_service_gets_the_whole_card(harness):
    text, _ = parse_html(await harness.ask("семейный мфц"))
    assert "одного окна" in text and "144 центра" in text and "Ранее: 21 центр" in text


async def test_naming_a_service_in_the_wrong_layout_gets_the_whole_card(harness):
    text, _ = parse_html(await harness.ask("ntktajy ljdthbz"))
    assert "8-800-2000-122" in text and "круглосуточно" in text and "Анонимно" in text
