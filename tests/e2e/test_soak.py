"""A short soak in every test run (the ten-minute one: `python -m tests.soak`).

Forty rounds — two admin uploads, five subscribe storms, eight rounds of button presses,
the injected 429s, 5xx and late answers — at a round every 0.1 s: the mix a 12-second run at
the CLI's pace of 0.25 s used to give, counted in rounds, so a slow machine runs the same
soak, only longer."""

from __future__ import annotations

from tests.soak import soak


async def test_a_short_soak_loses_nothing_and_logs_no_error():
    result = await soak(users=200, ticks=40, pause=0.1)
    assert result["updates"] > 200
    assert result["handled"] == result["updates"], result
    assert result["errors"] == 0, result["error samples"]
    assert result["uploads"] >= 1
    # Subscribers were notified of the uploaded seminars, and nothing is left waiting.
    assert result["outbox"].get("sent", 0) > 0, result["outbox"]
    assert not result["outbox"].get("pending"), result["outbox"]
