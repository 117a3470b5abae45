"""The statistical safety net under the crisis lexicon, as people get it: distress nothing
else answers gets the plea reply; an ordinary question is not led by the helpline."""

from __future__ import annotations

from tests.support import reply_to


async def test_distress_nothing_else_answers_gets_the_plea_reply_not_not_found(app):
    reply = await reply_to(app, "никто не отвечает мне, так пусто внутри", 3, log_query=True)
    assert reply.text.lstrip().startswith("<b>")
    assert "8-800-2000-122" in reply.text.split("\n\n")[0] + reply.text.split("\n\n")[1]
    assert "Не нашёл" not in reply.text


async def test_an_ordinary_question_is_not_led_by_the_helpline(app):
    for text in [
        "что такое семейный мфц",
        "когда ближайшая стажировка",
        "форум в великом новгороде",
    ]:
        reply = await reply_to(app, text, chat_id=4, log_query=True)
        assert "8-800-2000-122" not in reply.text.split("\n")[0], text
