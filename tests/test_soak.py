"""A short soak in every test run (the ten-minute one: `python -m tests.soak`)."""

from __future__ import annotations

from tests.soak import soak


async def test_a_short_soak_loses_nothing_and_logs_no_error():
    result = await soak(12.0, users=200)
    assert result["updates"] > 200
    assert result["handled"] == result["updates"], result
    assert result["errors"] == 0, result["error samples"]
    assert result["uploads"] >= 1
