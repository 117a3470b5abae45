"""Every filter of the bot's routers is awaited in the event loop, none sent to a thread.

aiogram runs a synchronous filter (`F.text`, `F.chat.type == "private"`) through
`asyncio.to_thread`; a free-text message passes eight of them on its way to the search, and
under load those thread hops were a measurable share of each reply (issue #17). A router
added later with `F.…` filters is covered by the same build step — this test says so.
"""

from __future__ import annotations

import asyncio

from aiogram.types import Message

from bot.telegram.dispatcher import build_dispatcher


async def test_no_filter_of_any_router_runs_in_a_thread(app, monkeypatch):
    dp = build_dispatcher(app)
    filters = [
        flt
        for router in dp.chain_tail
        for observer in router.observers.values()
        for handler in observer.handlers
        for flt in handler.filters or ()
    ]
    assert len(filters) > 20  # the routers' filters were found at all
    assert all(flt.awaitable for flt in filters)

    # And a message really passes them without a thread: asyncio.to_thread is not reached.
    def no_thread(*args, **kwargs):
        raise AssertionError("a filter was sent to a thread")

    monkeypatch.setattr(asyncio, "to_thread", no_thread)
    message = Message.model_validate(
        {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 5, "type": "private"},
            "from": {"id": 5, "is_bot": False, "first_name": "А"},
            "text": "семейный мфц",
        }
    )
    checked = 0
    for router in dp.chain_tail:
        for handler in router.message.handlers:
            for flt in handler.filters or ():
                if flt.magic is not None:
                    await flt.call(message)
                    checked += 1
    assert checked > 5
